/**
 * What a `PUT` through the facade may change (SPEC §4/§5): the body is compared with the
 * stored resource, element by element, and every difference outside the type's updatable
 * paths is named (`CarePlan.activity[0].detail.description`), so the client can see exactly
 * what it may not touch. Pure: no I/O.
 */
import { forbidden } from '@medplum/core';
import type { OperationOutcome } from '@medplum/fhirtypes';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Elements of `meta` a client may not change (version and date are the server's to set). */
const PROTECTED_META = ['tag', 'security', 'profile'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with keys sorted: equal for equal FHIR content whatever the key order. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value).sort().filter((k) => value[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** A primitive's extension lives under `_name`: it belongs to the element `name`. */
function elementName(key: string): string {
  return key.startsWith('_') ? key.slice(1) : key;
}

function diff(stored: unknown, submitted: unknown, path: string, plain: string, allowed: ReadonlySet<string>, out: string[]): void {
  if (allowed.has(plain) || canonical(stored) === canonical(submitted)) return;
  if (Array.isArray(stored) && Array.isArray(submitted) && stored.length === submitted.length) {
    stored.forEach((item, i) => diff(item, submitted[i], `${path}[${i}]`, plain, allowed, out));
    return;
  }
  if (isObject(stored) && isObject(submitted)) {
    const keys = [...new Set([...Object.keys(stored), ...Object.keys(submitted)])];
    for (const key of keys) {
      const name = elementName(key);
      diff(stored[key], submitted[key], `${path}.${name}`, `${plain}.${name}`, allowed, out);
    }
    return;
  }
  out.push(path);
}

/**
 * The paths where `submitted` differs from `stored` outside `updatable` (paths without
 * indices, e.g. `Task.status`). `id` and `resourceType` are checked by the caller; `meta` is
 * the server's except its tags, security labels and profiles, which may not change (a body
 * without `meta` keeps the stored one).
 * @example
 *   forbiddenChanges(stored, { ...stored, status: 'completed', description: 'x' }, ['Task.status'])
 *   // → ['Task.description']
 */
export function forbiddenChanges(stored: Record<string, unknown>, submitted: Record<string, unknown>, updatable: readonly string[]): string[] {
  const type = String(stored['resourceType']);
  const allowed = new Set(updatable);
  const out: string[] = [];
  const keys = [...new Set([...Object.keys(stored), ...Object.keys(submitted)])].filter((k) => !['resourceType', 'id', 'meta'].includes(k));
  for (const key of keys) {
    const name = elementName(key);
    diff(stored[key] as Json, submitted[key] as Json, `${type}.${name}`, `${type}.${name}`, allowed, out);
  }
  const submittedMeta = submitted['meta'];
  if (submittedMeta !== undefined) {
    const storedMeta = isObject(stored['meta']) ? stored['meta'] : {};
    const meta = isObject(submittedMeta) ? submittedMeta : {};
    for (const element of PROTECTED_META) {
      if (canonical(storedMeta[element]) !== canonical(meta[element])) out.push(`${type}.meta.${element}`);
    }
  }
  return [...new Set(out)];
}

/** A 403 answer with one issue per refused path, each saying why. */
export function refusedChangesOutcome(refused: readonly { path: string; reason: string }[]): OperationOutcome {
  return {
    ...forbidden,
    issue: refused.map(({ path, reason }) => ({ severity: 'error', code: 'forbidden', details: { text: reason }, expression: [path] })),
  };
}

/** The 403 answer naming every path the client may not change. */
export function forbiddenChangesOutcome(type: string, paths: readonly string[], updatable: readonly string[]): OperationOutcome {
  const may = updatable.map((p) => p.slice(type.length + 1)).join(', ');
  return {
    ...forbidden,
    issue: paths.map((path) => ({
      severity: 'error',
      code: 'forbidden',
      details: { text: `${path} cannot be changed through /fhir; a ${type} may change only: ${may}` },
      expression: [path],
    })),
  };
}
