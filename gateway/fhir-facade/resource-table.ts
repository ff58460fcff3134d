/**
 * What the `/fhir` facade serves, in one table: resource types, their search parameters,
 * which references `_include` / `_revinclude` can follow, the profile of each type, who may
 * see it (tenant data or the shared directory) and what a client may change by `PUT`.
 * The routes, the query validation, the include resolution, the write policy and the
 * CapabilityStatement all read this table, so what `/fhir/metadata` says is what runs.
 *
 * Every parameter listed here is indexed by the embedded store (token, string, date,
 * reference); `capability-statement.test.ts` checks each against the R4 definitions.
 */
import { PROFILE } from '../../profiles/canonical.js';

export const FACADE_TYPES = [
  'Patient', 'CarePlan', 'CareTeam', 'ServiceRequest', 'Organization', 'Practitioner', 'PractitionerRole',
  'Encounter', 'Task', 'Goal', 'Condition',
] as const;

export type FacadeType = (typeof FACADE_TYPES)[number];

export type SearchParamType = 'token' | 'string' | 'date' | 'reference';

export interface SearchParamSpec {
  readonly code: string;
  readonly type: SearchParamType;
  /** Canonical URL of the R4 SearchParameter. */
  readonly definition: string;
  /** Reference parameters: the FHIRPath yielding the references (`_include` follows it). */
  readonly path?: string;
  /** Reference parameters: the facade types it may point at (what `_include` fetches, where `_revinclude` applies). */
  readonly targets?: readonly FacadeType[];
}

/**
 * `tenant`: personal health data, seen only by clients of the tenant tagged on it.
 * `shared`: the professional directory (RPPS / FINESS entries), written once for every tenant
 * by conditional create, so it carries the tag of whichever tenant wrote it first.
 */
export type Tenancy = 'tenant' | 'shared';

export interface ResourceSpec {
  readonly type: FacadeType;
  readonly tenancy: Tenancy;
  /** Our profile for this type, if we publish one (`supportedProfile`). */
  readonly profile?: string;
  readonly params: readonly SearchParamSpec[];
  /**
   * `PUT` allowed, limited to these element paths (FHIRPath without indices): any other
   * difference from the stored resource is refused.
   */
  readonly updatable?: readonly string[];
  /** What a PUT may do beyond `updatable`, in the CapabilityStatement's words (the rule itself lives in the type's write module). */
  readonly updateRule?: string;
}

const R4 = 'http://hl7.org/fhir/SearchParameter';

/** Parameters every type accepts. `_tag` narrows further; the tenant tag is always added. */
export const COMMON_PARAMS: readonly SearchParamSpec[] = [
  { code: '_id', type: 'token', definition: `${R4}/Resource-id` },
  { code: '_lastUpdated', type: 'date', definition: `${R4}/Resource-lastUpdated` },
  { code: '_tag', type: 'token', definition: `${R4}/Resource-tag` },
];

function token(code: string, id: string): SearchParamSpec {
  return { code, type: 'token', definition: `${R4}/${id}` };
}
function string(code: string, id: string): SearchParamSpec {
  return { code, type: 'string', definition: `${R4}/${id}` };
}
function date(code: string, id: string): SearchParamSpec {
  return { code, type: 'date', definition: `${R4}/${id}` };
}
function reference(code: string, id: string, path: string, targets: readonly FacadeType[]): SearchParamSpec {
  return { code, type: 'reference', definition: `${R4}/${id}`, path, targets };
}

const PERSON_LIKE: readonly FacadeType[] = ['Practitioner', 'PractitionerRole', 'Organization'];
const PERFORMERS: readonly FacadeType[] = ['Practitioner', 'PractitionerRole', 'Organization', 'CareTeam', 'Patient'];
const REQUESTERS: readonly FacadeType[] = ['Practitioner', 'PractitionerRole', 'Organization', 'Patient'];

/** subject + patient of a clinical resource whose subject element is `subjectPath`. */
function subjectParams(type: string, subjectPath: string, subjectId: string, patientId = 'clinical-patient'): SearchParamSpec[] {
  return [
    reference('subject', subjectId, `${type}.${subjectPath}`, ['Patient']),
    reference('patient', patientId, `${type}.${subjectPath}`, ['Patient']),
  ];
}

