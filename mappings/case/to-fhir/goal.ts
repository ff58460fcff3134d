/**
 * Goal — an objective of the plan. Its lifecycle follows the plan's status (a draft plan
 * proposes its goals, a cancelled or revoked plan cancels them). Owned by the case:
 * conditional update keyed on `<caseId>/<goal id>`.
 */
import type { BundleEntry, Goal } from '@medplum/fhirtypes';
import { PLAN_STATUSES } from '../code-lists.js';
import type { CaseGoal, CasePlan } from '../schema.js';
import { caseScopedValue, conditionalUpdate, originExtension, ref, resourceMeta, sourceIdentifier, type MappingState } from './context.js';
import type { CaseUrls } from './urls.js';

/** The Goal entry of one goal of `plan`. */
export function goalEntry(goal: CaseGoal, plan: CasePlan, state: MappingState, urls: CaseUrls): BundleEntry {
  const key = sourceIdentifier(state.ctx, 'goal', caseScopedValue(state.ctx, goal.id));
  const resource: Goal = {
    resourceType: 'Goal',
    meta: resourceMeta(state.ctx),
    extension: [originExtension(state.ctx, goal.id)],
    identifier: [key],
    lifecycleStatus: state.mode === 'revoke' ? 'cancelled' : PLAN_STATUSES[plan.status].goal,
    description: { text: goal.label },
    subject: ref(urls.patient),
    ...(goal.dueOn !== undefined ? { target: [{ dueDate: goal.dueOn }] } : {}),
    ...(goal.problemIds && goal.problemIds.length > 0 ? { addresses: goal.problemIds.map((id) => ref(urls.condition(id))) } : {}),
  };
  return conditionalUpdate(resource, urls.goal(goal.id), key);
}
