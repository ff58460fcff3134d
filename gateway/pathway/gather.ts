/**
 * Gathers, through the FHIR client, everything the pathway of one person shows: the Patient,
 * then in parallel its plans, teams, support requests, stays, open tasks, goals and problems
 * (each search by subject / patient and the caller's tenant tag), then in rounds the
 * professionals, structures and close persons those point at.
 */
import { notFound, OperationOutcomeError } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { missingReferences, type ReferencedType } from '../../mappings/pathway/index.js';
import type { FhirClient } from '../../workers/fhir-client/index.js';
import { fromFhir } from './fhir-errors.js';
import { DIRECTORY_TYPES, tenantTag, visibleTo } from './tenancy.js';

/** The FHIR interactions the pathway needs (a `FhirClient` has them). */
export type PathwayFhir = Pick<FhirClient, 'read' | 'searchAll'>;

/** Page size of the searches: one page holds a person's data in all but extreme cases. */
const PAGE_SIZE = 200;
/** Ids per `_id` search: keeps the query string well under common URL limits (8 KB). */
const IDS_PER_QUERY = 50;
/**
 * Rounds of reference following: team/plan → PractitionerRole → its Practitioner and
 * Organization needs two; a third covers a structure's parent. More would mean a cycle.
 */
const MAX_ROUNDS = 3;

/** Task statuses asked for: the open ones (see `OPEN_TASK_STATUSES`). */
const OPEN_TASKS = 'requested,received,accepted,ready,in-progress,on-hold';
/** Plan statuses asked for: what the pathway shows (see `SHOWN_PLAN_STATUSES`). */
const SHOWN_PLANS = 'active,on-hold';

async function byIds(fhir: PathwayFhir, type: ReferencedType, ids: string[], tenant: string): Promise<Resource[]> {
  const out: Resource[] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const chunk = ids.slice(i, i + IDS_PER_QUERY);
    const params: Record<string, string | number> = { _id: chunk.join(','), _count: chunk.length };
    // Close persons are the tenant's personal data; directory entries are shared (see tenancy.ts).
    if (!DIRECTORY_TYPES.has(type)) params._tag = tenantTag(tenant);
    out.push(...(await fromFhir(() => fhir.searchAll(type, params))));
  }
  return out;
}

/**
 * Every resource of the pathway of `patientId` that a client of `tenant` may see. A Patient
 * that does not exist, is gone, or belongs to another tenant is one and the same 404, so an id
 * says nothing about other tenants.
 */
export async function gatherPathway(fhir: PathwayFhir, patientId: string, tenant: string): Promise<Resource[]> {
  const patient = await fromFhir(() => fhir.read('Patient', patientId));
  if (!visibleTo(patient, tenant)) throw new OperationOutcomeError(notFound);

  const subject = `Patient/${patient.id}`;
  const scoped = (params: Record<string, string>) => ({ ...params, _tag: tenantTag(tenant), _count: PAGE_SIZE });
  const found = await Promise.all([
    fromFhir(() => fhir.searchAll('CarePlan', scoped({ subject, status: SHOWN_PLANS }))),
    fromFhir(() => fhir.searchAll('CareTeam', scoped({ subject }))),
    fromFhir(() => fhir.searchAll('ServiceRequest', scoped({ subject }))),
    fromFhir(() => fhir.searchAll('Encounter', scoped({ subject }))),
    fromFhir(() => fhir.searchAll('Task', scoped({ patient: subject, status: OPEN_TASKS }))),
    fromFhir(() => fhir.searchAll('Goal', scoped({ subject }))),
    fromFhir(() => fhir.searchAll('Condition', scoped({ subject }))),
  ]);
  const resources: Resource[] = [patient, ...found.flat()];

  // What was asked for and not found (deleted, or another tenant's) is not asked again: buildPathway names it.
  const asked = new Set<string>();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const wanted = [...missingReferences(resources)]
      .map(([type, ids]) => [type, [...ids].filter((id) => !asked.has(`${type}/${id}`))] as const)
      .filter(([, ids]) => ids.length > 0);
    if (wanted.length === 0) break;
    for (const [type, ids] of wanted) for (const id of ids) asked.add(`${type}/${id}`);
    const fetched = await Promise.all(wanted.map(([type, ids]) => byIds(fhir, type, ids, tenant)));
    resources.push(...fetched.flat());
  }
  // Checked again on the way back: a server that ignored `_tag` must not leak another tenant's data.
  return resources.filter((r) => visibleTo(r, tenant));
}
