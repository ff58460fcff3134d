/**
 * CarePlan (+ its Conditions and Goals) → `plan` of a case document: the elements this client
 * contributed, with goal → problem and action → goal links turned back into ids.
 */
import type { CarePlan, CarePlanActivity, Condition, Goal, Reference } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, sourceIdentifierSystem } from '../../../profiles/canonical.js';
import { ACTION_KINDS, ACTION_STATUSES, PLAN_STATUSES, PROBLEM_DOMAINS, type PlanStatus } from '../code-lists.js';
import type { CaseAction, CaseGoal, CasePlan, CaseProblem, CaseResponsible } from '../schema.js';
import { codeOf, compact, isCode, readOrigin } from './common.js';
import { organizationIdentity, practitionerIdentity, resolveParty } from './parties.js';
import type { Resolver } from './resolver.js';

const PLAN_STATUS_FROM_FHIR: Readonly<Record<string, PlanStatus>> = Object.fromEntries(
  Object.entries(PLAN_STATUSES).map(([code, v]) => [v.fhir, code as PlanStatus]),
);

/** Reads a plan written by `clientId`. */
export function planFromFhir(plan: CarePlan, resolver: Resolver, clientId: string, issues: string[]): CasePlan {
  let foreign = 0;
  const own = (extension: Parameters<typeof readOrigin>[0]) => {
    const origin = readOrigin(extension);
    if (origin && origin.client !== clientId) {
      foreign++;
      return undefined;
    }
    return origin;
  };
  // Element id of a referenced Condition / Goal: its origin id (what the client called it).
  const elementId = (reference: Reference | undefined, type: 'Condition' | 'Goal') =>
    readOrigin(resolver.resolve(reference, type)?.extension)?.id;

  const problems: CaseProblem[] = [];
  for (const reference of plan.addresses ?? []) {
    const condition = resolver.resolve(reference, 'Condition');
    const origin = condition ? own(condition.extension) : undefined;
    if (condition && origin) problems.push(problemFromFhir(condition, origin.id, issues));
  }
  const goals: CaseGoal[] = [];
  for (const reference of plan.goal ?? []) {
    const goal = resolver.resolve(reference, 'Goal');
    const origin = goal ? own(goal.extension) : undefined;
    if (goal && origin) goals.push(goalFromFhir(goal, origin.id, (r) => elementId(r, 'Condition')));
  }
  const actions: CaseAction[] = [];
  (plan.activity ?? []).forEach((activity, i) => {
    const origin = own(activity.extension);
    if (!origin) {
      if (!readOrigin(activity.extension)) issues.push(`CarePlan.activity[${i}]: sans origine ; non reprise`);
      return;
    }
    const action = actionFromFhir(activity, origin.id, resolver, clientId, (r) => elementId(r, 'Goal'), issues);
    if (action) actions.push(action);
  });
  if (foreign > 0) issues.push(`CarePlan: ${foreign} élément(s) d'autres contributeurs non repris`);

  const status = PLAN_STATUS_FROM_FHIR[plan.status];
  if (!status) issues.push(`CarePlan.status ${plan.status} sans équivalent ; plan lu comme brouillon`);
  const author = resolver.resolve(plan.author, 'Practitioner');
  const id = plan.identifier?.find((i) => i.system === sourceIdentifierSystem(clientId, 'care-plan'))?.value;
  return compact({
    id: id ?? plan.id ?? '',
    status: status ?? 'draft',
    title: plan.title,
    description: plan.description,
    period: plan.period ? compact({ start: plan.period.start, end: plan.period.end }) : undefined,
    reviewOn: plan.extension?.find((e) => e.url === EXTENSION.planReviewDate)?.valueDate,
    author: author ? practitionerIdentity(author, clientId) : undefined,
    problems,
    goals,
    actions,
  });
}

function problemFromFhir(condition: Condition, id: string, issues: string[]): CaseProblem {
  const domain = codeOf(condition.category, CODE_SYSTEM.problemDomain);
  if (!isCode(PROBLEM_DOMAINS, domain)) issues.push(`Condition ${id}: domaine absent ; lu comme « sante »`);
  return { id, label: condition.code?.text ?? '', domain: isCode(PROBLEM_DOMAINS, domain) ? domain : 'sante' };
}

function goalFromFhir(goal: Goal, id: string, problemId: (r: Reference) => string | undefined): CaseGoal {
  const problemIds = (goal.addresses ?? []).map(problemId).filter((x): x is string => x !== undefined);
  return compact({
    id,
    label: goal.description.text ?? '',
    problemIds: problemIds.length > 0 ? problemIds : undefined,
    dueOn: goal.target?.[0]?.dueDate,
  });
}

function actionFromFhir(
  activity: CarePlanActivity, id: string, resolver: Resolver, clientId: string,
  goalId: (r: Reference) => string | undefined, issues: string[],
): CaseAction | undefined {
  const detail = activity.detail;
  const kind = codeOf(detail?.code, CODE_SYSTEM.actionKind);
  if (!detail || !isCode(ACTION_KINDS, kind) || !isCode(ACTION_STATUSES, detail.status)) {
    issues.push(`CarePlan.activity ${id}: type ou statut hors liste ; non reprise`);
    return undefined;
  }
  const party = resolveParty(detail.performer?.[0], resolver);
  let responsible: CaseResponsible | undefined;
  if (party?.practitioner || party?.organization) {
    responsible = compact({
      ...(party.practitioner ? practitionerIdentity(party.practitioner, clientId) : {}),
      organization: party.organization ? organizationIdentity(party.organization, clientId) : undefined,
    }) as CaseResponsible;
  }
  const goalIds = (detail.goal ?? []).map(goalId).filter((x): x is string => x !== undefined);
  return compact({
    id,
    label: detail.description ?? '',
    kind,
    status: detail.status,
    responsible,
    goalIds: goalIds.length > 0 ? goalIds : undefined,
    schedule: detail.scheduledString,
  });
}
