/**
 * What an ADT message does beyond its own transaction (SPEC §3), applied after the write and
 * version-aware, so that it is idempotent (a retried or replayed message changes nothing more):
 * - discharge (A03): where the person has an active plan or care team in the tenant, the
 *   *sortie d'hospitalisation* Task (owner: the coordinating organization, focus: the stay) and
 *   the plan's *réévaluation du PPS après la sortie* activity;
 * - discharge cancelled (A13): that Task and that activity cancelled;
 * - merge (A40): the prior Patient inactive and `replaced-by` the survivor, which `replaces` it;
 *   the prior's stays, tasks and plan resources re-pointed to the survivor.
 * Every search is restricted to the tenant.
 *
 * Round trips of a discharge, the hot path (one A03 per stay): the plan, the team and the Task
 * come with the message's own transaction when the Patient was known before it
 * (`hl7-inbound-lookups.ts`), else in one batch after it; then, where there is a plan or a team,
 * the PractitionerRoles that can decide the owner (often none), and one transaction creating the
 * Task, updating the plan and recording their Provenance.
 */
import type { WithId } from '@medplum/core';
import type { CarePlan, CareTeam, Encounter, Identifier, Patient, PractitionerRole, Provenance, Reference, ResourceType, Task } from '@medplum/fhirtypes';
import type { AdtEffects, StayEffect } from '../../mappings/adt/index.js';
import {
  cancelDischarge, coordinatingOrganization, dischargeTask, dischargeTaskIdentifier, dischargeTaskUpsert, mergeUpdates,
  PATIENT_REFERENCE_FIELDS, reassessmentActivity, referencesNeedingRoles, repointSubject, withReassessment,
} from '../../mappings/adt/index.js';
import { searchBatch, type BatchSearch, type FhirClient } from '../fhir-client/index.js';
import type { Hl7DomainEvent } from './hl7-inbound-events.js';
import { byId, createWithUpdate, tenantTag, token, updateVersioned, type AlongsideEntries } from './hl7-inbound-fhir.js';
import { coordinationSearches, dischargeTaskSearch, type DischargeLookup } from './hl7-inbound-lookups.js';

/** Who and when, for the resources the effects write. */
export interface EffectContext {
  fhir: FhirClient;
  tenant: string;
  clientId: string;
  messageId: string;
  /** ISO instant. */
  now: string;
  /** `Type/id` of what the transaction wrote for a request `fullUrl`. */
  written: (fullUrl: string) => string | undefined;
  /** `Organization/<id>` of the sending facility, the requester of the Tasks. */
  facilityRef?: string | undefined;
  /** A discharge's searches, answered within the message's transaction (`hl7-inbound-lookups.ts`). */
  prefetched?: DischargeLookup | undefined;
  /**
   * The Provenance of the effects' writes (conditional) for their targets. Given, a discharge
   * writes it in its own transaction (`provenanceWritten`); otherwise the caller writes it after.
   */
  provenance?: ((targets: readonly string[]) => { resource: Provenance; ifNoneExist: string }) | undefined;
}

/** What the effects wrote and what to announce. */
export interface EffectOutcome {
  resources: string[];
  events: Hl7DomainEvent[];
  /** Caveats worth keeping with the message (no personal data). */
  issues: string[];
  /** The Provenance of `resources` was written with them (`EffectContext.provenance`). */
  provenanceWritten?: true;
}

/** Applies the effects of a written message. */
export async function applyEffects(ctx: EffectContext, effects: AdtEffects): Promise<EffectOutcome> {
  switch (effects.kind) {
    case 'admitted': {
      const stay = stayRefs(ctx, effects);
      return { resources: [], issues: [], events: [event(ctx, 'patient.admitted', stay)] };
    }
    case 'discharged':
      return discharge(ctx, effects, effects.dischargeDateTime);
    case 'discharge-cancelled':
      return cancel(ctx, effects);
    case 'merged':
      return merge(ctx, effects.pairs);
    case 'none':
      return { resources: [], events: [], issues: [] };
  }
}

interface StayRefs {
  patientRef: string;
  encounterRef: string;
}

function stayRefs(ctx: EffectContext, stay: StayEffect): StayRefs {
  const patientRef = ctx.written(stay.patient.fullUrl);
  const encounterRef = ctx.written(stay.encounter.fullUrl);
  // The transaction just wrote both: a missing reference is a server answering out of contract.
  if (patientRef === undefined || encounterRef === undefined) throw new Error('transaction response lacks the Patient or Encounter location');
  return { patientRef, encounterRef };
}