export const RESOURCES: Readonly<Record<FacadeType, ResourceSpec>> = {
  Patient: {
    type: 'Patient',
    tenancy: 'tenant',
    profile: PROFILE.patient,
    params: [
      token('identifier', 'Patient-identifier'),
      string('name', 'Patient-name'),
      string('family', 'individual-family'),
      string('given', 'individual-given'),
      date('birthdate', 'individual-birthdate'),
      token('gender', 'individual-gender'),
      token('active', 'Patient-active'),
      reference('general-practitioner', 'Patient-general-practitioner', 'Patient.generalPractitioner', PERSON_LIKE),
      reference('organization', 'Patient-organization', 'Patient.managingOrganization', ['Organization']),
    ],
  },
  CarePlan: {
    type: 'CarePlan',
    tenancy: 'tenant',
    profile: PROFILE.carePlan,
    params: [
      token('identifier', 'clinical-identifier'),
      ...subjectParams('CarePlan', 'subject', 'CarePlan-subject'),
      token('status', 'CarePlan-status'),
      token('intent', 'CarePlan-intent'),
      token('category', 'CarePlan-category'),
      date('date', 'clinical-date'),
      reference('care-team', 'CarePlan-care-team', 'CarePlan.careTeam', ['CareTeam']),
      reference('goal', 'CarePlan-goal', 'CarePlan.goal', ['Goal']),
      reference('condition', 'CarePlan-condition', 'CarePlan.addresses', ['Condition']),
      reference('performer', 'CarePlan-performer', 'CarePlan.activity.detail.performer', PERFORMERS),
      reference('activity-reference', 'CarePlan-activity-reference', 'CarePlan.activity.reference', ['Task', 'ServiceRequest']),
      reference('based-on', 'CarePlan-based-on', 'CarePlan.basedOn', ['CarePlan']),
    ],
    // SPEC §4/§5: a FHIR tool may update the status of any plan activity, and add, change or
    // remove its own activities (write-careplan.ts); nothing else.
    updatable: ['CarePlan.activity.detail.status', 'CarePlan.activity.detail.statusReason', 'CarePlan.activity.progress'],
    updateRule: 'A client may also add activities (stamped with its origin, extension element-origin) and change or remove its own; another contributor\'s activity keeps its content and stays in the plan.',
  },
  CareTeam: {
    type: 'CareTeam',
    tenancy: 'tenant',
    profile: PROFILE.careTeam,
    params: [
      token('identifier', 'clinical-identifier'),
      ...subjectParams('CareTeam', 'subject', 'CareTeam-subject'),
      token('status', 'CareTeam-status'),
      token('category', 'CareTeam-category'),
      date('date', 'clinical-date'),
      reference('participant', 'CareTeam-participant', 'CareTeam.participant.member', PERFORMERS),
      reference('encounter', 'CareTeam-encounter', 'CareTeam.encounter', ['Encounter']),
    ],
  },
  ServiceRequest: {
    type: 'ServiceRequest',
    tenancy: 'tenant',
    profile: PROFILE.serviceRequest,
    params: [
      token('identifier', 'clinical-identifier'),
      ...subjectParams('ServiceRequest', 'subject', 'ServiceRequest-subject'),
      token('status', 'ServiceRequest-status'),
      token('intent', 'ServiceRequest-intent'),
      token('category', 'ServiceRequest-category'),
      token('code', 'clinical-code'),
      token('priority', 'ServiceRequest-priority'),
      date('authored', 'ServiceRequest-authored'),
      reference('requester', 'ServiceRequest-requester', 'ServiceRequest.requester', REQUESTERS),
      reference('performer', 'ServiceRequest-performer', 'ServiceRequest.performer', PERFORMERS),
      reference('encounter', 'clinical-encounter', 'ServiceRequest.encounter', ['Encounter']),
      reference('based-on', 'ServiceRequest-based-on', 'ServiceRequest.basedOn', ['CarePlan', 'ServiceRequest']),
    ],
  },
  Organization: {
    type: 'Organization',
    tenancy: 'shared',
    profile: PROFILE.organization,
    params: [
      token('identifier', 'Organization-identifier'),
      string('name', 'Organization-name'),
      token('type', 'Organization-type'),
      token('active', 'Organization-active'),
      reference('partof', 'Organization-partof', 'Organization.partOf', ['Organization']),
    ],
  },
  Practitioner: {
    type: 'Practitioner',
    tenancy: 'shared',
    params: [
      token('identifier', 'Practitioner-identifier'),
      string('name', 'Practitioner-name'),
      string('family', 'individual-family'),
      string('given', 'individual-given'),
      token('active', 'Practitioner-active'),
    ],
  },
  PractitionerRole: {
    type: 'PractitionerRole',
    tenancy: 'shared',
    params: [
      token('identifier', 'PractitionerRole-identifier'),
      token('role', 'PractitionerRole-role'),
      token('specialty', 'PractitionerRole-specialty'),
      token('active', 'PractitionerRole-active'),
      reference('practitioner', 'PractitionerRole-practitioner', 'PractitionerRole.practitioner', ['Practitioner']),
      reference('organization', 'PractitionerRole-organization', 'PractitionerRole.organization', ['Organization']),
    ],
  },
  Encounter: {
    type: 'Encounter',
    tenancy: 'tenant',
    params: [
      token('identifier', 'clinical-identifier'),
      ...subjectParams('Encounter', 'subject', 'Encounter-subject'),
      token('status', 'Encounter-status'),
      token('class', 'Encounter-class'),
      date('date', 'clinical-date'),
      reference('service-provider', 'Encounter-service-provider', 'Encounter.serviceProvider', ['Organization']),
      reference('based-on', 'Encounter-based-on', 'Encounter.basedOn', ['ServiceRequest']),
      reference('participant', 'Encounter-participant', 'Encounter.participant.individual', ['Practitioner', 'PractitionerRole']),
    ],
  },
  Task: {
    type: 'Task',
    tenancy: 'tenant',
    params: [
      token('identifier', 'Task-identifier'),
      token('status', 'Task-status'),
      token('business-status', 'Task-business-status'),
      token('intent', 'Task-intent'),
      token('code', 'Task-code'),
      token('priority', 'Task-priority'),
      date('authored-on', 'Task-authored-on'),
      date('modified', 'Task-modified'),
      ...subjectParams('Task', 'for', 'Task-subject', 'Task-patient'),
      reference('focus', 'Task-focus', 'Task.focus', ['CarePlan', 'ServiceRequest', 'CareTeam', 'Goal', 'Condition', 'Encounter']),
      reference('owner', 'Task-owner', 'Task.owner', PERFORMERS),
      reference('requester', 'Task-requester', 'Task.requester', REQUESTERS),
      reference('based-on', 'Task-based-on', 'Task.basedOn', ['CarePlan', 'ServiceRequest']),
      reference('part-of', 'Task-part-of', 'Task.partOf', ['Task']),
    ],
    // SPEC §4: a FHIR tool may move a Task along (status, outcome, notes, who holds it).
    updatable: ['Task.status', 'Task.statusReason', 'Task.businessStatus', 'Task.note', 'Task.output', 'Task.owner', 'Task.lastModified'],
  },
  Goal: {
    type: 'Goal',
    tenancy: 'tenant',
    params: [
      token('identifier', 'clinical-identifier'),
      reference('subject', 'Goal-subject', 'Goal.subject', ['Patient', 'Organization']),
      reference('patient', 'clinical-patient', 'Goal.subject', ['Patient']),
      token('lifecycle-status', 'Goal-lifecycle-status'),
      token('achievement-status', 'Goal-achievement-status'),
      token('category', 'Goal-category'),
      date('start-date', 'Goal-start-date'),
      date('target-date', 'Goal-target-date'),
    ],
  },
  Condition: {
    type: 'Condition',
    tenancy: 'tenant',
    params: [
      token('identifier', 'clinical-identifier'),
      ...subjectParams('Condition', 'subject', 'Condition-subject'),
      token('clinical-status', 'Condition-clinical-status'),
      token('verification-status', 'Condition-verification-status'),
      token('category', 'Condition-category'),
      token('code', 'clinical-code'),
      date('onset-date', 'Condition-onset-date'),
      date('recorded-date', 'Condition-recorded-date'),
      reference('encounter', 'Condition-encounter', 'Condition.encounter', ['Encounter']),
    ],
  },
};

