/**
 * CarePlan — the PPS / PPCS. Owned by the case: conditional update keyed on the case id
 * (the plan's own id travels as a second identifier). Each activity carries its origin
 * (client, case, action id) so the multi-contributor merge can keep other clients' activities.
 *
 * - status: our plan status mapped to CarePlan.status (cancelled → revoked); DELETE → revoked;
 * - category: PPS (Passerelle code system: no national code exists, SPEC §4);
 * - reviewOn: the `plan-review-date` extension (R4 has no element for it);
 * - activity.detail: code = action kind, description = label, status, performer, goal refs,
 *   scheduledString = schedule. detail.kind (a FHIR resource type) is left out: our actions
 *   are not requests of another resource.
 */
import type { BundleEntry, CarePlan, CarePlanActivity } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, PROFILE } from '../../../profiles/canonical.js';
import { ACTION_STATUSES, PLAN_STATUSES, ourCoding } from '../code-lists.js';
import type { CaseAction, CaseDocument } from '../schema.js';
import { conditionalUpdate, originExtension, ref, resourceMeta, sourceIdentifier, type MappingState } from './context.js';
import { partyUrl, type PartyIndex } from './parties.js';
import type { CaseUrls } from './urls.js';

/** The category coding of a PPS. */
export const PPS_CATEGORY = {
  system: CODE_SYSTEM.carePlanCategory,
  code: 'pps',
  display: 'Plan personnalisé de coordination en santé (PPS / PPCS)',
} as const;

/** The CarePlan entry of the case, or undefined when the case has no plan. */
export function carePlanEntry(doc: CaseDocument, state: MappingState, urls: CaseUrls, parties: PartyIndex): BundleEntry | undefined {
  const plan = doc.plan;
  if (!plan) return undefined;
  const key = sourceIdentifier(state.ctx, 'case', state.ctx.caseId);
  const author = plan.author ? parties.practitioner(plan.author).fullUrl : undefined;
  const resource: CarePlan = {
    resourceType: 'CarePlan',
    meta: resourceMeta(state.ctx, PROFILE.carePlan),
    ...(plan.reviewOn !== undefined ? { extension: [{ url: EXTENSION.planReviewDate, valueDate: plan.reviewOn }] } : {}),
    identifier: [key, sourceIdentifier(state.ctx, 'care-plan', plan.id)],
    status: state.mode === 'revoke' ? 'revoked' : PLAN_STATUSES[plan.status].fhir,
    intent: 'plan',
    category: [{ coding: [{ ...PPS_CATEGORY }] }],
    ...(plan.title !== undefined ? { title: plan.title } : {}),
    ...(plan.description !== undefined ? { description: plan.description } : {}),
    subject: ref(urls.patient),
    ...(plan.period ? { period: { ...plan.period } } : {}),
    ...(author ? { author: ref(author) } : {}),
    ...(doc.team ? { careTeam: [ref(urls.careTeam)] } : {}),
    ...(plan.problems.length > 0 ? { addresses: plan.problems.map((p) => ref(urls.condition(p.id))) } : {}),
    ...(doc.supportRequest ? { supportingInfo: [ref(urls.serviceRequest)] } : {}),
    ...(plan.goals.length > 0 ? { goal: plan.goals.map((g) => ref(urls.goal(g.id))) } : {}),
    ...(plan.actions.length > 0 ? { activity: plan.actions.map((a) => activity(a, state, urls, parties)) } : {}),
  };
  return conditionalUpdate(resource, urls.carePlan, key);
}

function activity(action: CaseAction, state: MappingState, urls: CaseUrls, parties: PartyIndex): CarePlanActivity {
  const r = action.responsible;
  const performer = r ? partyUrl(parties, r, r.organization) : undefined;
  return {
    extension: [originExtension(state.ctx, action.id)],
    detail: {
      code: { coding: [ourCoding('actionKind', action.kind)] },
      status: ACTION_STATUSES[action.status].fhir,
      description: action.label,
      ...(performer ? { performer: [ref(performer)] } : {}),
      ...(action.goalIds && action.goalIds.length > 0 ? { goal: action.goalIds.map((id) => ref(urls.goal(id))) } : {}),
      ...(action.schedule !== undefined ? { scheduledString: action.schedule } : {}),
    },
  };
}
