/**
 * CarePlan (+ its Conditions and Goals) → a plan of the pathway, with the activities of every
 * contributor: unlike the reverse mapping of one client's case (`from-fhir/care-plan.ts`),
 * nothing is left out here, and each element says who added it.
 */
import type { CarePlan, CarePlanActivity, Condition, Goal } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, sourceIdentifierSystem } from '../../profiles/canonical.js';
import { ACTION_KINDS, ACTION_STATUSES, PLAN_STATUSES, PROBLEM_DOMAINS } from '../case/code-lists.js';
import { codeOf, compact, identifierValue } from '../case/from-fhir/common.js';
import type { Resolver } from '../case/from-fhir/resolver.js';
import { GOAL_STATUS_DISPLAY, PLAN_STATUS_FROM_FHIR, codedFrom, codedFromList } from './labels.js';
import { originOf, ownerOf, resourceOwner, type ClientNameLookup } from './origin.js';
import { partyView } from './parties.js';
import type { ActivityView, Coded, GoalView, PlanView, ProblemView } from './view.js';

/** What every plan reader needs. */
export interface PlanContext {
  resolver: Resolver;
  clientName: ClientNameLookup | undefined;
  issues: string[];
}

/** CarePlan.status in the case vocabulary (on-hold → suspended, revoked → cancelled). */
export function planStatus(status: string): Coded {
  const code = PLAN_STATUS_FROM_FHIR[status];
  return code !== undefined ? codedFromList(PLAN_STATUSES, code) : codedFrom({}, status);
}

function problemView(condition: Condition, ctx: PlanContext): ProblemView {
  const domain = codeOf(condition.category, CODE_SYSTEM.problemDomain);
  return compact({
    id: originOf(condition.extension, condition, undefined)?.elementId,
    label: condition.code?.text ?? condition.code?.coding?.[0]?.display ?? 'Problème sans libellé',
    domain: domain !== undefined ? codedFromList(PROBLEM_DOMAINS, domain) : undefined,
    origin: originOf(condition.extension, condition, ctx.clientName),
  });
}

function goalView(goal: Goal, ctx: PlanContext): GoalView {
  const problems = (goal.addresses ?? [])
    .map((r) => ctx.resolver.resolve(r, 'Condition'))
    .filter((c): c is Condition => c !== undefined)
    .map((c) => problemView(c, ctx).label);
  return compact({
    id: originOf(goal.extension, goal, undefined)?.elementId,
    label: goal.description.text ?? goal.description.coding?.[0]?.display ?? 'Objectif sans libellé',
    status: codedFrom(GOAL_STATUS_DISPLAY, goal.lifecycleStatus),
    dueOn: goal.target?.[0]?.dueDate,
    problems,
    origin: originOf(goal.extension, goal, ctx.clientName),
  });
}

function activityView(activity: CarePlanActivity, plan: CarePlan, index: number, ctx: PlanContext): ActivityView {
  const detail = activity.detail;
  const origin = originOf(activity.extension, plan, ctx.clientName);
  const where = `CarePlan/${plan.id ?? '?'}.activity[${index}]`;
  const kind = codeOf(detail?.code, CODE_SYSTEM.actionKind);
  const otherKind = detail?.code?.coding?.[0];
  const goals = (detail?.goal ?? [])
    .map((r) => ctx.resolver.resolve(r, 'Goal'))
    .filter((g): g is Goal => g !== undefined)
    .map((g) => g.description.text ?? '')
    .filter((label) => label.length > 0);
  // An activity that points at a request (activity.reference) rather than carrying a detail
  // still belongs to the plan: it reads by its display.
  const label = detail?.description ?? detail?.code?.text ?? activity.reference?.display ?? otherKind?.display ?? 'Action sans libellé';
  if (!detail) ctx.issues.push(`${where}: action sans détail (statut inconnu)`);
  return compact({
    id: origin?.elementId,
    label,
    kind: kind !== undefined
      ? codedFromList(ACTION_KINDS, kind)
      : otherKind?.code !== undefined ? { code: otherKind.code, display: otherKind.display ?? detail?.code?.text ?? otherKind.code } : undefined,
    status: detail ? codedFromList(ACTION_STATUSES, detail.status) : codedFrom({}, 'unknown'),
    responsible: partyView(detail?.performer?.[0], ctx.resolver, ctx.issues, `${where}.performer`),
    schedule: detail?.scheduledString,
    scheduledPeriod: detail?.scheduledPeriod ? compact({ start: detail.scheduledPeriod.start, end: detail.scheduledPeriod.end }) : undefined,
    goals,
    origin,
  });
}

/** One plan with its problems, goals and the activities of every contributor, in plan order. */
export function planView(plan: CarePlan & { id: string }, ctx: PlanContext): PlanView {
  const owner = ownerOf(plan);
  const problems: ProblemView[] = [];
  for (const reference of plan.addresses ?? []) {
    const condition = ctx.resolver.resolve(reference, 'Condition');
    if (condition) problems.push(problemView(condition, ctx));
    else ctx.issues.push(`CarePlan/${plan.id}.addresses: problème introuvable (${reference.reference ?? '?'})`);
  }
  const goals: GoalView[] = [];
  for (const reference of plan.goal ?? []) {
    const goal = ctx.resolver.resolve(reference, 'Goal');
    if (goal) goals.push(goalView(goal, ctx));
    else ctx.issues.push(`CarePlan/${plan.id}.goal: objectif introuvable (${reference.reference ?? '?'})`);
  }
  return compact({
    id: plan.id,
    planId: owner !== undefined ? identifierValue(plan.identifier, sourceIdentifierSystem(owner, 'care-plan')) : undefined,
    title: plan.title,
    description: plan.description,
    status: planStatus(plan.status),
    period: plan.period ? compact({ start: plan.period.start, end: plan.period.end }) : undefined,
    reviewOn: plan.extension?.find((e) => e.url === EXTENSION.planReviewDate)?.valueDate,
    author: partyView(plan.author, ctx.resolver, ctx.issues, `CarePlan/${plan.id}.author`),
    owner: resourceOwner(plan, ctx.clientName),
    problems,
    goals,
    activities: (plan.activity ?? []).map((a, i) => activityView(a, plan, i, ctx)),
  });
}
