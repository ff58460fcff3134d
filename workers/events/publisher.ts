/**
 * `publishEvent`: stores an event once and fans it out, one `webhooks` job per listening
 * subscription of the same tenant — except the subscriptions of the client whose write caused
 * it (SPEC §5: changes never echo back to the system that made them).
 *
 * Idempotent, because workers that call it run twice after a crash (STACK.md): the event id is a
 * digest of tenant and eventKey, the event is stored with `SET NX`, each delivery has a
 * deterministic job id and line ticket, and a "fanned out" marker is set only once every job is
 * enqueued. A publisher that died half-way redoes the fan-out (enqueues dedupe); one that
 * finished returns `duplicate` and enqueues nothing.
 *
 * Cost: storing the event, reading the fan-out marker and the listeners is one Lua script
 * (`publish-script.ts`); an event nobody else listens to is marked fanned out by that same
 * script, so it costs one Redis round trip. Each listener then adds a ticket and an enqueue, and
 * the publication ends with the marker.
 *
 * @example
 *   const events = createEventPublisher({ redis, queues, prefix: config.QUEUE_PREFIX });
 *   await events.publishEvent({
 *     type: 'patient.discharged', tenant: trace.tenant, sourceClientId: trace.clientId,
 *     patientRef: 'Patient/123', resourceRef: 'Encounter/456', occurredAt: '2024-03-12T10:00:00+01:00',
 *     data: { stay: { visitNumber: 'V42', dischargedOn: '2024-03-12' } },
 *     eventKey: `hl7-${messageId}-discharged`, requestId: trace.requestId,
 *   });
 */
import { OperationOutcomeError, badRequest } from '@medplum/core';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { JobQueues } from '../queue/index.js';
import { deliveryIdOf, webhookJobId } from '../webhooks/delivery-id.js';
import { DeliveryLine } from '../webhooks/delivery-line.js';
import { WebhookKeys } from '../webhooks/keys.js';
import { listensTo, subscriptionFromHash } from '../webhooks/subscription-store.js';
import type { Subscription } from '../webhooks/subscription.js';
import { eventIdOf, PublishEventInputSchema, type PublishEventInput, type StoredEvent } from './event.js';
import { EventStore } from './event-store.js';

export interface EventPublisherDeps {
  /** Where events, subscriptions and delivery lines live (`connectRedis`). */
  redis: Redis;
  /** Delivery jobs go to its `webhooks` queue. */
  queues: JobQueues;
  /** `QUEUE_PREFIX`: the same as the queues and the delivery worker. */
  prefix: string;
  logger?: Logger;
}

export interface PublishResult {
  eventId: string;
  /** True when this eventKey was already published (nothing new was stored). */
  duplicate: boolean;
  /** Delivery ids enqueued by this call (empty for a finished duplicate). */
  deliveries: string[];
}

export interface EventPublisher {
  /**
   * Stores the event (once per tenant and eventKey) and enqueues its deliveries.
   * @throws OperationOutcomeError (400) when the input is malformed: a bug of the caller, so the
   *   calling job fails at once rather than retrying.
   */
  publishEvent(input: PublishEventInput): Promise<PublishResult>;
}

export function createEventPublisher(deps: EventPublisherDeps): EventPublisher {
  const events = new EventStore(deps.redis, deps.prefix);
  const keys = new WebhookKeys(deps.prefix);
  const line = new DeliveryLine(deps.redis, deps.prefix);

  return {
    async publishEvent(input) {
      const parsed = PublishEventInputSchema.safeParse(input);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new OperationOutcomeError(badRequest(`invalid event: ${issue?.message ?? 'malformed'}`, issue?.path.join('.')));
      }
      const { type, tenant, sourceClientId, patientRef, resourceRef, data, occurredAt, eventKey, requestId } = parsed.data;
      const event: StoredEvent = {
        id: eventIdOf(tenant, eventKey),
        type,
        tenant,
        sourceClientId,
        patient: patientRef,
        resource: resourceRef,
        data,
        occurredAt,
        ...(requestId ? { requestId } : {}),
      };
      // One round trip: stored (or found), fan-out state, and who listens (not the source client).
      const stored = await events.putAndReadListeners(event, {
        listenersKey: keys.listeners(tenant, type),
        subscriptionKeyPrefix: keys.subscription(''),
        sourceClientId,
      });
      // Finished earlier (a duplicate), or finished now because nobody listens.
      if (stored.fannedOut) return { eventId: event.id, duplicate: !stored.created, deliveries: [] };

      const now = new Date();
      const listeners = stored.listenerHashes
        .map(subscriptionFromHash)
        .filter((s): s is Subscription => s !== undefined && s.clientId !== sourceClientId && listensTo(s, tenant, type, now));
      const deliveries = await Promise.all(
        listeners.map(async (sub) => {
          const deliveryId = deliveryIdOf(sub.id, event.id);
          // Ticket first, job second: a job never runs before its place in line exists.
          await line.takeTicket(sub.id, event.patient, event.id);
          await deps.queues.enqueue(
            'webhooks',
            { subscriptionId: sub.id, eventId: event.id },
            // The delivery belongs to the subscriber: its status is answered to that client only.
            { trace: { requestId: requestId ?? event.id, clientId: sub.clientId, tenant }, jobId: webhookJobId(deliveryId) },
          );
          return deliveryId;
        }),
      );
      await events.markFannedOut(event.id);
      deps.logger?.debug({ eventId: event.id, type, deliveries: deliveries.length }, 'event published');
      return { eventId: event.id, duplicate: !stored.created, deliveries };
    },
  };
}
