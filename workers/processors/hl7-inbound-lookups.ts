/**
 * The searches of a discharge's effects (the person's active plan and team, the stay's Task),
 * and their ride in the message's own transaction: when the identity decision already names the
 * Patient, they go as GET entries at the end of the ADT transaction, which a FHIR server runs
 * after its writes (R4 http.html#trules). Same answers as searching after the write, one round
 * trip fewer per discharge. The team comes with its participants' PractitionerRoles
 * (`_include`), which usually tell the coordinating organization without another search. The
 * effects check that the Patient written is the one searched (`patientRef`) and search again
 * otherwise.
 */
import type { WithId } from '@medplum/core';
import type { Bundle, BundleEntry, CarePlan, CareTeam, Identifier, PractitionerRole, Task } from '@medplum/fhirtypes';
import { dischargeTaskIdentifier, type AdtEffects, type PatientMatch } from '../../mappings/adt/index.js';
import { entryMatches, searchEntry, type BatchSearch, type FhirClient } from '../fhir-client/index.js';
import { tenantTag, token } from './hl7-inbound-fhir.js';

/**
 * The person's active plans and teams in the tenant (the effects pick one of each); with
 * `withRoles`, the teams bring their participants' PractitionerRoles (`_include`).
 */
export function coordinationSearches(patientRef: string, tenant: string, withRoles = false): readonly [BatchSearch<'CarePlan'>, BatchSearch<'CareTeam'>] {
  const params = { subject: patientRef, status: 'active', _tag: tenantTag(tenant) };
  const teamParams = withRoles ? { ...params, _include: 'CareTeam:participant:PractitionerRole' } : params;
  return [{ type: 'CarePlan', params }, { type: 'CareTeam', params: teamParams }];
}

/** The stay's discharge Task, first page only (there is one per stay). */
export function dischargeTaskSearch(identifier: Identifier, tenant: string): BatchSearch<'Task'> {
  return { type: 'Task', params: { identifier: token(identifier), _tag: tenantTag(tenant), _count: 1 }, firstPage: true };
}

/** What the transaction found for a discharge, and for which Patient. */
export interface DischargeLookup {
  patientRef: string;
  plans: WithId<CarePlan>[];
  teams: WithId<CareTeam>[];
  task: WithId<Task> | undefined;
  /** PractitionerRoles the teams name as participants (`_include`d). */
  roles: PractitionerRole[];
}

/** GET entries to append to a transaction, and how to read their answers. */
export interface PlannedLookups {
  entries: BundleEntry[];
  /** Reads the answers: the last `entries.length` entries of the transaction response. */
  read(fhir: FhirClient, response: Bundle): Promise<DischargeLookup>;
}

/**
 * The lookups a discharge will need, when the Patient is known before the write (a `use`
 * decision); undefined for any other effect or decision (the effects then search after it).
 */
export function dischargeLookups(effects: AdtEffects, match: PatientMatch | undefined, tenant: string, clientId: string): PlannedLookups | undefined {
  if (effects.kind !== 'discharged' || match === undefined || (match.action !== 'use' && match.action !== 'use-and-reconcile')) return undefined;
  const patientRef = `Patient/${match.patientId}`;
  const [plans, teams] = coordinationSearches(patientRef, tenant, true);
  const task = dischargeTaskSearch(dischargeTaskIdentifier(clientId, effects.visitKey), tenant);
  return {
    entries: [searchEntry(plans), searchEntry(teams), searchEntry(task)],
    read: async (fhir, response) => {
      const answers = (response.entry ?? []).slice(-3);
      const [foundPlans, foundTeams, foundTasks] = await Promise.all([
        entryMatches(fhir, answers[0], plans), entryMatches(fhir, answers[1], teams), entryMatches(fhir, answers[2], task),
      ]);
      const roles = (answers[1]?.resource as Bundle | undefined)?.entry
        ?.filter((e) => e.search?.mode === 'include' && e.resource?.resourceType === 'PractitionerRole')
        .map((e) => e.resource as PractitionerRole) ?? [];
      return { patientRef, plans: foundPlans, teams: foundTeams, task: foundTasks[0], roles };
    },
  };
}
