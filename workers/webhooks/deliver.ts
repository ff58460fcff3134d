/**
 * The `webhooks` worker: one job = one event POSTed, signed, to one subscription (SPEC §6).
 *
 * - 2xx: done. 410 Gone: the subscription is disabled, nothing more is sent to it.
 * - any other answer, a timeout or a network error: the attempt fails and BullMQ retries it with
 *   the `webhooks` policy (`WEBHOOK_RETRY`, ≥ 24 h); after the last attempt the job stays failed,
 *   a dead letter (`dead-letters.ts`), replayable.
 * - a URL the guard refuses (private address without `ALLOW_PRIVATE_WEBHOOKS`): a dead letter at once.
 * - per (subscription, patient), deliveries go out in publication order (`line-gate.ts`).
 * - a FHIR client's subscription (`sub.fhir`) gets a notification Bundle instead, numbered per
 *   subscription (`fhir-notification.ts`, `event-numbers.ts`), unsigned, with its own headers;
 *   an event its filter rejects, or one after its `end`, is skipped like a deleted subscription's.
 *
 * Delivery is at least once: a worker killed after the receiver answered runs the job again, so
 * receivers dedupe on `X-Passerelle-Delivery`, the same on every retry and replay.
 *
 * @example
 *   const deliverer = createWebhookDeliverer({ redis, queues, prefix: config.QUEUE_PREFIX, urlGuard, logger });
 *   workers.push(await runWorker('webhooks', deliverer.process, { connection: redis, prefix, concurrency, logger }));
 *   closers.push(() => deliverer.close()); // after the worker
 */
import { OperationOutcomeError, badRequest, getStatus } from '@medplum/core';
import { UnrecoverableError } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { request } from 'undici';
import { EventStore } from '../events/event-store.js';
import type { StoredEvent } from '../events/event.js';
import { isPermanentStatus, type JobProcessor, type JobQueues, type JobResults } from '../queue/index.js';
import { DeadLetters } from './dead-letters.js';
import { deliveryIdOf } from './delivery-id.js';
import { DeliveryLine } from './delivery-line.js';
import { WebhookDeliveryError } from './delivery-error.js';
import { EventNumbers } from './event-numbers.js';
import { FHIR_NOTIFICATION_CONTENT_TYPE, fhirNotification, passesFilter } from './fhir-notification.js';
import { LineGate } from './line-gate.js';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signatureHeader } from './signature.js';
import { isLive, type FhirChannel, type Subscription } from './subscription.js';
import { SubscriptionStore } from './subscription-store.js';
import { findForbiddenAddress, type UrlGuard } from './url-guard.js';

/** Deadline of one attempt (connect, headers, body): a receiver should answer fast and work later. */
export const DELIVERY_TIMEOUT_MS = 10_000;

/** Bytes of a receiver's answer read before the connection is let go; the content is ignored. */
const ANSWER_READ_LIMIT = 64 * 1024;

const USER_AGENT = 'Passerelle-Webhooks/0.1';

export interface WebhookDelivererDeps {
  /** Subscriptions, events, lines and dead letters live here (`connectRedis`). */
  redis: Redis;
  /** The producers' registry: the line gate looks up and promotes other deliveries of a pair. */
  queues: JobQueues;
  /** `QUEUE_PREFIX`, the same as the queues and the publisher. */
  prefix: string;
  /** Built from `ALLOW_PRIVATE_WEBHOOKS`; its agent is the only way deliveries reach the network. */
  urlGuard: UrlGuard;
  timeoutMs?: number;
  /** See `DEFAULT_PARK_MS` (tests shrink it). */
  parkMs?: number;
  /** See `DEFAULT_TICKET_GRACE_MS`. */
  ticketGraceMs?: number;
  now?: () => Date;
  logger?: Logger;
}

export interface WebhookDeliverer {
  /** The processor to give `runWorker('webhooks', …)`. */
  process: JobProcessor<'webhooks'>;
  /** Closes the HTTP agent; call after the worker has stopped. */
  close(): Promise<void>;
}

/** What a job that sent nothing returns: `status` 0 and why. */
type Skipped = JobResults['webhooks'] & { skipped: string };

