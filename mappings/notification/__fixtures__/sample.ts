/**
 * Test-only: the sample notification and a way to change one element of a copy, shared by the
 * mapper's tests and the end-to-end test of `$process-message`.
 */
import { readFileSync } from 'node:fs';

/** A JSON value as tests handle it. */
export type Json = unknown;

/** A fresh copy of the sample discharge notification (`notification-discharge.json`). */
export function sampleNotification(): Record<string, Json> {
  return JSON.parse(readFileSync(new URL('./notification-discharge.json', import.meta.url), 'utf8')) as Record<string, Json>;
}

/**
 * Sets the element at `path` (dotted, array indexes as numbers: `entry.2.resource.gender`) of
 * `root`; `undefined` deletes it. Throws when the path does not exist: a test typo fails loudly.
 * @example edit(bundle, 'entry.0.resource.eventCoding.code', 'notification-admit')
 */
export function edit(root: Json, path: string | readonly (string | number)[], value: Json): void {
  const keys = typeof path === 'string' ? path.split('.') : path.map(String);
  let node = root;
  for (const key of keys.slice(0, -1)) {
    if (typeof node !== 'object' || node === null || !(key in node)) throw new Error(`no ${key} in the path ${keys.join('.')}`);
    node = (node as Record<string, Json>)[key];
  }
  if (typeof node !== 'object' || node === null) throw new Error(`cannot set ${keys.join('.')}`);
  const last = keys.at(-1)!;
  if (value === undefined) delete (node as Record<string, Json>)[last];
  else (node as Record<string, Json>)[last] = value;
}
