/**
 * Test data for the facade's integration tests, written straight to the FHIR store: for
 * tenant `doubs`, one resource of every facade type with every searchable element filled (so
 * each advertised search parameter and include has something to find), a few more care
 * plans (for paging), and the shared directory; for tenant `jura`, a patient, a plan, a team
 * and a Task pointing at doubs' plan (which doubs must never see); and an untagged patient.
 */
import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { CODE_SYSTEM, FR_SYSTEM } from '../../../profiles/canonical.js';
import type { FhirClient } from '../../../workers/fhir-client/index.js';

/** Business identifier system of the test data. */
export const TEST_SYSTEM = 'urn:passerelle:test';
export const TENANT_A = { tenant: 'doubs', clientId: 'dac-doubs' } as const;
export const TENANT_B = { tenant: 'jura', clientId: 'dac-jura' } as const;

/** Ids of what was seeded, by role. */
export interface SeedIds {
  a: Record<'org' | 'orgParent' | 'practitioner' | 'role' | 'patient' | 'encounter' | 'condition' | 'goal' | 'careTeam' | 'serviceRequest' | 'plan' | 'planPrevious' | 'task' | 'parentTask' | 'planCrossTenant', string>;
  /** Extra doubs plans of the same patient, for paging. */
  aMorePlans: string[];
  b: Record<'patient' | 'plan' | 'careTeam' | 'taskOnAPlan', string>;
  untaggedPatient: string;
}

function meta(owner: { tenant: string; clientId: string }): Resource['meta'] {
  return { tag: [{ system: CODE_SYSTEM.tenant, code: owner.tenant }, { system: CODE_SYSTEM.owner, code: owner.clientId }] };
}

const code = (system: string, value: string) => ({ coding: [{ system, code: value }] });
const ident = (value: string) => [{ system: TEST_SYSTEM, value }];

/** Writes `resources` (keyed, referencing each other as `urn:uuid:<key>`) in one transaction; returns ids by key. */
async function writeAll(fhir: FhirClient, resources: Record<string, Resource>): Promise<Record<string, string>> {
  const urls = new Map(Object.keys(resources).map((key) => [key, `urn:uuid:${randomUUID()}`]));
  const text = JSON.stringify(resources).replace(/"ref:([A-Za-z]+)"/g, (_, key: string) => JSON.stringify(urls.get(key)));
  const resolved = JSON.parse(text) as Record<string, Resource>;
  const entry: BundleEntry[] = Object.entries(resolved).map(([key, resource]) => ({
    fullUrl: urls.get(key)!,
    resource,
    request: { method: 'POST', url: resource.resourceType },
  }));
  const response = await fhir.transaction({ resourceType: 'Bundle', type: 'transaction', entry } as Bundle);
  const ids: Record<string, string> = {};
  Object.keys(resolved).forEach((key, i) => {
    const id = response.entry?.[i]?.resource?.id;
    if (!id) throw new Error(`seed: no id for ${key}`);
    ids[key] = id;
  });
  return ids;
}

/** `{ reference: 'ref:key' }`, rewritten to the entry's urn:uuid by `writeAll`. */
const ref = (key: string) => ({ reference: `ref:${key}` });