function event(ctx: EffectContext, type: Hl7DomainEvent['type'], stay: StayRefs, extra: Partial<Pick<Hl7DomainEvent, 'taskRef' | 'carePlanRef'>> = {}): Hl7DomainEvent {
  return { id: `${ctx.messageId}/${type}`, type, tenant: ctx.tenant, clientId: ctx.clientId, messageId: ctx.messageId, ...stay, ...extra };
}

/** The person's active plan and team in the tenant (the lowest id when there are several). */
async function activeCoordination(ctx: EffectContext, patientRef: string): Promise<{ plan?: WithId<CarePlan>; team?: WithId<CareTeam> }> {
  const prefetched = ctx.prefetched?.patientRef === patientRef ? ctx.prefetched : undefined;
  const [plans, teams] = prefetched !== undefined ? [prefetched.plans, prefetched.teams] : await searchBatch(ctx.fhir, coordinationSearches(patientRef, ctx.tenant));
  const plan = byId(plans)[0];
  const planTeams = new Set((plan?.careTeam ?? []).map((r) => r.reference));
  const team = byId(teams).find((t) => planTeams.has(`CareTeam/${t.id ?? ''}`)) ?? byId(teams)[0];
  return { ...(plan !== undefined ? { plan } : {}), ...(team !== undefined ? { team } : {}) };
}

/**
 * The stay's discharge Task (if any) and the PractitionerRoles that can tell the coordinating
 * organization (those of `referencesNeedingRoles`: often none), in one round trip at most; none
 * when the transaction brought them (`prefetched`).
 */
async function taskAndRoles(ctx: EffectContext, patientRef: string, taskIdentifier: Identifier, team: CareTeam | undefined, plan: CarePlan | undefined) {
  const prefetched = ctx.prefetched?.patientRef === patientRef ? ctx.prefetched : undefined;
  const refs = referencesNeedingRoles(team, plan);
  const known = prefetched?.roles ?? [];
  const roleIds = refs.filter((r) => r.startsWith('PractitionerRole/')).map((r) => r.slice('PractitionerRole/'.length))
    .filter((id) => !known.some((role) => role.id === id));
  const practitioners = refs.filter((r) => r.startsWith('Practitioner/'));
  const searches: BatchSearch[] = prefetched !== undefined ? [] : [dischargeTaskSearch(taskIdentifier, ctx.tenant)];
  if (roleIds.length > 0) searches.push({ type: 'PractitionerRole', params: { _id: roleIds.join(',') } });
  if (practitioners.length > 0) searches.push({ type: 'PractitionerRole', params: { practitioner: practitioners.join(',') } });
  const found = await searchBatch(ctx.fhir, searches);
  const tasks = prefetched !== undefined ? (prefetched.task === undefined ? [] : [prefetched.task]) : (found.shift() ?? []);
  return { current: tasks[0] as WithId<Task> | undefined, roles: [...known, ...(found.flat() as PractitionerRole[])] };
}

async function discharge(ctx: EffectContext, stay: StayEffect, dischargeDateTime: string | undefined): Promise<EffectOutcome> {
  const refs = stayRefs(ctx, stay);
  const { plan, team } = await activeCoordination(ctx, refs.patientRef);
  const discharged = (extra: Partial<Pick<Hl7DomainEvent, 'taskRef' | 'carePlanRef'>> = {}) => event(ctx, 'patient.discharged', refs, extra);
  if (plan === undefined && team === undefined) return { resources: [], issues: [], events: [discharged()] };

  const identifier = dischargeTaskIdentifier(ctx.clientId, stay.visitKey);
  const { current, roles } = await taskAndRoles(ctx, refs.patientRef, identifier, team, plan);
  const owner = coordinatingOrganization(team, plan, roles);
  const issues = owner === undefined ? ['discharge Task: no coordinating organization known; Task left unowned'] : [];
  const encounterRef: Reference<Encounter> = { reference: refs.encounterRef };
  const fresh = dischargeTask({
    encounterRef,
    patientRef: { reference: refs.patientRef },
    ownerOrgRef: owner,
    carePlanRef: plan?.id !== undefined ? { reference: `CarePlan/${plan.id}` } : undefined,
    requesterRef: ctx.facilityRef !== undefined ? { reference: ctx.facilityRef } : undefined,
    tenant: ctx.tenant,
    clientId: ctx.clientId,
    visitKey: stay.visitKey,
    now: ctx.now,
    dischargeDateTime,
  });
  const activity = reassessmentActivity({ clientId: ctx.clientId, visitKey: stay.visitKey, dischargeDateTime, performerRef: owner });
  const reassess = (latest: WithId<CarePlan>) => withReassessment(latest, activity, ctx.clientId, stay.visitKey);
  const written = await writeDischarge(ctx, { fresh, current, identifier, plan, reassess });
  const events: Hl7DomainEvent[] = [];
  if (written.taskCreated) events.push(event(ctx, 'task.created', refs, { taskRef: written.taskRef }));
  const carePlanRef = plan !== undefined ? `CarePlan/${plan.id}` : undefined;
  if (written.planUpdated && carePlanRef !== undefined) events.push(event(ctx, 'careplan.updated', refs, { carePlanRef }));
  events.unshift(discharged({ ...(written.taskRef !== undefined ? { taskRef: written.taskRef } : {}), ...(carePlanRef !== undefined ? { carePlanRef } : {}) }));
  return { resources: written.resources, events, issues, ...(written.provenanceWritten ? { provenanceWritten: true } : {}) };
}

