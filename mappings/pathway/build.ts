/**
 * `buildPathway`: the resources gathered around one person → the unified pathway view
 * (SPEC §2, §5). Pure and total: no I/O, no clock; what cannot be read becomes an issue,
 * never an exception. The caller gathers the resources (and enforces tenancy); this only
 * keeps those that concern the person.
 */
import type { CarePlan, CareTeam, Encounter, Patient, Reference, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import { createResolver } from '../case/from-fhir/resolver.js';
import { planView } from './plan.js';
import { patientView } from './patient.js';
import type { ClientNameLookup } from './origin.js';
import { supportRequestsView } from './support-requests.js';
import { staysView } from './stays.js';
import { openTasksView } from './tasks.js';
import { teamView } from './team.js';
import type { PathwayView, PatientView } from './view.js';

export interface BuildPathwayOptions {
  /** The FHIR id of the Patient the pathway is about. */
  patientId: string;
  /** Client id → client name, so origins read "ajoutée par CHU de Besançon". */
  clientName?: ClientNameLookup;
}

/** Plan statuses shown: a live plan, running or suspended (a draft, closed or revoked plan is not the pathway). */
export const SHOWN_PLAN_STATUSES: ReadonlySet<string> = new Set(['active', 'on-hold']);

type WithId<T> = T & { id: string };

function hasId<T extends Resource>(r: T): r is WithId<T> {
  return typeof r.id === 'string' && r.id.length > 0;
}

function ofType<K extends Resource['resourceType']>(resources: Resource[], type: K): WithId<Extract<Resource, { resourceType: K }>>[] {
  return resources.filter((r): r is WithId<Extract<Resource, { resourceType: K }>> => r.resourceType === type && hasId(r));
}

function missingPatient(patientId: string): PatientView {
  return {
    id: patientId,
    displayName: 'Personne introuvable',
    givenNames: [],
    identityStatus: { code: 'unknown', display: "Statut de l'identité non renseigné" },
    active: false,
  };
}

/**
 * The pathway of `patientId` from `resources` as a FHIR server returns them (ids set,
 * references `Type/id`; absolute URLs resolve on their last two segments).
 *
 * @example
 *   const view = buildPathway([patient, plan, team, ...directory], { patientId: patient.id, clientName: (id) => names.get(id) });
 *   view.plans[0].activities.map((a) => `${a.label} — ${a.origin?.clientName}`);
 */
export function buildPathway(resources: Resource[], options: BuildPathwayOptions): PathwayView {
  const resolver = createResolver(resources.map((resource) => ({ resource })));
  const issues: string[] = [];
  const { clientName } = options;
  const patient = ofType(resources, 'Patient').find((p) => p.id === options.patientId);
  if (!patient) issues.push(`Patient/${options.patientId} introuvable`);

  // Only what points at this person: the caller may hand over more than it needs.
  const concerns = (reference: Reference | undefined): boolean =>
    patient !== undefined && resolver.resolve(reference, 'Patient') === (patient as Patient);

  const plans = ofType(resources, 'CarePlan')
    .filter((p: CarePlan) => concerns(p.subject) && SHOWN_PLAN_STATUSES.has(p.status))
    // Running plans before suspended ones, then the most recent first.
    .sort((a, b) => Number(b.status === 'active') - Number(a.status === 'active')
      || (b.period?.start ?? '').localeCompare(a.period?.start ?? ''));
  const teams = ofType(resources, 'CareTeam').filter((t: CareTeam) => concerns(t.subject));
  const requests = ofType(resources, 'ServiceRequest').filter((s: ServiceRequest) => concerns(s.subject));
  const encounters = ofType(resources, 'Encounter').filter((e: Encounter) => concerns(e.subject));
  const tasks = ofType(resources, 'Task').filter((t: Task) => concerns(t.for));

  return {
    patient: patient ? patientView(patient) : missingPatient(options.patientId),
    plans: plans.map((plan) => planView(plan, { resolver, clientName, issues })),
    team: teamView(teams, resolver, clientName, issues),
    supportRequests: supportRequestsView(requests, resolver, clientName, issues),
    stays: staysView(encounters, resolver, clientName, issues),
    openTasks: openTasksView(tasks, resolver, clientName, issues),
    issues,
  };
}
