/**
 * Case document → one FHIR transaction Bundle (SPEC §9: the writes of one case are one
 * transaction). Every entry is conditional on business identifiers, so the same input twice
 * creates nothing new:
 * - PUT `Type?identifier=…` (conditional update) for what the case owns: Patient, RelatedPerson,
 *   CareTeam, Condition, Goal, CarePlan, ServiceRequest;
 * - POST + ifNoneExist (conditional create) for shared directory resources (Practitioner,
 *   Organization, PractitionerRole) and the Provenance.
 * fullUrls are name-based UUIDs of client + type + key, so intra-bundle references resolve
 * and the output is deterministic. Only the Provenance carries ctx.now.
 */
import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import type { CaseDocument } from '../schema.js';
import { careTeamEntry } from './care-team.js';
import { carePlanEntry } from './care-plan.js';
import { conditionEntry } from './condition.js';
import type { CaseMappingContext, CaseMappingMode, MappingState } from './context.js';
import { goalEntry } from './goal.js';
import { organizationEntry } from './organization.js';
import { collectParties } from './parties.js';
import { patientEntry } from './patient.js';
import { practitionerRoleEntry } from './practitioner-role.js';
import { practitionerEntry } from './practitioner.js';
import { provenanceEntry } from './provenance.js';
import { relatedPersonEntry } from './related-person.js';
import { serviceRequestEntry } from './service-request.js';
import { caseUrls } from './urls.js';

export type { CaseMappingContext, CaseMappingMode } from './context.js';

/** A transaction and what could not be mapped (or was mapped with a caveat). */
export interface CaseTransaction {
  bundle: Bundle;
  issues: string[];
}

/**
 * Maps a validated case document to a transaction Bundle.
 * @example
 * const { bundle, issues } = caseToTransaction(CaseDocumentSchema.parse(body),
 *   { clientId: 'dac-doubs', tenant: 'doubs', caseId: 'CASE-1', now: new Date().toISOString() });
 */
export function caseToTransaction(doc: CaseDocument, ctx: CaseMappingContext, mode: CaseMappingMode = 'upsert'): CaseTransaction {
  const state: MappingState = { ctx, mode, issues: [] };
  const urls = caseUrls(doc, ctx);
  const parties = collectParties(doc, state);

  for (const group of parties.practitioners) {
    if (!group.details) state.issues.push(`Practitioner ${group.tokens[0]} : aucun nom dans le dossier ; créé avec ses seuls identifiants s'il n'existe pas encore`);
  }
  for (const group of parties.organizations) {
    if (!group.details) state.issues.push(`Organization ${group.tokens[0]} : aucun nom dans le dossier ; créée avec ses seuls identifiants si elle n'existe pas encore`);
  }

  const entries: (BundleEntry | undefined)[] = [
    ...parties.organizations.map((g) => organizationEntry(g, state)),
    ...parties.practitioners.map((g) => practitionerEntry(g, state)),
    ...parties.roles.map((r) => practitionerRoleEntry(r, state)),
    patientEntry(doc, state, urls, parties),
    ...(doc.team?.members ?? []).map((m) => relatedPersonEntry(m, state, urls)),
    careTeamEntry(doc, state, urls, parties),
    ...(doc.plan?.problems ?? []).map((p) => conditionEntry(p, state, urls)),
    ...(doc.plan ? doc.plan.goals.map((g) => goalEntry(g, doc.plan!, state, urls)) : []),
    serviceRequestEntry(doc, state, urls, parties),
    carePlanEntry(doc, state, urls, parties),
  ];
  const written = entries.filter((e): e is BundleEntry => e !== undefined);
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [...written, provenanceEntry(doc, written, state)],
  };
  return { bundle, issues: state.issues };
}

/**
 * The transaction of `DELETE /v1/cases/{caseId}`: never a hard delete — the plan becomes
 * `revoked`, its goals `cancelled`, the team `inactive` (SPEC §2); everything else is
 * written unchanged so the resources stay consistent. `doc` is the last stored version of
 * the case (e.g. read back with `fhirToCase`).
 */
export function caseToRevocation(doc: CaseDocument, ctx: CaseMappingContext): CaseTransaction {
  return caseToTransaction(doc, ctx, 'revoke');
}
