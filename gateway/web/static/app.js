// @ts-check
/**
 * The read-only web view of Passerelle, in French. Two pages served by the same HTML:
 * `/ui/` (API key, then a person to open: by id or from the tenant's list) and
 * `/ui/patients/{id}` (the pathway). Every call goes to this origin's `/v1` API with the key
 * kept in `sessionStorage`; nothing is loaded from anywhere else.
 */
import { ApiError, forgetKey, getJson, storeKey, storedKey } from './api.js';
import { el, replace } from './dom.js';
import { frDate } from './format.js';
import { renderPathway } from './pathway.js';

const main = /** @type {HTMLElement} */ (document.getElementById('contenu'));
const session = /** @type {HTMLElement} */ (document.getElementById('session'));

/** @returns {{ page: 'home' } | { page: 'patient', id: string }} */
function currentRoute() {
  const match = /^\/ui\/patients\/([^/]+)\/?$/.exec(location.pathname);
  if (!match?.[1]) return { page: 'home' };
  try {
    return { page: 'patient', id: decodeURIComponent(match[1]) };
  } catch {
    return { page: 'patient', id: match[1] };
  }
}

/** @param {unknown} err */
function errorMessage(err) {
  return err instanceof ApiError ? err.message : 'Erreur inattendue dans la page.';
}

/** @param {string} text */
function alertBox(text) {
  return el('p', { className: 'error', role: 'alert', text });
}

/** Shows who is connected, with a way out; returns the client, or undefined without a valid key. */
async function showSession() {
  if (!storedKey()) {
    replace(session);
    return undefined;
  }
  try {
    const me = await getJson('/v1/me');
    replace(session,
      el('span', {}, 'Connecté : ', el('strong', { text: me.name })),
      el('button', { type: 'button', className: 'link-button', onclick: () => { forgetKey(); location.assign('/ui/'); } }, 'Se déconnecter'));
    return me;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) forgetKey();
    replace(session, el('span', { className: 'error', text: errorMessage(err) }));
    return undefined;
  }
}

/**
 * The API key form: checks the key against `/v1/me` before keeping it.
 * @param {() => void} onConnected
 */
function loginSection(onConnected) {
  const status = el('div', { 'aria-live': 'polite' });
  const input = /** @type {HTMLInputElement} */ (el('input', { id: 'cle', name: 'cle', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' }));
  const form = el('form', {
    className: 'form',
    onsubmit: async (event) => {
      event.preventDefault();
      const key = input.value.trim();
      replace(status, el('p', { text: 'Vérification de la clé…' }));
      try {
        await getJson('/v1/me', key);
        storeKey(key);
        onConnected();
      } catch (err) {
        replace(status, alertBox(errorMessage(err)));
        input.focus();
      }
    },
  },
  el('label', { for: 'cle', text: 'Clé d’API' }),
  el('p', { className: 'hint', id: 'cle-aide', text: 'La clé reste dans cet onglet (sessionStorage) et n’est envoyée qu’à Passerelle.' }),
  input,
  el('button', { type: 'submit', text: 'Se connecter' }));
  input.setAttribute('aria-describedby', 'cle-aide');
  return el('section', { className: 'part', 'aria-labelledby': 'connexion' }, el('h2', { id: 'connexion', text: 'Connexion' }), form, status);
}

/** @param {string} id */
function patientPath(id) {
  return `/ui/patients/${encodeURIComponent(id)}`;
}

function openByIdSection() {
  const input = /** @type {HTMLInputElement} */ (el('input', { id: 'patient', name: 'patient', type: 'text', required: true, autocomplete: 'off', spellcheck: 'false', pattern: '[A-Za-z0-9.\\-]{1,64}' }));
  const form = el('form', {
    className: 'form',
    onsubmit: (event) => {
      event.preventDefault();
      location.assign(patientPath(input.value.trim()));
    },
  },
  el('label', { for: 'patient', text: 'Identifiant de la personne (Patient FHIR)' }),
  input,
  el('button', { type: 'submit', text: 'Afficher le parcours' }));
  return el('section', { className: 'part', 'aria-labelledby': 'ouvrir' }, el('h2', { id: 'ouvrir', text: 'Ouvrir un parcours' }), form);
}

function patientListSection() {
  const results = el('div', { 'aria-live': 'polite' });
  const input = /** @type {HTMLInputElement} */ (el('input', { id: 'nom', name: 'nom', type: 'search', autocomplete: 'off' }));
  const load = async () => {
    const name = input.value.trim();
    replace(results, el('p', { text: 'Recherche…' }));
    try {
      const query = new URLSearchParams({ count: '20', ...(name ? { name } : {}) });
      const { patients } = await getJson(`/v1/patients?${query}`);
      if (patients.length === 0) {
        replace(results, el('p', { className: 'empty', text: 'Aucune personne trouvée.' }));
        return;
      }
      replace(results, el('ul', { className: 'patient-list' }, patients.map((/** @type {any} */ p) => el('li', {},
        el('a', { href: patientPath(p.id), text: p.displayName }),
        p.birthDate ? ` — ${frDate(p.birthDate)}` : '',
        p.active ? '' : ' (dossier fusionné)'))));
    } catch (err) {
      replace(results, alertBox(errorMessage(err)));
    }
  };
  const form = el('form', { className: 'form form--inline', role: 'search', onsubmit: (event) => { event.preventDefault(); void load(); } },
    el('label', { for: 'nom', text: 'Nom ou prénom' }), input, el('button', { type: 'submit', text: 'Rechercher' }));
  void load();
  return el('section', { className: 'part', 'aria-labelledby': 'personnes' }, el('h2', { id: 'personnes', text: 'Personnes de votre territoire' }), form, results);
}

async function homePage() {
  document.title = 'Passerelle — parcours de santé';
  const me = await showSession();
  const heading = el('h1', { id: 'titre', tabindex: '-1', text: 'Parcours de santé' });
  const intro = el('p', { text: 'Consultez le plan personnalisé partagé d’une personne, son cercle de soins, ses séjours et les tâches en cours. Lecture seule.' });
  if (!me) {
    replace(main, heading, intro, loginSection(() => { void homePage(); }));
    /** @type {HTMLElement | null} */ (document.getElementById('cle'))?.focus();
    return;
  }
  replace(main, heading, intro, openByIdSection(), patientListSection());
  /** @type {HTMLElement | null} */ (document.getElementById('patient'))?.focus();
}

/** @param {string} id */
async function patientPage(id) {
  document.title = 'Parcours — Passerelle';
  const me = await showSession();
  const back = el('p', { className: 'back' }, el('a', { href: '/ui/', text: '← Choisir une autre personne' }));
  if (!me) {
    replace(main, back, el('h1', { id: 'titre', tabindex: '-1', text: 'Connexion requise' }), loginSection(() => { void patientPage(id); }));
    return;
  }
  replace(main, back, el('p', { className: 'loading', 'aria-busy': 'true', text: 'Chargement du parcours…' }));
  try {
    const view = await getJson(`/v1/patients/${encodeURIComponent(id)}/pathway`);
    replace(main, back, renderPathway(view));
  } catch (err) {
    replace(main, back, el('h1', { id: 'titre', tabindex: '-1', text: 'Parcours indisponible' }), alertBox(errorMessage(err)));
  }
  /** @type {HTMLElement | null} */ (document.getElementById('titre'))?.focus();
}

const route = currentRoute();
void (route.page === 'patient' ? patientPage(route.id) : homePage());
