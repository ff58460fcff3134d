import type { ElementDefinition } from '@medplum/fhirtypes';
import type { DefinitionRegistry } from './base-definitions.js';
import { coreUrl } from './base-definitions.js';

/*
 * A small snapshot generator for constraint profiles (Medplum has none, and its validator
 * needs snapshots). It starts from the base definition's snapshot and applies a differential
 * in order, the way the FHIR profiling rules describe:
 * - an element of a complex type (Identifier, CodeableConcept, an extension…) is expanded
 *   into its children from the type's own snapshot only when the differential reaches into it;
 * - a slice is inserted after the sliced element and its earlier slices; its children are
 *   copied from the sliced element's (already constrained) children, else from the type;
 *   an extension slice always gets the children of its extension definition (its fixed url);
 * - constraints may only narrow: min up, max down, types to a subset; a pattern or fixed value
 *   on a repeating element is refused, because Medplum's validator then compares it with the
 *   whole array and always fails (see STACK.md): slice the element or use an invariant.
 * Element ids and paths follow the FHIR convention (`Patient.identifier:INS-NIR.system`).
 */

/** Differential keys the generator knows how to apply; anything else is a typo, so it throws. */
const SIMPLE_KEYS = [
  'short',
  'definition',
  'comment',
  'requirements',
  'meaningWhenMissing',
  'mustSupport',
  'label',
] as const;

/** Keys of the differential element that identify it rather than constrain it. */
const IDENTITY_KEYS = new Set(['id', 'path', 'sliceName']);

/** The cardinality of `max` as a number (`*` is infinite). */
function maxOf(max: string | undefined): number {
  if (max === undefined || max === '*') {
    return Number.POSITIVE_INFINITY;
  }
  const n = Number(max);
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`Invalid max cardinality "${max}"`);
  }
  return n;
}

/** The path of an element id: slice names removed (`A.b:s.c` → `A.b.c`). */
export function pathOfId(id: string): string {
  return id
    .split('.')
    .map((part) => part.split(':')[0])
    .join('.');
}

/** True when `id` is `ancestorId` or lies inside it (its children, its slices and theirs). */
function isWithin(id: string, ancestorId: string): boolean {
  return id === ancestorId || id.startsWith(ancestorId + '.') || id.startsWith(ancestorId + ':');
}

/** The id of the element containing `id` (the sliced element for a slice entry). */
function parentIdOf(id: string): string | undefined {
  const lastDot = id.lastIndexOf('.');
  const lastColon = id.lastIndexOf(':');
  if (lastColon > lastDot) {
    return id.slice(0, lastColon);
  }
  return lastDot > 0 ? id.slice(0, lastDot) : undefined;
}

/** Inputs of one snapshot generation. */
export interface SnapshotInput {
  /** Canonical URL of the profile being generated (recorded as `constraint.source`). */
  url: string;
  /** The base snapshot to start from (not modified). */
  baseSnapshot: ElementDefinition[];
  /** The differential, in document order. */
  differential: ElementDefinition[];
  /** Where type and extension definitions are looked up when an element is expanded. */
  registry: DefinitionRegistry;
}

/**
 * Generates the snapshot of a constraint profile.
 * @example
 * generateSnapshot({ url, baseSnapshot: patient.snapshot.element, differential, registry })
 * @throws Error naming the differential element when it loosens the base, names an unknown
 *   element, or uses a construct this generator does not support.
 */
export function generateSnapshot(input: SnapshotInput): ElementDefinition[] {
  const elements: ElementDefinition[] = structuredClone(input.baseSnapshot);
  for (const diff of input.differential) {
    const id = diff.id;
    if (!id || !diff.path) {
      throw new Error(`Differential element without id and path: ${JSON.stringify(diff)}`);
    }
    if (pathOfId(id) !== diff.path) {
      throw new Error(`Differential element ${id}: path ${diff.path} does not match its id`);
    }
    const target = locate(elements, id, diff, input.registry);
    try {
      applyDifferential(target, diff, input.url);
    } catch (err) {
      throw new Error(`Differential element ${id}: ${(err as Error).message}`, { cause: err });
    }
    if (target.sliceName && isProfiledExtension(target)) {
      // An extension slice is told apart by its url, which only its definition's children
      // carry (`url` fixed): validators that match slices on the snapshot need them here.
      expandChildren(elements, target, input.registry);
    }
  }
  checkSliceCardinalities(elements);
  return elements;
}

