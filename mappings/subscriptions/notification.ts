/**
 * Notification Bundles of the R4 Subscriptions Backport (profile
 * `backport-subscription-notification-r4`): a `history` Bundle whose first entry is the
 * SubscriptionStatus, carried in R4 as a `Parameters` (`backport-subscription-status-r4`),
 * then — for `id-only` — one entry per focus resource with its URL and no content.
 * The same status `Parameters` answers `$status` (type `query-status`).
 *
 * Pure and deterministic: ids and the timestamp are given by the caller.
 *
 * @example
 *   notificationBundle({
 *     bundleId: '…', statusId: '…', timestamp: '2026-11-24T10:00:00Z',
 *     status: { subscriptionUrl: 'https://gw/fhir/Subscription/sub-1', topic: TOPICS['careplan.updated'].url,
 *               state: 'active', type: 'event-notification', eventsSinceStart: 2 },
 *     event: { number: 2, timestamp: '2026-11-24T09:59:58Z', focusUrl: 'https://gw/fhir/CarePlan/42', focusRef: 'CarePlan/42', interaction: 'update' },
 *     content: 'id-only',
 *   });
 */
import type { Bundle, BundleEntry, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { SUBSCRIPTIONS_BACKPORT } from '../../profiles/canonical.js';
import type { PayloadContent } from './subscription-request.js';

export type NotificationType = 'handshake' | 'heartbeat' | 'event-notification' | 'query-status';

export interface StatusInput {
  /** Absolute URL of the Subscription (`<facade base>/Subscription/<id>`). */
  readonly subscriptionUrl: string;
  readonly topic: string;
  /** The subscription's status when the notification is generated. */
  readonly state: 'requested' | 'active' | 'off' | 'error';
  readonly type: NotificationType;
  /** Events numbered for this subscription so far (this one included). */
  readonly eventsSinceStart: number;
}

export interface EventInput {
  /** Sequential number of the event for this subscription, kept across retries. */
  readonly number: number;
  /** When the event happened (an instant). */
  readonly timestamp: string;
  /** Absolute URL of the focus through the facade. */
  readonly focusUrl: string;
  /** `<Type>/<id>` of the focus. */
  readonly focusRef: string;
  /** Whether the event created the focus (`POST`) or changed it (`PUT`). */
  readonly interaction: 'create' | 'update';
}

export interface NotificationInput {
  readonly bundleId: string;
  /** Id of the status `Parameters` (its fullUrl is `urn:uuid:<statusId>`: give a UUID). */
  readonly statusId: string;
  readonly timestamp: string;
  readonly status: StatusInput;
  readonly event?: EventInput;
  readonly content: PayloadContent;
}

/** The SubscriptionStatus of R4: a `Parameters`. `event` only with content other than `empty`'s focus. */
export function statusParameters(id: string, status: StatusInput, event?: EventInput, content: PayloadContent = 'id-only'): Parameters {
  const parameter: ParametersParameter[] = [
    { name: 'subscription', valueReference: { reference: status.subscriptionUrl } },
    // The IG: SHOULD NOT be present with empty payloads, MAY with id-only.
    ...(content === 'empty' ? [] : [{ name: 'topic', valueCanonical: status.topic }]),
    { name: 'status', valueCode: status.state },
    { name: 'type', valueCode: status.type },
    { name: 'events-since-subscription-start', valueString: String(status.eventsSinceStart) },
  ];
  if (event) {
    parameter.push({
      name: 'notification-event',
      part: [
        { name: 'event-number', valueString: String(event.number) },
        { name: 'timestamp', valueInstant: event.timestamp },
        // Empty payloads SHALL NOT reference resources.
        ...(content === 'empty' ? [] : [{ name: 'focus', valueReference: { reference: event.focusUrl } }]),
      ],
    });
  }
  return { resourceType: 'Parameters', id, meta: { profile: [SUBSCRIPTIONS_BACKPORT.statusProfile] }, parameter };
}

/** The `$status` URL of a subscription: the status entry's `request.url`. */
function statusUrl(subscriptionUrl: string): string {
  return `${subscriptionUrl}/$status`;
}

/** One notification Bundle (event, handshake or heartbeat). */
export function notificationBundle(input: NotificationInput): Bundle {
  const entries: BundleEntry[] = [{
    fullUrl: `urn:uuid:${input.statusId}`,
    resource: statusParameters(input.statusId, input.status, input.event, input.content),
    request: { method: 'GET', url: statusUrl(input.status.subscriptionUrl) },
    response: { status: '200' },
  }];
  const event = input.event;
  if (event && input.content === 'id-only') {
    // History bundles need request and response on each entry (bdl-3, bdl-4); id-only: no resource.
    entries.push(event.interaction === 'create'
      ? { fullUrl: event.focusUrl, request: { method: 'POST', url: event.focusRef.split('/')[0]! }, response: { status: '201' } }
      : { fullUrl: event.focusUrl, request: { method: 'PUT', url: event.focusRef }, response: { status: '200' } });
  }
  return {
    resourceType: 'Bundle',
    id: input.bundleId,
    meta: { profile: [SUBSCRIPTIONS_BACKPORT.notificationProfile] },
    type: 'history',
    timestamp: input.timestamp,
    entry: entries,
  };
}

/** The answer of `$status`: a `searchset` Bundle of status `Parameters`, one per subscription. */
export function statusSearchset(bundleId: string, statuses: readonly { id: string; status: StatusInput }[]): Bundle {
  return {
    resourceType: 'Bundle',
    id: bundleId,
    type: 'searchset',
    total: statuses.length,
    entry: statuses.map(({ id, status }) => ({
      fullUrl: `urn:uuid:${id}`,
      resource: statusParameters(id, status),
      search: { mode: 'match' },
    })),
  };
}
