/**
 * Redis key layout of webhooks. `P` is the queue prefix (`QUEUE_PREFIX`); `{tenant}`, `{client}`
 * and `{patient}` are `encodeURIComponent`-encoded, so no part contains `:`. Subscription ids
 * (`sub_…`) and event ids (`evt_…`) contain no `:` either.
 *
 * | key                          | type   | holds                                                    |
 * |------------------------------|--------|----------------------------------------------------------|
 * | `P:wh:s:{subId}`             | hash   | the subscription (url, events, secret, owner, status)    |
 * | `P:wh:c:{tenant}:{client}`   | set    | ids of a client's subscriptions (listing)                |
 * | `P:wh:e:{tenant}:{type}`     | set    | ids of the active subscriptions to an event type (fan-out)|
 * | `P:wh:d:{subId}`             | zset   | dead-lettered delivery ids, score = ms of the failure    |
 * | `P:wh:o:{subId}:{patient}`   | zset   | deliveries of the pair not yet done, score = ticket      |
 * | `P:wh:o:{subId}:{patient}:t` | string | last ticket given for the pair                           |
 * | `P:wh:n:{subId}`             | string | FHIR subscriptions: events numbered so far               |
 * | `P:wh:n:{subId}:e`           | hash   | FHIR subscriptions: event id → its event number          |
 */
import type { EventType } from '../events/event-types.js';

function segment(value: string): string {
  return encodeURIComponent(value);
}

export class WebhookKeys {
  constructor(readonly prefix: string) {}

  subscription(id: string): string {
    return `${this.prefix}:wh:s:${id}`;
  }

  clientSubscriptions(tenant: string, clientId: string): string {
    return `${this.prefix}:wh:c:${segment(tenant)}:${segment(clientId)}`;
  }

  listeners(tenant: string, type: EventType): string {
    return `${this.prefix}:wh:e:${segment(tenant)}:${type}`;
  }

  deadLetters(subscriptionId: string): string {
    return `${this.prefix}:wh:d:${subscriptionId}`;
  }

  eventCount(subscriptionId: string): string {
    return `${this.prefix}:wh:n:${subscriptionId}`;
  }

  eventNumbers(subscriptionId: string): string {
    return `${this.prefix}:wh:n:${subscriptionId}:e`;
  }

  order(subscriptionId: string, patientRef: string): string {
    return `${this.prefix}:wh:o:${subscriptionId}:${segment(patientRef)}`;
  }
}
