// @ts-check
/**
 * Builds DOM nodes from data without ever parsing it as HTML: text goes through text nodes
 * (`textContent`), attributes through `setAttribute`, so a value like `<img onerror=…>` is
 * shown as it is, never run. Nothing in this app assigns HTML markup to an element.
 */

/** Links the app builds point inside the app only (never `javascript:` or another site). */
const SAFE_HREF = /^\/ui\/[A-Za-z0-9\-._~%/?=&!*'()]*$/;

/**
 * @typedef {string | number | Node | null | undefined | false} Child
 * @typedef {Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>} Props
 */

/**
 * `el('li', { className: 'x' }, 'text', child)`: an element with properties and children.
 * `text` sets the text content; `on<event>` adds a listener; other keys become attributes.
 * @param {string} tag
 * @param {Props} [props]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElement}
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') {
      node.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'className') {
      node.className = String(value);
    } else if (key === 'text') {
      node.textContent = String(value);
    } else if (key === 'href') {
      if (!SAFE_HREF.test(String(value))) throw new Error('lien hors de l’application refusé');
      node.setAttribute('href', String(value));
    } else {
      node.setAttribute(key, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'number' ? String(child) : child);
  }
  return node;
}

/**
 * Replaces the content of `parent` with `children`.
 * @param {Element} parent
 * @param {...(Child | Child[])} children
 */
export function replace(parent, ...children) {
  parent.replaceChildren();
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(typeof child === 'number' ? String(child) : child);
  }
}
