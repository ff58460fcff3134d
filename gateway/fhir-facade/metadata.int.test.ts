/**
 * `/fhir/metadata` tells the truth: every search parameter, `_include` and `_revinclude` it
 * lists is tried against a real store, and must find the seeded resource. A parameter added
 * to the table without an example here fails this test, so the statement cannot drift.
 */
import type { Bundle, CapabilityStatement } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODE_SYSTEM, FR_SYSTEM } from '../../profiles/canonical.js';
import { entriesOf, refsOf, startFacadeFixture, type FacadeFixture } from './testing/fixture.js';
import { TEST_SYSTEM, TENANT_A, type SeedIds } from './testing/seed.js';

let fx: FacadeFixture;
let statement: CapabilityStatement;
let facadeResources: NonNullable<NonNullable<CapabilityStatement['rest']>[number]['resource']>;

beforeAll(async () => {
  fx = await startFacadeFixture();
  const res = await fx.request('/fhir/metadata', { key: null });
  statement = (await res.json()) as CapabilityStatement;
  // Subscription is served by subscriptions.ts, not read from the store: these tests cover the store-backed types.
  facadeResources = (statement.rest?.[0]?.resource ?? []).filter((r) => r.type !== 'Subscription');
});

afterAll(async () => {
  await fx?.close();
});

type Ids = SeedIds['a'];

/** The seeded resource each type's examples must find. */
const RICH: Record<string, (ids: Ids) => string> = {
  Patient: (ids) => ids.patient, CarePlan: (ids) => ids.plan, CareTeam: (ids) => ids.careTeam,
  ServiceRequest: (ids) => ids.serviceRequest, Organization: (ids) => ids.org, Practitioner: (ids) => ids.practitioner,
  PractitionerRole: (ids) => ids.role, Encounter: (ids) => ids.encounter, Task: (ids) => ids.task, Goal: (ids) => ids.goal,
  Condition: (ids) => ids.condition,
};

const common = (type: string): Record<string, (ids: Ids) => string> => ({
  _id: (ids) => RICH[type]!(ids),
  _lastUpdated: () => 'ge2020-01-01',
  _tag: () => `${CODE_SYSTEM.owner}|${TENANT_A.clientId}`,
});
const id = (value: string) => () => `${TEST_SYSTEM}|${value}`;
const patient = (ids: Ids) => `Patient/${ids.patient}`;

/** A value of each listed search parameter that matches the type's seeded resource. */
const EXAMPLES: Record<string, Record<string, (ids: Ids) => string>> = {
  Patient: {
    ...common('Patient'), identifier: () => `${FR_SYSTEM.insNirTest}|242037501234567`, name: () => 'jean', family: () => 'Durand',
    given: () => 'Jeanne', birthdate: () => '1942-03-04', gender: () => 'female', active: () => 'true',
    'general-practitioner': (ids) => `Practitioner/${ids.practitioner}`, organization: (ids) => `Organization/${ids.org}`,
  },
  CarePlan: {
    ...common('CarePlan'), identifier: id('a-plan'), subject: patient, patient, status: () => 'active', intent: () => 'plan',
    category: () => `${CODE_SYSTEM.carePlanCategory}|pps`, date: () => 'ge2026-06-01', 'care-team': (ids) => `CareTeam/${ids.careTeam}`,
    goal: (ids) => `Goal/${ids.goal}`, condition: (ids) => `Condition/${ids.condition}`, performer: (ids) => `Practitioner/${ids.practitioner}`,
    'activity-reference': (ids) => `ServiceRequest/${ids.serviceRequest}`, 'based-on': (ids) => `CarePlan/${ids.planPrevious}`,
  },
  CareTeam: {
    ...common('CareTeam'), identifier: id('a-team'), subject: patient, patient, status: () => 'active', category: () => 'http://loinc.org|LA27976-2',
    date: () => 'ge2026-01-01', participant: (ids) => `Practitioner/${ids.practitioner}`, encounter: (ids) => `Encounter/${ids.encounter}`,
  },
  ServiceRequest: {
    ...common('ServiceRequest'), identifier: id('a-request'), subject: patient, patient, status: () => 'active', intent: () => 'order',
    category: () => `${CODE_SYSTEM.requestType}|demande-appui`, code: () => 'demande-appui', priority: () => 'routine', authored: () => '2026-09',
    requester: (ids) => `Practitioner/${ids.practitioner}`, performer: (ids) => `Organization/${ids.org}`, encounter: (ids) => `Encounter/${ids.encounter}`,
    'based-on': (ids) => `CarePlan/${ids.planPrevious}`,
  },
  Organization: {
    ...common('Organization'), identifier: () => `${FR_SYSTEM.finess}|250000015`, name: () => 'ehpad les', type: () => `${CODE_SYSTEM.organizationKind}|ehpad`,
    active: () => 'true', partof: (ids) => `Organization/${ids.orgParent}`,
  },
  Practitioner: {
    ...common('Practitioner'), identifier: () => `${FR_SYSTEM.rpps}|10000000001`, name: () => 'martin', family: () => 'Martin', given: () => 'claire',
    active: () => 'true',
  },
  PractitionerRole: {
    ...common('PractitionerRole'), identifier: id('a-role'), role: () => `${CODE_SYSTEM.profession}|medecin`, specialty: () => 'geriatrie',
    active: () => 'true', practitioner: (ids) => `Practitioner/${ids.practitioner}`, organization: (ids) => `Organization/${ids.org}`,
  },
  Encounter: {
    ...common('Encounter'), identifier: id('a-encounter'), subject: patient, patient, status: () => 'finished', class: () => 'IMP',
    date: () => 'ge2026-10-02', 'service-provider': (ids) => `Organization/${ids.org}`, 'based-on': (ids) => `ServiceRequest/${ids.serviceRequest}`,
    participant: (ids) => `Practitioner/${ids.practitioner}`,
  },
  Task: {
    ...common('Task'), identifier: id('a-task'), status: () => 'requested', 'business-status': () => 'a-planifier', intent: () => 'order',
    code: () => 'fulfill', priority: () => 'urgent', 'authored-on': () => '2026-10-02', modified: () => 'lt2026-10-04', subject: patient, patient,
    focus: (ids) => `CarePlan/${ids.plan}`, owner: (ids) => `Practitioner/${ids.practitioner}`, requester: (ids) => `Organization/${ids.org}`,
    'based-on': (ids) => `CarePlan/${ids.plan}`, 'part-of': (ids) => `Task/${ids.parentTask}`,
  },
  Goal: {
    ...common('Goal'), identifier: id('a-goal'), subject: patient, patient, 'lifecycle-status': () => 'active', 'achievement-status': () => 'in-progress',
    category: () => 'maintien-domicile', 'start-date': () => '2026-01-01', 'target-date': () => 'le2026-12-31',
  },
  Condition: {
    ...common('Condition'), identifier: id('a-condition'), subject: patient, patient, 'clinical-status': () => 'active',
    'verification-status': () => 'confirmed', category: () => 'problem-list-item', code: () => `${CODE_SYSTEM.problemDomain}|autonomie`,
    'onset-date': () => '2025-01-01', 'recorded-date': () => 'ge2025-02-01', encounter: (ids) => `Encounter/${ids.encounter}`,
  },
};

