/**
 * One delivery = one event to one subscription. Its id is derived from both, so it is the same
 * on every retry and replay: receivers dedupe on it (`X-Passerelle-Delivery`), and the job id
 * built from it makes a repeated fan-out enqueue nothing new while the job is kept.
 *
 * @example
 *   deliveryIdOf('sub_3f…', 'evt_9a…')   // 'sub_3f….evt_9a…'
 *   webhookJobId('sub_3f….evt_9a…')      // 'webhooks-sub_3f….evt_9a…'
 */
import { EVENT_ID_PATTERN } from '../events/event.js';
import { makeJobId } from '../queue/index.js';
import { SUBSCRIPTION_ID_PATTERN } from './subscription.js';

export function deliveryIdOf(subscriptionId: string, eventId: string): string {
  return `${subscriptionId}.${eventId}`;
}

/** The parts of a delivery id, or `undefined` when it is not one. */
export function parseDeliveryId(deliveryId: string): { subscriptionId: string; eventId: string } | undefined {
  const [subscriptionId, eventId, ...rest] = deliveryId.split('.');
  if (rest.length > 0 || subscriptionId === undefined || eventId === undefined) return undefined;
  if (!SUBSCRIPTION_ID_PATTERN.test(subscriptionId) || !EVENT_ID_PATTERN.test(eventId)) return undefined;
  return { subscriptionId, eventId };
}

/** The `webhooks` job id of a delivery. */
export function webhookJobId(deliveryId: string): string {
  return makeJobId('webhooks', deliveryId);
}