export async function seedTwoTenants(fhir: FhirClient): Promise<SeedIds> {
  const b = await writeAll(fhir, {
    patient: { resourceType: 'Patient', meta: meta(TENANT_B), identifier: ident('b-patient'), name: [{ family: 'Durand', given: ['Paul'] }] },
    careTeam: { resourceType: 'CareTeam', meta: meta(TENANT_B), identifier: ident('b-team'), status: 'active', subject: ref('patient') },
    plan: { resourceType: 'CarePlan', meta: meta(TENANT_B), identifier: ident('b-plan'), status: 'active', intent: 'plan', subject: ref('patient'), careTeam: [ref('careTeam')] },
  });

  const a = meta(TENANT_A);
  const seeded = await writeAll(fhir, {
    orgParent: { resourceType: 'Organization', meta: a, identifier: ident('a-org-parent'), name: 'Groupe Hospitalier Nord' },
    org: {
      resourceType: 'Organization', meta: a, identifier: [{ system: FR_SYSTEM.finess, value: '250000015' }], name: 'EHPAD Les Tilleuls',
      active: true, type: [code(CODE_SYSTEM.organizationKind, 'ehpad')], partOf: ref('orgParent'),
    },
    practitioner: {
      resourceType: 'Practitioner', meta: a, identifier: [{ system: FR_SYSTEM.rpps, value: '10000000001' }], active: true,
      name: [{ family: 'Martin', given: ['Claire'] }],
    },
    role: {
      resourceType: 'PractitionerRole', meta: a, identifier: ident('a-role'), active: true, practitioner: ref('practitioner'), organization: ref('org'),
      code: [code(CODE_SYSTEM.profession, 'medecin')], specialty: [code('urn:passerelle:test:specialty', 'geriatrie')],
    },
    patient: {
      resourceType: 'Patient', meta: a, identifier: [{ system: FR_SYSTEM.insNirTest, value: '242037501234567' }], active: true,
      name: [{ family: 'Durand', given: ['Jeanne'] }], gender: 'female', birthDate: '1942-03-04',
      generalPractitioner: [ref('practitioner')], managingOrganization: ref('org'),
    },
    encounter: {
      resourceType: 'Encounter', meta: a, identifier: ident('a-encounter'), status: 'finished', subject: ref('patient'),
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
      period: { start: '2026-10-01T08:00:00Z', end: '2026-10-05T17:00:00Z' }, serviceProvider: ref('org'),
      basedOn: [ref('serviceRequest')], participant: [{ individual: ref('practitioner') }],
    },
    condition: {
      resourceType: 'Condition', meta: a, identifier: ident('a-condition'), subject: ref('patient'), encounter: ref('encounter'),
      clinicalStatus: code('http://terminology.hl7.org/CodeSystem/condition-clinical', 'active'),
      verificationStatus: code('http://terminology.hl7.org/CodeSystem/condition-ver-status', 'confirmed'),
      category: [code('http://terminology.hl7.org/CodeSystem/condition-category', 'problem-list-item')],
      code: code(CODE_SYSTEM.problemDomain, 'autonomie'), onsetDateTime: '2025-01-01', recordedDate: '2025-02-01',
    },
    goal: {
      resourceType: 'Goal', meta: a, identifier: ident('a-goal'), lifecycleStatus: 'active', subject: ref('patient'),
      achievementStatus: code('http://terminology.hl7.org/CodeSystem/goal-achievement', 'in-progress'),
      category: [code('urn:passerelle:test:goal-category', 'maintien-domicile')], description: { text: 'Rester à domicile' },
      startDate: '2026-01-01', target: [{ dueDate: '2026-12-31' }],
    },
    careTeam: {
      resourceType: 'CareTeam', meta: a, identifier: ident('a-team'), status: 'active', subject: ref('patient'), encounter: ref('encounter'),
      category: [code('http://loinc.org', 'LA27976-2')], period: { start: '2026-01-01' }, participant: [{ member: ref('practitioner') }],
    },
    serviceRequest: {
      resourceType: 'ServiceRequest', meta: a, identifier: ident('a-request'), status: 'active', intent: 'order', priority: 'routine',
      subject: ref('patient'), category: [code(CODE_SYSTEM.requestType, 'demande-appui')], code: code(CODE_SYSTEM.requestType, 'demande-appui'),
      authoredOn: '2026-09-15', requester: ref('practitioner'), performer: [ref('org')], encounter: ref('encounter'), basedOn: [ref('planPrevious')],
    },
    planPrevious: { resourceType: 'CarePlan', meta: a, identifier: ident('a-plan-previous'), status: 'revoked', intent: 'plan', subject: ref('patient') },
    plan: {
      resourceType: 'CarePlan', meta: a, identifier: ident('a-plan'), status: 'active', intent: 'plan', subject: ref('patient'),
      category: [code(CODE_SYSTEM.carePlanCategory, 'pps')], period: { start: '2026-01-01', end: '2026-12-31' },
      careTeam: [ref('careTeam')], goal: [ref('goal')], addresses: [ref('condition')], basedOn: [ref('planPrevious')],
      activity: [
        { detail: { status: 'in-progress', description: 'Passage infirmier quotidien', performer: [ref('practitioner')] } },
        { reference: ref('serviceRequest') },
      ],
    },
    parentTask: { resourceType: 'Task', meta: a, identifier: ident('a-task-parent'), status: 'in-progress', intent: 'order', for: ref('patient') },
    task: {
      resourceType: 'Task', meta: a, identifier: ident('a-task'), status: 'requested', intent: 'order', priority: 'urgent',
      businessStatus: { text: 'à planifier', coding: [{ system: 'urn:passerelle:test:task-status', code: 'a-planifier' }] },
      code: code('http://hl7.org/fhir/CodeSystem/task-code', 'fulfill'), for: ref('patient'), focus: ref('plan'), owner: ref('practitioner'),
      requester: ref('org'), basedOn: [ref('plan')], partOf: [ref('parentTask')], authoredOn: '2026-10-02T10:00:00Z', lastModified: '2026-10-03T10:00:00Z',
      description: 'Organiser le passage infirmier',
    },
    // A doubs plan whose team is jura's: including it must not reveal jura's team.
    planCrossTenant: {
      resourceType: 'CarePlan', meta: a, identifier: ident('a-plan-cross'), status: 'draft', intent: 'plan', subject: ref('patient'),
      careTeam: [{ reference: `CareTeam/${b['careTeam']}` }],
    },
  });

  const morePlans = await writeAll(fhir, Object.fromEntries(['m1', 'm2', 'm3'].map((key) => [key, {
    resourceType: 'CarePlan', meta: a, identifier: ident(`a-plan-${key}`), status: 'completed', intent: 'plan',
    subject: { reference: `Patient/${seeded['patient']}` },
  } as Resource])));

  const crossing = await writeAll(fhir, {
    taskOnAPlan: {
      resourceType: 'Task', meta: meta(TENANT_B), identifier: ident('b-task'), status: 'requested', intent: 'order',
      focus: { reference: `CarePlan/${seeded['plan']}` },
    },
    untagged: { resourceType: 'Patient', identifier: ident('untagged'), name: [{ family: 'Sans-Tag' }] },
  });

  return {
    a: seeded as SeedIds['a'],
    aMorePlans: Object.values(morePlans),
    b: { ...(b as Pick<SeedIds['b'], 'patient' | 'plan' | 'careTeam'>), taskOnAPlan: crossing['taskOnAPlan']! },
    untaggedPatient: crossing['untagged']!,
  };
}
