/**
 * Test support: the resources of the mappers' golden transaction Bundles (valid by
 * construction) and random corruptions of them (fast-check), for the properties that compare
 * two validators (`validation-equivalence.test.ts`, `validator-patch.test.ts`).
 */
import type { Bundle, Resource } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';

const GOLDEN_DIRS = ['../../mappings/case/__golden__/', '../../mappings/adt/__golden__/'];

/** Every resource of the mappers' golden transaction Bundles (valid by construction). */
export function goldenResources(): Resource[] {
  const resources: Resource[] = [];
  for (const dir of GOLDEN_DIRS) {
    const url = new URL(dir, import.meta.url);
    for (const file of readdirSync(url).filter((f) => f.endsWith('.json'))) {
      const bundle = JSON.parse(readFileSync(new URL(file, url), 'utf8')) as Bundle;
      for (const entry of bundle.entry ?? []) if (entry.resource) resources.push(entry.resource);
    }
  }
  return resources;
}

type Json = Record<string, unknown> | unknown[];
interface Slot {
  parent: Json;
  key: string | number;
}

/** Every property and array item below the root (except `resourceType`), and every object. */
function slotsOf(root: Record<string, unknown>): { slots: Slot[]; objects: Record<string, unknown>[] } {
  const slots: Slot[] = [];
  const objects: Record<string, unknown>[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        slots.push({ parent: value, key: i });
        visit(item);
      });
    } else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      objects.push(record);
      for (const [key, child] of Object.entries(record)) {
        if (record === root && key === 'resourceType') continue;
        slots.push({ parent: record, key });
        visit(child);
      }
    }
  };
  visit(root);
  return { slots, objects };
}

function get(slot: Slot): unknown {
  return Array.isArray(slot.parent) ? slot.parent[slot.key as number] : slot.parent[slot.key as string];
}

function set(slot: Slot, value: unknown): void {
  if (Array.isArray(slot.parent)) slot.parent[slot.key as number] = value;
  else slot.parent[slot.key as string] = value;
}

function remove(slot: Slot): void {
  if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
  else delete slot.parent[slot.key as string];
}

const WRONG_VALUES: unknown[] = [42, 1.5, -1, true, 'x', '', {}, { a: 1 }, [], ['x'], [{}], null, { value: 'x' }];
const BAD_STRINGS = ['zz-bogus', 'Not A Code', ' ', '', 'female ', '2024-13-45', '20240101', '1950-02-30T25:00', 'bad id!', 'x'.repeat(65), '25:61:00', 'urn:uuid:nope', '\u0001'];
const BAD_DATES = ['2024-13-45', 'yesterday', '2024-02-30', '2024-01-01T10:00', '2024-01-01 10:00:00Z', '99', '2024-1-1'];
const DATE_KEY = /date|time|start|end|recorded|updated|issued|birth|occurred|authored|created|instant/i;
const EXTRA_KEYS = ['foo', 'unknownElement', 'valueBogus', '_status', 'statusX', 'extension2', 'Id'];

/** Breaks an FHIR invariant (ext-1, per-1, dom-2/3/4/5, cpl-3, ref-1…) where one applies. */
function breakInvariant(root: Record<string, unknown>, target: Record<string, unknown>, choice: number): void {
  const valueKey = Object.keys(target).find((k) => /^value[A-Z]/.test(k));
  if (typeof target.url === 'string' && choice % 2 === 0) {
    if (valueKey) target.extension = [{ url: 'https://example.org/x', valueString: 'y' }];
    else delete target.extension;
    return;
  }
  if ('start' in target || 'end' in target) {
    target.start = '2030-01-01';
    target.end = '2020-01-01';
    return;
  }
  if ('detail' in target) {
    target.reference = { reference: 'Task/1' };
    return;
  }
  if ('reference' in target && choice % 3 === 0) {
    target.reference = '#missing';
    return;
  }
  const contained = [
    { resourceType: 'Patient', id: 'c1', meta: { versionId: '1' } },
    { resourceType: 'Patient', id: 'c2', contained: [{ resourceType: 'Patient', id: 'c3' }] },
    { resourceType: 'Patient', id: 'c4', text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' } },
    { resourceType: 'Patient', id: 'c5', meta: { lastUpdated: '2024-01-01T00:00:00Z' } },
  ];
  root.contained = [contained[choice % contained.length]];
}

export interface Mutation {
  kind: 'wrongType' | 'remove' | 'badString' | 'badDate' | 'extraProperty' | 'cardinality' | 'invariant' | 'empty';
  at: number;
  choice: number;
}

export const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('wrongType', 'remove', 'badString', 'badDate', 'extraProperty', 'cardinality', 'invariant', 'empty'),
  at: fc.nat(),
  choice: fc.nat(),
});

function pick<T>(items: T[], n: number): T | undefined {
  return items.length ? items[n % items.length] : undefined;
}

/** Applies one corruption to `root` in place. */
export function corrupt(root: Record<string, unknown>, { kind, at, choice }: Mutation): void {
  const { slots, objects } = slotsOf(root);
  const strings = slots.filter((s) => typeof get(s) === 'string');
  switch (kind) {
    case 'wrongType': {
      const slot = pick(slots, at);
      // A copy: the shared constants must not be corrupted in turn by a later mutation.
      if (slot) set(slot, structuredClone(WRONG_VALUES[choice % WRONG_VALUES.length]));
      return;
    }
    case 'remove': {
      const slot = pick(slots, at);
      if (slot) remove(slot);
      return;
    }
    case 'badString': {
      const slot = pick(strings, at);
      if (slot) set(slot, BAD_STRINGS[choice % BAD_STRINGS.length]);
      return;
    }
    case 'badDate': {
      const slot = pick(
        strings.filter((s) => DATE_KEY.test(String(s.key)) || s.key === 'id'),
        at,
      );
      if (slot) set(slot, slot.key === 'id' ? 'bad id!' : BAD_DATES[choice % BAD_DATES.length]);
      return;
    }
    case 'extraProperty': {
      const target = pick(objects, at);
      if (target) target[EXTRA_KEYS[choice % EXTRA_KEYS.length] ?? 'foo'] = choice % 2 ? 'x' : { y: 1 };
      return;
    }
    case 'cardinality': {
      const slot = pick(
        slots.filter((s) => !Array.isArray(s.parent)),
        at,
      );
      if (!slot) return;
      const value = get(slot);
      // an array unwrapped, a single value wrapped, or a repeated element duplicated (max, slices)
      if (Array.isArray(value)) set(slot, choice % 2 ? value[0] : [...value, ...value]);
      else set(slot, [value, value]);
      return;
    }
    case 'invariant': {
      const target = pick(objects, at);
      if (target) breakInvariant(root, target, choice);
      return;
    }
    case 'empty': {
      const slot = pick(
        slots.filter((s) => typeof get(s) === 'object'),
        at,
      );
      if (slot) set(slot, Array.isArray(get(slot)) ? [] : {});
      return;
    }
  }
}