async function search(path: string): Promise<Bundle> {
  const { status, body } = await fx.getJson<Bundle>(path);
  expect(status, path).toBe(200);
  return body;
}

describe('/fhir/metadata', () => {
  it('is public, FHIR JSON, and lists the facade\'s types', () => {
    expect(statement.resourceType).toBe('CapabilityStatement');
    expect(facadeResources.length).toBe(Object.keys(RICH).length);
  });

  it('lists only search parameters that find what they should', async () => {
    let tried = 0;
    for (const resource of facadeResources) {
      const examples = EXAMPLES[resource.type];
      expect(examples, resource.type).toBeDefined();
      const expected = `${resource.type}/${RICH[resource.type]!(fx.ids.a)}`;
      for (const param of resource.searchParam ?? []) {
        const example = examples?.[param.name];
        expect(example, `no example for ${resource.type}.${param.name}`).toBeDefined();
        const query = new URLSearchParams({ [param.name]: example!(fx.ids.a), _count: '100' });
        const bundle = await search(`/fhir/${resource.type}?${query}`);
        expect(refsOf(entriesOf(bundle)), `${resource.type}?${param.name}=${example!(fx.ids.a)}`).toContain(expected);
        tried++;
      }
    }
    expect(tried).toBeGreaterThan(100);
  });

  it('lists only _include values that include something', async () => {
    for (const resource of facadeResources) {
      const rich = RICH[resource.type]!(fx.ids.a);
      for (const include of resource.searchInclude ?? []) {
        const bundle = await search(`/fhir/${resource.type}?_id=${rich}&_include=${include}`);
        expect(entriesOf(bundle, 'include').length, `${resource.type}?_include=${include}`).toBeGreaterThan(0);
      }
    }
  });

  it('lists only _revinclude values that include something from a type they point at', async () => {
    // Each include X:param points at seeded resources; from those, X:param as a revinclude finds the X back.
    for (const resource of facadeResources) {
      const rich = RICH[resource.type]!(fx.ids.a);
      for (const include of resource.searchInclude ?? []) {
        const forward = await search(`/fhir/${resource.type}?_id=${rich}&_include=${include}`);
        const target = entriesOf(forward, 'include')[0]!;
        const back = await search(`/fhir/${target.resourceType}?_id=${target.id}&_revinclude=${include}`);
        expect(refsOf(entriesOf(back, 'include')), `${target.resourceType}?_revinclude=${include}`).toContain(`${resource.type}/${rich}`);
        const listed = statement.rest?.[0]?.resource?.find((r) => r.type === target.resourceType)?.searchRevInclude;
        expect(listed, `${target.resourceType} lists ${include}`).toContain(include);
      }
    }
  });
});