/**
 * A sliced element must itself require at least the sum of its slices' minimums: the slices
 * imply it, and Medplum's validator skips the slice counts when the element is absent, so a
 * required slice of an optional element would never be enforced.
 */
function checkSliceCardinalities(elements: ElementDefinition[]): void {
  for (const sliced of elements) {
    if (!sliced.slicing) {
      continue;
    }
    const required = elements
      .filter((e) => e.sliceName && e.id === `${sliced.id}:${e.sliceName}`)
      .reduce((sum, slice) => sum + (slice.min ?? 0), 0);
    if ((sliced.min ?? 0) < required) {
      throw new Error(`Element ${sliced.id}: min ${sliced.min} is below the ${required} its slices require`);
    }
  }
}

/** Finds the snapshot element for `id`, creating the slice or expanding the type it needs. */
function locate(
  elements: ElementDefinition[],
  id: string,
  diff: ElementDefinition,
  registry: DefinitionRegistry,
): ElementDefinition {
  const existing = elements.find((e) => e.id === id);
  if (existing) {
    if (diff.sliceName && existing.sliceName !== diff.sliceName) {
      throw new Error(`Element ${id} exists but is not the slice ${diff.sliceName}`);
    }
    return existing;
  }
  if (diff.sliceName) {
    return createSlice(elements, id, diff.sliceName);
  }
  const parentId = parentIdOf(id);
  if (!parentId) {
    throw new Error(`Unknown root element ${id}`);
  }
  // A child may name a slice not declared yet (`A.b:s.c`): the slice entry is created with it.
  const parentSlice = parentId.slice(parentId.lastIndexOf('.') + 1).split(':')[1];
  const parentDiff: ElementDefinition = { id: parentId, path: pathOfId(parentId), ...(parentSlice ? { sliceName: parentSlice } : {}) };
  const parent = locate(elements, parentId, parentDiff, registry);
  expandChildren(elements, parent, registry);
  const found = elements.find((e) => e.id === id);
  if (!found) {
    throw new Error(`Unknown element ${id} (not a child of ${parentId})`);
  }
  return found;
}

/** Inserts the slice entry `sliceName` of the sliced element, after its last descendant. */
function createSlice(elements: ElementDefinition[], id: string, sliceName: string): ElementDefinition {
  if (!id.endsWith(':' + sliceName)) {
    throw new Error(`Slice ${sliceName}: id ${id} must end with :${sliceName}`);
  }
  const slicedId = id.slice(0, -(sliceName.length + 1));
  const slicedIndex = elements.findIndex((e) => e.id === slicedId);
  const sliced = elements[slicedIndex];
  if (!sliced) {
    throw new Error(`Slice ${id}: unknown sliced element ${slicedId}`);
  }
  if (!sliced.slicing) {
    throw new Error(`Slice ${id}: element ${slicedId} declares no slicing`);
  }
  const slice: ElementDefinition = structuredClone(sliced);
  delete slice.slicing;
  slice.id = id;
  slice.sliceName = sliceName;
  // A slice starts optional; the differential gives its own cardinality.
  slice.min = 0;
  sortKeysInPlace(slice);
  let insertAt = slicedIndex + 1;
  while (insertAt < elements.length && isWithin(elements[insertAt]?.id ?? '', slicedId)) {
    insertAt++;
  }
  elements.splice(insertAt, 0, slice);
  return slice;
}

/**
 * Adds the children of a complex-typed element right after it (once). A slice takes the
 * children of its sliced element when those were already constrained.
 */
