/**
 * Every canonical URL and identifier system Passerelle mints or relies on, in one table.
 * Profiles, code systems, mappers and the facade import from here; nothing else spells a URL.
 */

/** Root of everything Passerelle publishes. */
export const PASSERELLE_BASE = 'https://fhir.passerelle.fr';

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
  /** meta.tag system: the tenant (territory) a resource belongs to. */
  tenant: `${PASSERELLE_BASE}/CodeSystem/tenant`,
  /** meta.tag / extension system: the client that owns (wrote) a resource or element. */
  owner: `${PASSERELLE_BASE}/CodeSystem/owner`,
} as const;

/** Extensions Passerelle defines. */
export const EXTENSION = {
  /** On a plan element: which client wrote it and under which of its own ids. */
  origin: `${PASSERELLE_BASE}/StructureDefinition/element-origin`,
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
} as const;
