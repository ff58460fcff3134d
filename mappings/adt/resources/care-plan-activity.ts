/**
 * The plan activity a discharge adds (SPEC §3): *réévaluation du PPS après la sortie*, status
 * not-started. It is a plan element of the hospital client: its origin extension (SPEC §5)
 * names that client and an element id derived from the stay, so that
 * - the DAC's own case writes keep it (they replace only their own elements),
 * - a replayed A03 finds it instead of adding a second one,
 * - an A13 finds it and cancels it.
 * detail.code reuses the case vocabulary (`action-kind#evaluation`), so the case view reads it.
 * All functions are pure: they take the current CarePlan and return an updated copy.
 */
import type { CarePlan, CarePlanActivity, Organization, Reference } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION } from '../../../profiles/canonical.js';
import { ACTION_KINDS } from '../../case/code-lists.js';
import { DISCHARGE_EVENT } from '../code-maps.js';

/** Inputs of {@link reassessmentActivity}. */
export interface ReassessmentInput {
  /** The hospital client (origin). */
  clientId: string;
  /** `visitKeyOf(encounter identifier)`. */
  visitKey: string;
  /** When the person left: the reassessment is due from then (detail.scheduledPeriod.start). */
  dischargeDateTime?: string | undefined;
  /** Who should do it: the coordinating organization. */
  performerRef?: Reference<Organization> | undefined;
}

/** The element id of the reassessment activity of a stay, within the hospital client's origin. */
export function reassessmentElementId(visitKey: string): string {
  return `sortie/${visitKey}`;
}

/** The *réévaluation du PPS après la sortie* activity (not-started). */
export function reassessmentActivity(input: ReassessmentInput): CarePlanActivity {
  return {
    extension: [{
      url: EXTENSION.origin,
      extension: [
        { url: 'client', valueString: input.clientId },
        { url: 'id', valueString: reassessmentElementId(input.visitKey) },
      ],
    }],
    detail: {
      code: { coding: [{ system: CODE_SYSTEM.actionKind, code: 'evaluation', display: ACTION_KINDS.evaluation.display }] },
      // R4 reasonReference cannot point at an Encounter: the reason is the discharge event itself.
      reasonCode: [{ coding: [{ ...DISCHARGE_EVENT }], text: "Sortie d'hospitalisation" }],
      status: 'not-started',
      ...(input.dischargeDateTime !== undefined ? { scheduledPeriod: { start: input.dischargeDateTime } } : {}),
      description: "Réévaluation du PPS après la sortie d'hospitalisation",
      ...(input.performerRef !== undefined ? { performer: [{ ...input.performerRef }] } : {}),
    },
  };
}

/** True when `activity` carries the origin (client — any when undefined —, element id). */
export function hasOrigin(activity: CarePlanActivity, clientId: string | undefined, elementId: string): boolean {
  const origin = activity.extension?.find((e) => e.url === EXTENSION.origin);
  const sub = (url: string) => origin?.extension?.find((e) => e.url === url)?.valueString;
  return (clientId === undefined || sub('client') === clientId) && sub('id') === elementId;
}

/**
 * The plan with the reassessment activity: added when absent, reset to not-started when a
 * previous one was cancelled (an A13 then a new A03); undefined when the plan already has it
 * open or done (a replay changes nothing).
 */
export function withReassessment(plan: CarePlan, activity: CarePlanActivity, clientId: string, visitKey: string): CarePlan | undefined {
  const elementId = reassessmentElementId(visitKey);
  const activities = plan.activity ?? [];
  const index = activities.findIndex((a) => hasOrigin(a, clientId, elementId));
  if (index < 0) return { ...plan, activity: [...activities, activity] };
  if (activities[index]!.detail?.status !== 'cancelled') return undefined;
  return { ...plan, activity: activities.map((a, i) => (i === index ? activity : a)) };
}

/** The plan with the reassessment activity of the stay cancelled; undefined when there is none to cancel. */
export function cancelReassessment(plan: CarePlan, clientId: string | undefined, visitKey: string, issues: string[]): CarePlan | undefined {
  const elementId = reassessmentElementId(visitKey);
  const activities = plan.activity ?? [];
  const index = activities.findIndex((a) => hasOrigin(a, clientId, elementId));
  if (index < 0) return undefined;
  const current = activities[index]!;
  const status = current.detail?.status;
  if (status === 'cancelled') return undefined;
  if (status === 'completed') {
    issues.push('CarePlan.activity: discharge cancelled but the reassessment is completed; left as it is');
    return undefined;
  }
  const cancelled: CarePlanActivity = { ...current, detail: { ...current.detail, status: 'cancelled', statusReason: { text: "Sortie annulée par l'établissement (A13)" } } };
  return { ...plan, activity: activities.map((a, i) => (i === index ? cancelled : a)) };
}
