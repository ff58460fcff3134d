/**
 * Every canonical URL and identifier system Passerelle mints or relies on, in one table.
 * Profiles, code systems, mappers and the facade import from here; nothing else spells a URL.
 */

/** Root of everything Passerelle publishes. */
export const PASSERELLE_BASE = 'https://fhir.passerelle.fr';

/**
 * `meta.source` of every version Passerelle writes (stamped by the FHIR client). The change feed
 * skips versions carrying it: Passerelle announced them itself, with the writer as source client.
 * A server may append `#<request id>` to it (HAPI does): match the part before `#`.
 */
export const PASSERELLE_META_SOURCE = `${PASSERELLE_BASE}/gateway`;

export const PROFILE = {
  carePlan: `${PASSERELLE_BASE}/StructureDefinition/passerelle-pps-careplan`,
  careTeam: `${PASSERELLE_BASE}/StructureDefinition/passerelle-coordination-careteam`,
  serviceRequest: `${PASSERELLE_BASE}/StructureDefinition/passerelle-support-request`,
  organization: `${PASSERELLE_BASE}/StructureDefinition/passerelle-organization`,
  patient: `${PASSERELLE_BASE}/StructureDefinition/passerelle-patient`,
} as const;

/** Code systems Passerelle publishes for the closed code lists of the case document. */
export const CODE_SYSTEM = {
  teamRole: `${PASSERELLE_BASE}/CodeSystem/team-role`,
  problemDomain: `${PASSERELLE_BASE}/CodeSystem/problem-domain`,
  actionKind: `${PASSERELLE_BASE}/CodeSystem/action-kind`,
  supportReason: `${PASSERELLE_BASE}/CodeSystem/support-reason`,
  /** Statuses of the case document (French displays); most map onto FHIR status codes. */
  planStatus: `${PASSERELLE_BASE}/CodeSystem/plan-status`,
  actionStatus: `${PASSERELLE_BASE}/CodeSystem/action-status`,
  /** Business status of a support request (finer than ServiceRequest.status). */
  supportRequestStatus: `${PASSERELLE_BASE}/CodeSystem/support-request-status`,
  priority: `${PASSERELLE_BASE}/CodeSystem/priority`,
  /** Identity status of the person (RNIV: provisoire, récupérée, validée, qualifiée). */
  identityStatus: `${PASSERELLE_BASE}/CodeSystem/identity-status`,
  /** Relationship of a family carer to the person (fille, conjoint, …). */
  relationship: `${PASSERELLE_BASE}/CodeSystem/relationship`,
  /** Organization.type of directory entries (DAC, EHPAD, SSIAD…). */
  organizationKind: `${PASSERELLE_BASE}/CodeSystem/organization-kind`,
  /** Practitioner.qualification of directory entries (médecin, infirmier…). */
  profession: `${PASSERELLE_BASE}/CodeSystem/profession`,
  /** CarePlan.category of a PPS / PPCS. */
  carePlanCategory: `${PASSERELLE_BASE}/CodeSystem/careplan-category`,
  /** ServiceRequest.code of a support request (demande d'appui, art. L6327-1 CSP). */
  requestType: `${PASSERELLE_BASE}/CodeSystem/request-type`,
  /** meta.tag system: hash of a case write, keys its Provenance (idempotent replays). */
  caseWrite: `${PASSERELLE_BASE}/CodeSystem/case-write`,
  /** meta.tag system: the tenant (territory) a resource belongs to. */
  tenant: `${PASSERELLE_BASE}/CodeSystem/tenant`,
  /** meta.tag / extension system: the client that owns (wrote) a resource or element. */
  owner: `${PASSERELLE_BASE}/CodeSystem/owner`,
  /** meta.tag system: id of the inbound HL7 v2 message a write came from; keys its Provenance (replays). */
  hl7Message: `${PASSERELLE_BASE}/CodeSystem/hl7-message`,
  /** Encounter.hospitalization.dischargeDisposition: PMSI mode de sortie (0, 6 mutation, 7 transfer, 8 home, 9 death). */
  exitMode: `${PASSERELLE_BASE}/CodeSystem/exit-mode`,
  /** Task.code of the work items Passerelle raises itself (e.g. identity reconciliation). */
  taskCode: `${PASSERELLE_BASE}/CodeSystem/task-code`,
  /** Task.reasonCode of an identity reconciliation Task: why the match was ambiguous. */
  reconciliationReason: `${PASSERELLE_BASE}/CodeSystem/reconciliation-reason`,
  /** Task.input.type of the Tasks Passerelle raises (candidate patient, withheld INS…). */
  taskInputType: `${PASSERELLE_BASE}/CodeSystem/task-input-type`,
} as const;

/** Extensions Passerelle defines. */
export const EXTENSION = {
  /** On a plan element: which client wrote it and under which of its own ids. */
  origin: `${PASSERELLE_BASE}/StructureDefinition/element-origin`,
  /** CarePlan: date the PPS is to be reviewed (no R4 element carries it). */
  planReviewDate: `${PASSERELLE_BASE}/StructureDefinition/plan-review-date`,
  /** ServiceRequest: business status of the support request (like Task.businessStatus). */
  supportRequestStatus: `${PASSERELLE_BASE}/StructureDefinition/support-request-status`,
  /** ServiceRequest: the person's consent to the support request (given, date). */
  supportRequestConsent: `${PASSERELLE_BASE}/StructureDefinition/support-request-consent`,
  /** Patient: an INS whose identity is not qualified — kept, but never as an identifier. */
  unqualifiedIns: `${PASSERELLE_BASE}/StructureDefinition/unqualified-ins`,
  /** Provenance: the request id of the API call that wrote the resources. */
  requestId: `${PASSERELLE_BASE}/StructureDefinition/request-id`,
} as const;

