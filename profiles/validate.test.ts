import { OperationOutcomeError, getResourceTypes, validateResource } from '@medplum/core';
import type { Bundle, CarePlan, OperationOutcomeIssue, Patient, Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { CODE_SYSTEM, EXTENSION, FR_SYSTEM } from './canonical.js';
import { allProfiles, indexDefinitions, profileFor, profileIssues, validateAgainstProfiles, validateBundleEntries } from './index.js';

const carePlan: CarePlan = {
  resourceType: 'CarePlan',
  identifier: [{ system: 'https://fhir.passerelle.fr/sid/dac-doubs/case', value: 'DOS-1' }],
  status: 'active',
  intent: 'plan',
  category: [{ coding: [{ system: CODE_SYSTEM.carePlanCategory, code: 'pps' }] }],
  subject: { reference: 'Patient/p1' },
  activity: [
    {
      extension: [
        {
          url: EXTENSION.origin,
          extension: [
            { url: 'client', valueString: 'dac-doubs' },
            { url: 'id', valueString: 'A1' },
          ],
        },
      ],
      detail: { code: { coding: [{ system: CODE_SYSTEM.actionKind, code: 'soin' }] }, status: 'scheduled' },
    },
  ],
};

const patient: Patient = {
  resourceType: 'Patient',
  identifier: [
    {
      use: 'official',
      type: { coding: [{ system: FR_SYSTEM.frCoreIdentifierType, code: 'INS-NIR' }] },
      system: FR_SYSTEM.insNir,
      value: '279035121518989',
    },
  ],
  name: [{ family: 'DUPONT' }],
};

/** The issues Medplum reports when given the profile directly (re-parsed on each call). */
function uncachedIssues(resource: Resource): OperationOutcomeIssue[] {
  const profile = profileFor(resource.resourceType);
  try {
    return validateResource(resource, { profile });
  } catch (err) {
    if (err instanceof OperationOutcomeError) {
      return err.outcome.issue ?? [];
    }
    throw err;
  }
}

/** Resources exercising every kind of check: valid, cardinality, pattern, slices, invariants. */
const samples: Resource[] = [
  carePlan,
  { ...carePlan, intent: 'order', category: [{ text: 'autre' }] },
  { ...carePlan, subject: undefined, activity: [{ detail: { status: 'scheduled', code: { text: 'x' } } }] } as unknown as CarePlan,
  patient,
  { ...patient, identifier: [{ ...patient.identifier![0]!, use: 'usual' }, { ...patient.identifier![0]! }] },
  { ...patient, identifier: undefined, name: [{ given: ['Jeanne'] }] },
];

describe('cached profile validation', () => {
  it.each(samples.map((r, i) => [i, r] as const))('finds the same profile issues as validateResource(r, { profile }) (sample %i)', (_i, resource) => {
    indexDefinitions();
    const key = (i: OperationOutcomeIssue) => JSON.stringify([i.severity, i.code, i.details?.text, i.expression]);
    const cached = profileIssues(resource).map(key);
    for (const issue of uncachedIssues(resource).map(key)) {
      expect(cached).toContain(issue);
    }
  });

  it('does not make our profiles look like resource types', () => {
    indexDefinitions();
    const types = getResourceTypes() as string[];
    expect(types).toContain('CarePlan');
    for (const sd of allProfiles) {
      expect(types).not.toContain(sd.name);
      expect(types).not.toContain(sd.url);
    }
  });
});

describe('validateAgainstProfiles', () => {
  it('returns without error for a valid resource', () => {
    expect(validateAgainstProfiles(carePlan).filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('reports every fault at once, base R4 and profile, each with its path', () => {
    const faulty = { ...carePlan, status: 'ongoing', intent: 'order', subject: undefined } as unknown as CarePlan;
    let outcome;
    try {
      validateAgainstProfiles(faulty);
    } catch (err) {
      outcome = (err as OperationOutcomeError).outcome;
    }
    const paths = outcome?.issue?.filter((i) => i.severity === 'error').map((i) => i.expression?.[0]);
    expect(paths).toEqual(expect.arrayContaining(['CarePlan.subject', 'CarePlan.intent']));
    expect(outcome?.issue?.length).toBe(new Set(outcome?.issue?.map((i) => JSON.stringify(i))).size);
  });

  it('validates our extensions against their definitions, at the path where they sit', () => {
    const wrongOrigin = structuredClone(carePlan);
    wrongOrigin.activity![0]!.extension![0]!.extension!.push({ url: 'owner', valueString: 'x' });
    const issues = profileIssues(wrongOrigin).filter((i) => i.severity === 'error');
    expect(issues).toContainEqual(
      expect.objectContaining({
        expression: ['CarePlan.activity[0].extension[0]'],
        details: { text: expect.stringMatching(/psl-origin-1/) },
      }),
    );
  });

  it('leaves resources without a Passerelle profile to base R4', () => {
    expect(() => validateAgainstProfiles({ resourceType: 'Encounter', status: 'finished', class: { code: 'IMP' } })).not.toThrow();
    expect(() => validateAgainstProfiles({ resourceType: 'Encounter', status: 'done' } as unknown as Resource)).toThrow(OperationOutcomeError);
  });
});

describe('validateBundleEntries', () => {
  const bundle = (planSubject: string): Bundle => ({
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { fullUrl: 'urn:uuid:6f1c0c52-0f7e-4d8f-9d8a-1a3c7d0e2b11', resource: patient, request: { method: 'POST', url: 'Patient' } },
      { fullUrl: 'urn:uuid:0b7a2a36-3d9f-4a53-8f2f-2f4f3f3c9e21', resource: { ...carePlan, subject: { reference: planSubject } } },
    ],
  });

  it('checks the type of references between entries of a transaction', () => {
    expect(validateBundleEntries(bundle('urn:uuid:6f1c0c52-0f7e-4d8f-9d8a-1a3c7d0e2b11'))).toEqual([]);
    // The plan's subject pointing at the plan itself is a CarePlan, not a Patient.
    const warnings = validateBundleEntries(bundle('urn:uuid:0b7a2a36-3d9f-4a53-8f2f-2f4f3f3c9e21'));
    expect(warnings).toContainEqual(
      expect.objectContaining({ severity: 'warning', expression: ['Bundle.entry[1].resource.CarePlan.subject'] }),
    );
  });

  it('throws with the entry of each faulty resource in the path', () => {
    const broken = bundle('urn:uuid:6f1c0c52-0f7e-4d8f-9d8a-1a3c7d0e2b11');
    (broken.entry![1]!.resource as CarePlan).intent = 'order';
    expect(() => validateBundleEntries(broken)).toThrow(OperationOutcomeError);
    try {
      validateBundleEntries(broken);
    } catch (err) {
      const paths = (err as OperationOutcomeError).outcome.issue?.map((i) => i.expression?.[0]);
      expect(paths).toContain('Bundle.entry[1].resource.CarePlan.intent');
    }
  });
});