function expandChildren(elements: ElementDefinition[], parent: ElementDefinition, registry: DefinitionRegistry): void {
  const parentId = parent.id as string;
  const index = elements.indexOf(parent);
  const next = elements[index + 1];
  if (next?.id?.startsWith(parentId + '.')) {
    return; // already expanded (backbone elements come expanded in the base snapshot)
  }

  let children: ElementDefinition[] | undefined;
  if (parent.sliceName && !isProfiledExtension(parent)) {
    const slicedId = parentId.slice(0, -(parent.sliceName.length + 1));
    const slicedChildren = elements.filter((e) => e.id?.startsWith(slicedId + '.'));
    if (slicedChildren.length > 0) {
      children = slicedChildren
        .filter((e) => !e.id?.slice(slicedId.length + 1).includes(':'))
        .map((e) => {
          const child = structuredClone(e);
          child.id = parentId + (e.id as string).slice(slicedId.length);
          return child;
        });
    }
  }
  if (!children) {
    children = childrenFromType(parent, registry);
  }
  elements.splice(index + 1, 0, ...children);
}

/** True for an element whose single type is an Extension with its definition (`type.profile`). */
function isProfiledExtension(element: ElementDefinition): boolean {
  const types = element.type ?? [];
  return types.length === 1 && types[0]?.code === 'Extension' && (types[0].profile?.length ?? 0) > 0;
}

/** The children of `parent` taken from the snapshot of its (single) type or type profile. */
function childrenFromType(parent: ElementDefinition, registry: DefinitionRegistry): ElementDefinition[] {
  const types = parent.type ?? [];
  if (types.length !== 1 || !types[0]?.code) {
    throw new Error(`Cannot expand ${parent.id}: it must have exactly one type (narrow it first)`);
  }
  const type = types[0];
  const profiles = type.profile ?? [];
  if (profiles.length > 1) {
    throw new Error(`Cannot expand ${parent.id}: more than one type profile`);
  }
  const typeCode = type.code as string;
  if (typeCode === 'BackboneElement' || typeCode === 'Element') {
    throw new Error(`Cannot expand ${parent.id}: backbone children must already be in the snapshot`);
  }
  const sd = registry.get(profiles[0] ?? coreUrl(typeCode));
  const typeElements = sd.snapshot?.element ?? [];
  const root = typeElements[0];
  if (!root?.path || !root.id) {
    throw new Error(`Type ${sd.url} has no snapshot`);
  }
  const rootPath = root.path;
  const rootId = root.id;
  // Slices inside the type's definition (the sub-extensions of a complex extension) stay in
  // that definition: Medplum's parser would read a nested slice entry as one more slice of
  // the outer element (and then count it there). Validators find them through type.profile.
  return typeElements.slice(1).filter((e) => !(e.id as string).slice(rootId.length).includes(':')).map((e) => {
    const child = structuredClone(e);
    child.id = (parent.id as string) + (e.id as string).slice(rootId.length);
    child.path = (parent.path as string) + (e.path as string).slice(rootPath.length);
    return child;
  });
}