/**
 * SubscriptionTopics Passerelle announces to FHIR clients (R4 Subscriptions Backport): one per
 * outbound event type, e.g. `…/SubscriptionTopic/patient-discharged` for `patient.discharged`.
 */
export function subscriptionTopicUrl(slug: string): string {
  return `${PASSERELLE_BASE}/SubscriptionTopic/${slug}`;
}

/** Canonicals of the HL7 R4 Subscriptions Backport IG (hl7.fhir.uv.subscriptions-backport 1.1). */
export const SUBSCRIPTIONS_BACKPORT = {
  subscriptionProfile: 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription',
  notificationProfile: 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-notification-r4',
  statusProfile: 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-status-r4',
  /** On `Subscription.channel.payload`: `empty`, `id-only` or `full-resource`. */
  payloadContent: 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-payload-content',
  /** On `Subscription.criteria`: search-style filters narrowing the topic. */
  filterCriteria: 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-filter-criteria',
  /** On `CapabilityStatement.rest.resource` (Subscription): a topic the server supports. */
  topicCanonical: 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/capabilitystatement-subscriptiontopic-canonical',
  statusOperation: 'http://hl7.org/fhir/uv/subscriptions-backport/OperationDefinition/backport-subscription-status',
} as const;

/**
 * The namespace of a client's own identifiers for one kind of object, e.g.
 * `https://fhir.passerelle.fr/sid/dac-doubs/case`. Conditional writes key on it.
 */
export function sourceIdentifierSystem(clientId: string, kind: string): string {
  return `${PASSERELLE_BASE}/sid/${encodeURIComponent(clientId)}/${kind}`;
}

/** French national identifier systems (FR Core 2.1 conventions, SPEC §4). */
export const FR_SYSTEM = {
  insNir: 'urn:oid:1.2.250.1.213.1.4.8',
  insNia: 'urn:oid:1.2.250.1.213.1.4.9',
  insNirTest: 'urn:oid:1.2.250.1.213.1.4.10',
  insNirDemo: 'urn:oid:1.2.250.1.213.1.4.11',
  rpps: 'https://rpps.esante.gouv.fr',
  idNatPs: 'urn:oid:1.2.250.1.71.4.2.1',
  finess: 'https://finess.esante.gouv.fr',
  idNatStruct: 'urn:oid:1.2.250.1.71.4.2.2',
  siret: 'https://sirene.fr',
  frCoreIdentifierType: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203',
  v2IdentifierType: 'http://terminology.hl7.org/CodeSystem/v2-0203',
  /** ANS terminologies (TRE) used by the Cercle de soins and Notification d'évènements IGs. */
  treR254TypeEvenement: 'https://mos.esante.gouv.fr/NOS/TRE_R254-TypeEvenement/FHIR/TRE-R254-TypeEvenement',
  treR259ParticipationFunction: 'https://mos.esante.gouv.fr/NOS/TRE_R259-HL7ParticipationFunction/FHIR/TRE-R259-HL7ParticipationFunction',
  treR260RoleClass: 'https://mos.esante.gouv.fr/NOS/TRE_R260-HL7RoleClass/FHIR/TRE-R260-HL7RoleClass',
  /** ANS roles in a care pathway (e.g. 330 "Coordonnateur de parcours"). */
  treR85RolePriseCharge: 'https://mos.esante.gouv.fr/NOS/TRE_R85-RolePriseCharge/FHIR/TRE-R85-RolePriseCharge',
} as const;

/** HL7 terminology systems the mappers use. */
export const HL7_SYSTEM = {
  v3RoleCode: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode',
  v3DataOperation: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation',
  conditionCategory: 'http://terminology.hl7.org/CodeSystem/condition-category',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  provenanceParticipantType: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type',
  loinc: 'http://loinc.org',
  /** Encounter.class (PV1-2 mapped per the HL7 v2-to-FHIR PatientClass map). */
  v3ActCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  /** PV1-2 patient class as sent, when it has no ActCode equivalent. */
  v2PatientClass: 'http://terminology.hl7.org/CodeSystem/v2-0004',
  v3NullFlavor: 'http://terminology.hl7.org/CodeSystem/v3-NullFlavor',
  v3ParticipationType: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  /** Identifier of a URI-named thing (a sending facility known by its OID). */
  uri: 'urn:ietf:rfc:3986',
} as const;

/**
 * The ValueSet holding every code of one of our CodeSystems: same id, under `/ValueSet/`
 * (e.g. `…/CodeSystem/team-role` → `…/ValueSet/team-role`). Profiles bind to these.
 */
export function valueSetOf(codeSystemUrl: string): string {
  const prefix = `${PASSERELLE_BASE}/CodeSystem/`;
  if (!codeSystemUrl.startsWith(prefix)) {
    throw new Error(`Not a Passerelle code system: ${codeSystemUrl}`);
  }
  return `${PASSERELLE_BASE}/ValueSet/${codeSystemUrl.slice(prefix.length)}`;
}
