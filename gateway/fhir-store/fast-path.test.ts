import { evalFhirPathTyped, toTypedValue } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadR4Definitions } from './definitions.js';
import { compileExtractor } from './fast-path.js';
import { indexedParams } from './search-params.js';

const SAMPLES: Resource[] = [
  {
    resourceType: 'Patient',
    id: 'p1',
    meta: { tag: [{ system: 's', code: 'c' }], profile: ['https://example.org/p'], source: 'urn:src' },
    identifier: [{ system: 'urn:oid:1.2.250.1.213.1.4.8', value: '1' }, { value: 'no-system', type: { text: 'local' } }],
    active: true,
    name: [{ family: 'Dupont', given: ['Jean', 'Pierre'], prefix: ['M.'] }, { text: 'JP Dupont' }],
    telecom: [{ system: 'phone', value: '0102' }, { system: 'email', value: 'A@B.fr' }],
    gender: 'male',
    birthDate: '1950-01-02',
    deceasedDateTime: '2020-03-04T10:00:00+01:00',
    address: [{ line: ['1 rue X'], city: 'Paris', postalCode: '75001', country: 'FR', use: 'home' }],
    generalPractitioner: [{ reference: 'Practitioner/gp' }, { reference: 'Organization/o', display: 'x' }],
    managingOrganization: { reference: 'Organization/o' },
    communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'fr' }] } }],
    link: [{ other: { reference: 'Patient/p2' }, type: 'seealso' }],
  },
  {
    resourceType: 'CarePlan',
    id: 'cp',
    status: 'active',
    intent: 'plan',
    category: [{ coding: [{ system: 'urn:cat', code: 'pps' }] }],
    subject: { reference: 'Patient/p1' },
    encounter: { reference: 'Encounter/e' },
    period: { start: '2026-01-01', end: '2026-06-30' },
    author: { reference: 'Practitioner/a' },
    careTeam: [{ reference: 'CareTeam/t' }],
    goal: [{ reference: 'Goal/g' }],
    activity: [{ detail: { status: 'scheduled', code: { coding: [{ system: 'urn:act', code: 'visit' }] }, scheduledPeriod: { start: '2026-02-01' }, performer: [{ reference: 'Practitioner/b' }] } }],
  },
  {
    resourceType: 'Task',
    id: 't',
    status: 'requested',
    intent: 'order',
    for: { reference: 'Patient/p1' },
    owner: { reference: 'Organization/o' },
    authoredOn: '2026-01-01T08:00:00Z',
    businessStatus: { text: 'waiting' },
    focus: { reference: 'CarePlan/cp' },
    identifier: [{ system: 'urn:task', value: '9' }],
  },
  {
    resourceType: 'Encounter',
    id: 'e',
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
    subject: { reference: 'Group/g1' },
    participant: [{ individual: { reference: 'Practitioner/pr' } }, { individual: { reference: 'RelatedPerson/rp' } }],
    period: { start: '2026-01-01T10:00:00Z' },
    serviceProvider: { reference: 'Organization/o' },
  },
  {
    resourceType: 'Observation',
    id: 'o',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
    subject: { reference: 'Patient/p1' },
    effectiveDateTime: '2026-01-01T10:00:00Z',
    valueQuantity: { value: 72, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
  },
  {
    resourceType: 'ServiceRequest',
    id: 'sr',
    status: 'active',
    intent: 'order',
    subject: { reference: 'Patient/p1' },
    requester: { reference: 'PractitionerRole/r', type: 'PractitionerRole' },
    performer: [{ identifier: { system: 'urn:rpps', value: '10001' }, type: 'Practitioner' }],
    occurrenceDateTime: '2026-03-01',
    basedOn: [{ reference: 'CarePlan/cp' }],
  },
];

describe('compiled search parameter extractors', () => {
  beforeAll(() => loadR4Definitions());

  it('compile most parameters of the types we store', () => {
    const params = SAMPLES.flatMap((r) => indexedParams(r.resourceType).map((p) => compileExtractor(r.resourceType, p.param.expression ?? '')));
    expect(params.filter(Boolean).length / params.length).toBeGreaterThan(0.8);
  });

  it('return what FHIRPath returns, parameter by parameter', () => {
    let compared = 0;
    for (const resource of SAMPLES) {
      for (const param of indexedParams(resource.resourceType)) {
        const expression = param.param.expression ?? '';
        const compiled = compileExtractor(resource.resourceType, expression);
        if (!compiled) continue;
        const expected = evalFhirPathTyped(expression, [toTypedValue(resource)]);
        const got = compiled.extract(resource);
        // Objects must also carry the same FHIR type; primitives only the same value.
        const key = (values: { type: string; value: unknown }[]): string[] =>
          values.map((v) => (typeof v.value === 'object' ? `${v.type}:` : '') + JSON.stringify(v.value)).sort();
        expect(key(got), `${resource.resourceType}.${param.code}: ${expression}`).toEqual(key(expected));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('keep the FHIR type of complex values (tokens depend on it)', () => {
    const patient = SAMPLES[0] as Resource;
    const identifier = compileExtractor('Patient', 'Patient.identifier')?.extract(patient);
    expect(identifier?.map((v) => v.type)).toEqual(['Identifier', 'Identifier']);
    const value = compileExtractor('Observation', '(Observation.value as Quantity)')?.extract(SAMPLES[4] as Resource);
    expect(value?.map((v) => v.type)).toEqual(['Quantity']);
  });

  it('name the top-level properties their values come from', () => {
    expect([...(compileExtractor('Patient', 'Patient.telecom.where(system=\'phone\')')?.roots ?? [])]).toEqual(['telecom']);
    expect([...(compileExtractor('Patient', 'Patient.name | Patient.address')?.roots ?? [])]).toEqual(['name', 'address']);
    expect([...(compileExtractor('Observation', '(Observation.effective as dateTime)')?.roots ?? [])]).toEqual(['effectiveDateTime']);
    expect([...(compileExtractor('Observation', 'Observation.value')?.roots ?? [])]).toContain('valueQuantity');
  });

  it('leave other expressions to FHIRPath', () => {
    expect(compileExtractor('Patient', 'Patient.deceased.exists() and Patient.deceased != false')).toBeUndefined();
    expect(compileExtractor('Bundle', 'Bundle.entry[0].resource')).toBeUndefined();
  });
});