/** Applies one differential element to its snapshot element, refusing anything that loosens. */
function applyDifferential(target: ElementDefinition, diff: ElementDefinition, url: string): void {
  for (const key of Object.keys(diff)) {
    const known =
      IDENTITY_KEYS.has(key) ||
      (SIMPLE_KEYS as readonly string[]).includes(key) ||
      ['min', 'max', 'type', 'binding', 'constraint', 'slicing'].includes(key) ||
      key.startsWith('fixed') ||
      key.startsWith('pattern');
    if (!known) {
      throw new Error(`unsupported differential key "${key}"`);
    }
  }

  const record = target as unknown as Record<string, unknown>;
  for (const key of SIMPLE_KEYS) {
    if (diff[key] !== undefined) {
      record[key] = diff[key];
    }
  }

  if (diff.min !== undefined) {
    if (diff.min < (target.min ?? 0)) {
      throw new Error(`min ${diff.min} loosens the base min ${target.min}`);
    }
    target.min = diff.min;
  }
  if (diff.max !== undefined) {
    if (maxOf(diff.max) > maxOf(target.max)) {
      throw new Error(`max ${diff.max} loosens the base max ${target.max}`);
    }
    target.max = diff.max;
  }
  if ((target.min ?? 0) > maxOf(target.max)) {
    throw new Error(`min ${target.min} exceeds max ${target.max}`);
  }

  if (diff.type) {
    const allowed = new Set((target.type ?? []).map((t) => t.code));
    for (const t of diff.type) {
      if (!allowed.has(t.code)) {
        throw new Error(`type ${t.code} is not one of the base types ${[...allowed].join(', ')}`);
      }
    }
    target.type = structuredClone(diff.type);
  }

  const repeating = maxOf(target.base?.max ?? target.max) > 1;
  for (const key of Object.keys(diff)) {
    if (key.startsWith('fixed') || key.startsWith('pattern')) {
      if (repeating && !target.sliceName) {
        throw new Error(`${key} on a repeating element: slice it or use an invariant`);
      }
      record[key] = structuredClone((diff as unknown as Record<string, unknown>)[key]);
    }
  }

  if (diff.binding) {
    target.binding = structuredClone(diff.binding);
  }
  if (diff.slicing) {
    if (!repeating) {
      throw new Error('slicing on a non-repeating element');
    }
    target.slicing = structuredClone(diff.slicing);
  }
  if (diff.constraint) {
    const keys = new Set((target.constraint ?? []).map((c) => c.key));
    const added = diff.constraint.map((c) => {
      if (!c.key || !c.expression || !c.human || !c.severity) {
        throw new Error(`constraint ${c.key ?? '?'} needs key, severity, human and expression`);
      }
      if (keys.has(c.key)) {
        throw new Error(`constraint key ${c.key} already used`);
      }
      keys.add(c.key);
      return { ...structuredClone(c), source: url };
    });
    target.constraint = [...(target.constraint ?? []), ...added];
    // Conditions list the invariants that mention the element: keep them in step.
    const condition = new Set(target.condition ?? []);
    for (const c of added) {
      condition.add(c.key as string);
    }
    target.condition = [...condition];
  }

  sortKeysInPlace(target);
}

/**
 * The R4 ElementDefinition property order, so generated JSON reads like any published
 * snapshot and does not depend on the order keys were set in.
 */
const ELEMENT_KEY_ORDER = [
  'id',
  'extension',
  'modifierExtension',
  'path',
  'representation',
  'sliceName',
  'sliceIsConstraining',
  'label',
  'code',
  'slicing',
  'short',
  'definition',
  'comment',
  'requirements',
  'alias',
  'min',
  'max',
  'base',
  'contentReference',
  'type',
  'defaultValue',
  'meaningWhenMissing',
  'orderMeaning',
  'fixed',
  'pattern',
  'example',
  'minValue',
  'maxValue',
  'maxLength',
  'condition',
  'constraint',
  'mustSupport',
  'isModifier',
  'isModifierReason',
  'isSummary',
  'binding',
  'mapping',
];

/** Rank of a key in ELEMENT_KEY_ORDER (choice keys such as `patternCodeableConcept` by prefix). */
function keyRank(key: string): number {
  const exact = ELEMENT_KEY_ORDER.indexOf(key);
  if (exact >= 0) {
    return exact;
  }
  for (const prefix of ['defaultValue', 'fixed', 'pattern', 'minValue', 'maxValue']) {
    if (key.startsWith(prefix)) {
      return ELEMENT_KEY_ORDER.indexOf(prefix);
    }
  }
  return ELEMENT_KEY_ORDER.length;
}

/** Puts the keys of `element` in R4 order (a stable sort: unknown keys keep their order, last). */
export function sortKeysInPlace(element: ElementDefinition): void {
  const record = element as unknown as Record<string, unknown>;
  const entries = Object.entries(record).sort(([a], [b]) => keyRank(a) - keyRank(b));
  for (const [key] of entries) {
    delete record[key];
  }
  for (const [key, value] of entries) {
    record[key] = value;
  }
}
