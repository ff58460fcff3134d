/**
 * SubscriptionTopics of the R4 Subscriptions Backport: one per outbound event type (SPEC §6),
 * so a FHIR client subscribes to the same stream as a webhook subscriber, in FHIR terms. The
 * table says which resource type an event is about (the notification's `focus`) and whether
 * the event created it or changed it (the focus entry's `request.method`).
 *
 * Keys are the event types of `workers/events/event-types.ts`; a test checks both lists agree.
 */
import { subscriptionTopicUrl } from '../../profiles/canonical.js';

export interface TopicSpec {
  /** The topic's canonical URL: what a client puts in `Subscription.criteria`. */
  readonly url: string;
  /** Resource type of the event's focus (`CarePlan/<id>` for `careplan.updated`). */
  readonly focusType: string;
  /** `create` when the event announces a new resource, `update` when it announces a change. */
  readonly interaction: 'create' | 'update';
  readonly title: string;
}

export const TOPICS = {
  'patient.admitted': { url: subscriptionTopicUrl('patient-admitted'), focusType: 'Encounter', interaction: 'update', title: 'Admission à l\'hôpital (A01 / A04, notification-admit)' },
  'patient.discharged': { url: subscriptionTopicUrl('patient-discharged'), focusType: 'Encounter', interaction: 'update', title: 'Sortie d\'hospitalisation (A03, notification-discharge)' },
  'careplan.updated': { url: subscriptionTopicUrl('careplan-updated'), focusType: 'CarePlan', interaction: 'update', title: 'PPS modifié' },
  'careteam.updated': { url: subscriptionTopicUrl('careteam-updated'), focusType: 'CareTeam', interaction: 'update', title: 'Équipe de soins modifiée' },
  'supportrequest.updated': { url: subscriptionTopicUrl('supportrequest-updated'), focusType: 'ServiceRequest', interaction: 'update', title: 'Demande d\'appui modifiée' },
  'task.created': { url: subscriptionTopicUrl('task-created'), focusType: 'Task', interaction: 'create', title: 'Tâche créée (sortie d\'hospitalisation, rapprochement d\'identité)' },
} as const satisfies Record<string, TopicSpec>;

export type TopicEventType = keyof typeof TOPICS;

/** The event type whose topic is `url`, or `undefined` for an unknown topic. */
export function eventTypeOfTopic(url: string): TopicEventType | undefined {
  return (Object.keys(TOPICS) as TopicEventType[]).find((type) => TOPICS[type].url === url);
}