export function createWebhookDeliverer(deps: WebhookDelivererDeps): WebhookDeliverer {
  const timeoutMs = deps.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  const now = deps.now ?? (() => new Date());
  const subscriptions = new SubscriptionStore(deps.redis, deps.prefix, now);
  const events = new EventStore(deps.redis, deps.prefix);
  const deadLetters = new DeadLetters(deps.redis, deps.queues, deps.prefix);
  const eventNumbers = new EventNumbers(deps.redis, deps.prefix);
  const gate = new LineGate({
    line: new DeliveryLine(deps.redis, deps.prefix),
    queue: deps.queues.queue('webhooks'),
    ...(deps.parkMs !== undefined ? { parkMs: deps.parkMs } : {}),
    ...(deps.ticketGraceMs !== undefined ? { graceMs: deps.ticketGraceMs } : {}),
  });
  const agent = deps.urlGuard.createAgent({ timeoutMs });

  /** A FHIR subscription's request: its notification Bundle, numbered once per event. */
  async function fhirRequest(sub: Subscription & { fhir: FhirChannel }, event: StoredEvent, deliveryId: string) {
    const notification = fhirNotification(sub, event, await eventNumbers.numberOf(sub.id, event.id), deliveryId, now());
    return {
      body: notification.body,
      headers: {
        ...notification.headers,
        'content-type': FHIR_NOTIFICATION_CONTENT_TYPE,
        'user-agent': USER_AGENT,
        [DELIVERY_HEADER]: deliveryId,
      },
    };
  }

  async function send(sub: Subscription, event: StoredEvent, deliveryId: string, signal: AbortSignal): Promise<number> {
    if (sub.fhir) {
      const { body, headers } = await fhirRequest({ ...sub, fhir: sub.fhir }, event, deliveryId);
      return post(sub.url, body, headers, signal);
    }
    const body = JSON.stringify({
      id: event.id,
      type: event.type,
      occurredAt: event.occurredAt,
      tenant: event.tenant,
      resource: event.resource,
      patient: event.patient,
      data: event.data,
    });
    const t = Math.floor(now().getTime() / 1000);
    return post(sub.url, body, {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      [SIGNATURE_HEADER]: signatureHeader(sub.secret, body, t),
      [EVENT_HEADER]: event.type,
      [DELIVERY_HEADER]: deliveryId,
    }, signal);
  }

  /** One POST through the guarded agent; the receiver's status, or a delivery error. */
  async function post(url: string, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<number> {
    try {
      const answer = await request(url, {
        method: 'POST',
        dispatcher: agent,
        body,
        headers,
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      });
      await answer.body.dump({ limit: ANSWER_READ_LIMIT }).catch(() => undefined);
      return answer.statusCode;
    } catch (err) {
      const forbidden = findForbiddenAddress(err);
      // The host resolved differently at connect time than at the check (DNS rebinding): refused.
      if (forbidden) throw new OperationOutcomeError(badRequest(forbidden.message, 'url'));
      throw WebhookDeliveryError.fromNetwork(err, timeoutMs);
    }
  }

  const process: JobProcessor<'webhooks'> = async (job, signal) => {
    const { subscriptionId, eventId } = job.data.payload;
    const deliveryId = deliveryIdOf(subscriptionId, eventId);
    const [sub, event] = await Promise.all([subscriptions.get(subscriptionId), events.get(eventId)]);
    if (!event) throw new UnrecoverableError('the event is no longer stored (its retention has passed)');
    const skip = !sub ? 'subscription deleted'
      : !isLive(sub, now()) ? (sub.status === 'active' ? 'subscription ended' : 'subscription disabled')
        : sub.fhir && !passesFilter(sub.fhir, event) ? 'filtered out' : undefined;
    if (!sub || skip) {
      // Deleted, disabled, ended or filtered: send nothing, and let the pair's next delivery go.
      await gate.leave(subscriptionId, event.patient, eventId, true);
      const skipped: Skipped = { status: 0, skipped: skip ?? 'subscription deleted' };
      return skipped;
    }
    if (sub.tenant !== event.tenant) throw new UnrecoverableError('event and subscription belong to different tenants');

    const turn = await gate.turn(subscriptionId, event.patient, eventId);
    if (!turn.go) return gate.park(job, event.patient);

    let status: number;
    try {
      await deps.urlGuard.check(sub.url);
      status = await send(sub, event, deliveryId, signal);
      if (status !== 410 && (status < 200 || status > 299)) throw WebhookDeliveryError.fromStatus(status);
    } catch (err) {
      const permanent = err instanceof UnrecoverableError || (err instanceof OperationOutcomeError && isPermanentStatus(getStatus(err.outcome)));
      if (permanent) deps.logger?.warn({ subscriptionId, deliveryId }, 'webhook URL refused: delivery dead-lettered');
      if (permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
        // Last attempt: a dead letter, out of the line so the pair's next deliveries go on.
        await deadLetters.record(subscriptionId, deliveryId, now().getTime());
        await gate.leave(subscriptionId, event.patient, eventId, turn.head);
      }
      throw err;
    }

    if (status === 410) {
      await subscriptions.disable(subscriptionId);
      deps.logger?.info({ subscriptionId, deliveryId }, 'receiver answered 410 Gone: subscription disabled');
    }
    await deadLetters.forget(subscriptionId, deliveryId);
    await gate.leave(subscriptionId, event.patient, eventId, turn.head);
    return { status };
  };

  return { process, close: () => agent.close() };
}
