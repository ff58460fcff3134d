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
 */
import type { WithId } from '@medplum/core';
import type { CarePlan, CareTeam, Encounter, Patient, PractitionerRole, Reference, ResourceType } from '@medplum/fhirtypes';
import type { AdtEffects, StayEffect } from '../../mappings/adt/index.js';
import {
  cancelDischarge, coordinatingOrganization, dischargeTask, dischargeTaskIdentifier, dischargeTaskUpsert, isCoordinator, mergeUpdates,
  PATIENT_REFERENCE_FIELDS, reassessmentActivity, repointSubject, withReassessment,
} from '../../mappings/adt/index.js';
import type { FhirClient } from '../fhir-client/index.js';
import type { Hl7DomainEvent } from './hl7-inbound-events.js';
import { byId, tenantTag, token, updateVersioned } from './hl7-inbound-fhir.js';

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
}

/** What the effects wrote and what to announce. */
export interface EffectOutcome {
  resources: string[];
  events: Hl7DomainEvent[];
  /** Caveats worth keeping with the message (no personal data). */
  issues: string[];
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
  const query = { subject: patientRef, status: 'active', _tag: tenantTag(ctx.tenant) };
  const [plans, teams] = await Promise.all([ctx.fhir.searchAll('CarePlan', query), ctx.fhir.searchAll('CareTeam', query)]);
  const plan = byId(plans)[0];
  const planTeams = new Set((plan?.careTeam ?? []).map((r) => r.reference));
  const team = byId(teams).find((t) => planTeams.has(`CareTeam/${t.id ?? ''}`)) ?? byId(teams)[0];
  return { ...(plan !== undefined ? { plan } : {}), ...(team !== undefined ? { team } : {}) };
}

/** PractitionerRoles that can tell a coordinator's (or the plan author's) organization. */
async function rolesOf(ctx: EffectContext, team: CareTeam | undefined, plan: CarePlan | undefined): Promise<PractitionerRole[]> {
  const refs = [
    ...(team?.participant ?? []).filter(isCoordinator).map((p) => p.member?.reference),
    plan?.author?.reference,
  ].filter((r): r is string => r !== undefined);
  const roleIds = refs.filter((r) => r.startsWith('PractitionerRole/')).map((r) => r.slice('PractitionerRole/'.length));
  const practitioners = refs.filter((r) => r.startsWith('Practitioner/'));
  const [byRole, byPractitioner] = await Promise.all([
    roleIds.length === 0 ? [] : ctx.fhir.searchAll('PractitionerRole', { _id: roleIds.join(',') }),
    practitioners.length === 0 ? [] : ctx.fhir.searchAll('PractitionerRole', { practitioner: practitioners.join(',') }),
  ]);
  return [...byRole, ...byPractitioner];
}

async function discharge(ctx: EffectContext, stay: StayEffect, dischargeDateTime: string | undefined): Promise<EffectOutcome> {
  const refs = stayRefs(ctx, stay);
  const { plan, team } = await activeCoordination(ctx, refs.patientRef);
  const discharged = (extra: Partial<Pick<Hl7DomainEvent, 'taskRef' | 'carePlanRef'>> = {}) => event(ctx, 'patient.discharged', refs, extra);
  if (plan === undefined && team === undefined) return { resources: [], issues: [], events: [discharged()] };

  const owner = coordinatingOrganization(team, plan, await rolesOf(ctx, team, plan));
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
  const identifier = dischargeTaskIdentifier(ctx.clientId, stay.visitKey);
  const current = await ctx.fhir.searchOne('Task', { identifier: token(identifier), _tag: tenantTag(ctx.tenant) });
  const resources: string[] = [];
  const events: Hl7DomainEvent[] = [];
  let taskRef = current?.id !== undefined ? `Task/${current.id}` : undefined;
  const upsert = dischargeTaskUpsert(fresh, current);
  if (upsert !== undefined && upsert.id === undefined) {
    const { resource, created } = await ctx.fhir.conditionalCreate(upsert, { identifier: token(identifier) });
    taskRef = `Task/${resource.id}`;
    resources.push(taskRef);
    if (created) events.push(event(ctx, 'task.created', refs, { taskRef }));
  } else if (upsert !== undefined && upsert.id !== undefined && current !== undefined) {
    // A discharge cancelled by an A13, discharged again: the Task is reopened.
    const reopened = await updateVersioned(ctx.fhir, 'Task', upsert.id, (latest) => dischargeTaskUpsert(fresh, latest), current);
    if (reopened !== undefined) resources.push(`Task/${reopened.id}`);
  }

  let carePlanRef: string | undefined;
  if (plan?.id !== undefined) {
    const activity = reassessmentActivity({ clientId: ctx.clientId, visitKey: stay.visitKey, dischargeDateTime, performerRef: owner });
    const updated = await updateVersioned(ctx.fhir, 'CarePlan', plan.id, (latest) => withReassessment(latest, activity, ctx.clientId, stay.visitKey), plan);
    carePlanRef = `CarePlan/${plan.id}`;
    if (updated !== undefined) {
      resources.push(carePlanRef);
      events.push(event(ctx, 'careplan.updated', refs, { carePlanRef }));
    }
  }
  events.unshift(discharged({ ...(taskRef !== undefined ? { taskRef } : {}), ...(carePlanRef !== undefined ? { carePlanRef } : {}) }));
  return { resources, events, issues };
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