/** What a discharge has to write, once the current Task and plan are read. */
interface DischargeWrite {
  /** The Task as this discharge would create it. */
  fresh: Task;
  current: WithId<Task> | undefined;
  identifier: Identifier;
  plan: WithId<CarePlan> | undefined;
  /** The plan with the reassessment activity (undefined or equal when it has it already). */
  reassess: (latest: WithId<CarePlan>) => CarePlan | undefined;
}

/**
 * Writes the discharge Task (created, reopened, or left alone) and the plan's activity:
 * the usual discharge, a new Task and a plan to update, is one transaction, with the
 * Provenance of both when the context gives it.
 */
async function writeDischarge(ctx: EffectContext, w: DischargeWrite): Promise<{ resources: string[]; taskRef?: string; taskCreated: boolean; planUpdated: boolean; provenanceWritten: boolean }> {
  const resources: string[] = [];
  const upsert = dischargeTaskUpsert(w.fresh, w.current);
  let taskRef = w.current !== undefined ? `Task/${w.current.id}` : undefined;
  let taskCreated = false;
  let planUpdated: boolean | undefined;
  let provenanceWritten = false;
  if (upsert !== undefined && upsert.id === undefined) {
    const create = { resource: upsert, ifNoneExist: { identifier: token(w.identifier) } };
    if (w.plan !== undefined) {
      const written = await createWithUpdate(ctx.fhir, create, 'CarePlan', w.plan, w.reassess, provenanceEntry(ctx));
      [taskRef, taskCreated, planUpdated, provenanceWritten] = [written.createdRef, written.created, written.updated, written.alongsideWritten];
    } else {
      const { resource, created } = await ctx.fhir.conditionalCreate(upsert, create.ifNoneExist);
      [taskRef, taskCreated] = [`Task/${resource.id}`, created];
    }
    resources.push(taskRef);
  } else if (upsert !== undefined && upsert.id !== undefined && w.current !== undefined) {
    // A discharge cancelled by an A13, discharged again: the Task is reopened.
    const reopened = await updateVersioned(ctx.fhir, 'Task', upsert.id, (latest) => dischargeTaskUpsert(w.fresh, latest), w.current);
    if (reopened !== undefined) resources.push(`Task/${reopened.id}`);
  }
  if (w.plan !== undefined && planUpdated === undefined) {
    planUpdated = (await updateVersioned(ctx.fhir, 'CarePlan', w.plan.id, w.reassess, w.plan)) !== undefined;
  }
  if (planUpdated === true && w.plan !== undefined) resources.push(`CarePlan/${w.plan.id}`);
  return { resources, ...(taskRef !== undefined ? { taskRef } : {}), taskCreated, planUpdated: planUpdated === true, provenanceWritten };
}

/** The effects' Provenance as a transaction entry targeting the Task and the plan, if the context gives one. */
function provenanceEntry(ctx: EffectContext): AlongsideEntries | undefined {
  const { provenance } = ctx;
  if (provenance === undefined) return undefined;
  return ({ created, updated }) => {
    const { resource, ifNoneExist } = provenance([created, updated]);
    return [{ resource, request: { method: 'POST', url: 'Provenance', ifNoneExist } }];
  };
}