/** Whether `type` is one of the facade's types (narrows a path segment). */
export function isFacadeType(type: string): type is FacadeType {
  return (FACADE_TYPES as readonly string[]).includes(type);
}

/** Every search parameter of a type, the common ones first. */
export function searchParamsOf(type: FacadeType): readonly SearchParamSpec[] {
  return [...COMMON_PARAMS, ...RESOURCES[type].params];
}

/** One search parameter of a type, or undefined. */
export function searchParam(type: FacadeType, code: string): SearchParamSpec | undefined {
  return searchParamsOf(type).find((p) => p.code === code);
}

/** A reference parameter that `_include` / `_revinclude` can follow. */
export interface IncludeSpec {
  readonly source: FacadeType;
  readonly param: SearchParamSpec & { path: string; targets: readonly FacadeType[] };
}

function referenceParams(type: FacadeType): IncludeSpec[] {
  return RESOURCES[type].params
    .filter((p): p is IncludeSpec['param'] => p.type === 'reference' && p.path !== undefined && p.targets !== undefined)
    .map((param) => ({ source: type, param }));
}

/** `_include` values a search on `type` accepts: each of its reference parameters. */
export function includesOf(type: FacadeType): IncludeSpec[] {
  return referenceParams(type);
}

/** `_revinclude` values a search on `type` accepts: reference parameters of any type that can point at `type`. */
export function revIncludesOf(type: FacadeType): IncludeSpec[] {
  return FACADE_TYPES.flatMap(referenceParams).filter((inc) => inc.param.targets.includes(type));
}

/** The include spec `Source:code`, if `code` is a reference parameter of `source`. */
export function includeSpec(source: FacadeType, code: string): IncludeSpec | undefined {
  return referenceParams(source).find((inc) => inc.param.code === code);
}