async function cancel(ctx: EffectContext, stay: StayEffect): Promise<EffectOutcome> {
  const refs = stayRefs(ctx, stay);
  const _tag = tenantTag(ctx.tenant);
  const identifier = dischargeTaskIdentifier(ctx.clientId, stay.visitKey);
  const [task, plans] = await Promise.all([
    ctx.fhir.searchOne('Task', { identifier: token(identifier), _tag }),
    ctx.fhir.searchAll('CarePlan', { subject: refs.patientRef, _tag }),
  ]);
  const issues: string[] = [];
  const resources: string[] = [];
  const events: Hl7DomainEvent[] = [];
  const options = { clientId: ctx.clientId, now: ctx.now };
  if (task?.id !== undefined) {
    const cancelled = await updateVersioned(ctx.fhir, 'Task', task.id, (latest) => {
      const result = cancelDischarge(latest, undefined, stay.visitKey, options);
      issues.push(...result.issues);
      return result.task;
    }, task);
    if (cancelled !== undefined) resources.push(`Task/${cancelled.id}`);
  }
  for (const plan of byId(plans)) {
    if (plan.id === undefined) continue;
    const updated = await updateVersioned(ctx.fhir, 'CarePlan', plan.id, (latest) => {
      const result = cancelDischarge(undefined, latest, stay.visitKey, options);
      issues.push(...result.issues);
      return result.carePlan;
    }, plan);
    if (updated !== undefined) {
      const carePlanRef = `CarePlan/${plan.id}`;
      resources.push(carePlanRef);
      events.push(event(ctx, 'careplan.updated', refs, { carePlanRef, ...(task?.id !== undefined ? { taskRef: `Task/${task.id}` } : {}) }));
    }
  }
  return { resources, events, issues: [...new Set(issues)] };
}

/**
 * The resources a merge re-points, with the search parameters that find them by their Patient:
 * from `PATIENT_REFERENCE_FIELDS` (the mapper's list), each field searched under its own name but
 * `Task.for`, whose R4 search parameter is `subject`.
 */
const REPOINTED: readonly [ResourceType, readonly string[]][] = Object.entries(PATIENT_REFERENCE_FIELDS).map(
  ([type, fields]) => [type as ResourceType, fields.map((field: string) => (field === 'for' ? 'subject' : field))],
);

async function merge(ctx: EffectContext, pairs: Extract<AdtEffects, { kind: 'merged' }>['pairs']): Promise<EffectOutcome> {
  const _tag = tenantTag(ctx.tenant);
  const resources = new Set<string>();
  const issues: string[] = [];
  for (const [i, pair] of pairs.entries()) {
    const label = i === 0 ? 'MRG' : `MRG #${i + 1}`;
    const survivor = byId(await ctx.fhir.searchAll('Patient', { identifier: token(pair.survivor), _tag }))[0];
    if (survivor?.id === undefined) {
      issues.push(`${label}: survivor Patient not found after the write; pair not merged`);
      continue;
    }
    const found = (await Promise.all(pair.prior.map((id) => ctx.fhir.searchAll('Patient', { identifier: token(id), _tag })))).flat();
    const priors = byId(found.filter((p, j) => p.id !== survivor.id && found.findIndex((q) => q.id === p.id) === j));
    if (priors.length === 0) issues.push(`${label}-1: no Patient with the prior identifier in the tenant; nothing to merge`);
    for (const prior of priors) {
      if (prior.id === undefined) continue;
      await mergePair(ctx, prior as Patient & { id: string }, survivor as Patient & { id: string }, resources);
    }
  }
  return { resources: [...resources], events: [], issues };
}

async function mergePair(ctx: EffectContext, prior: Patient & { id: string }, survivor: Patient & { id: string }, resources: Set<string>): Promise<void> {
  const written = await updateVersioned(ctx.fhir, 'Patient', prior.id, (latest) => mergeUpdates(latest, survivor).prior, prior);
  if (written !== undefined) resources.add(`Patient/${prior.id}`);
  const survived = await updateVersioned(ctx.fhir, 'Patient', survivor.id, (latest) => mergeUpdates(prior, latest).survivor, survivor);
  if (survived !== undefined) resources.add(`Patient/${survivor.id}`);
  const from = `Patient/${prior.id}`;
  const to = `Patient/${survivor.id}`;
  for (const [type, params] of REPOINTED) {
    const lists = await Promise.all(params.map((param) => ctx.fhir.searchAll(type, { [param]: from, _tag: tenantTag(ctx.tenant) })));
    const seen = new Set<string>();
    for (const resource of lists.flat()) {
      if (resource.id === undefined || seen.has(resource.id)) continue;
      seen.add(resource.id);
      const updated = await updateVersioned(ctx.fhir, type, resource.id, (latest) => {
        const next = repointSubject(latest, from, to);
        return next === latest ? undefined : next;
      }, resource);
      if (updated !== undefined) resources.add(`${type}/${resource.id}`);
    }
  }
}
