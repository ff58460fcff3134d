/**
 * Dead letters of webhooks: deliveries whose attempts are exhausted (≥ 24 h of retries) or that
 * failed for good (URL refused). The job itself stays in BullMQ's failed set (30 days,
 * `FAILED_RETENTION`); this module keeps a per-subscription index of them, so a client can list
 * its own without a scan of every failed job, and replays one with `retryFailed` (fresh attempts).
 * Operators reach the same jobs with `listFailed(queues, 'webhooks')` / `retryFailed(queues,
 * 'webhooks-<deliveryId>')`, whatever admin endpoint exposes them.
 *
 * The index is written by the delivery worker; entries whose job was replayed and delivered, or
 * has expired, are dropped when met.
 */
import type { Redis } from 'ioredis';
import { EventStore } from '../events/event-store.js';
import type { EventType } from '../events/event-types.js';
import { FAILED_RETENTION, getJobStatus, retryFailed, type JobQueues, type JobStatus } from '../queue/index.js';
import { parseDeliveryId, webhookJobId } from './delivery-id.js';
import { WebhookKeys } from './keys.js';

export interface DeadLetter {
  /** Also the `X-Passerelle-Delivery` header the receiver would have seen. */
  deliveryId: string;
  eventId: string;
  /** The event's type and references; absent once the event's retention has passed. */
  type?: EventType;
  patient?: string;
  resource?: string;
  occurredAt?: string;
  failedAt: string;
  attemptsMade: number;
  /** Why the last attempt failed (status answered, network error, refused address). */
  error: string;
}

export const MAX_DEAD_LETTER_PAGE = 200;

export class DeadLetters {
  private readonly keys: WebhookKeys;
  private readonly events: EventStore;

  constructor(
    private readonly redis: Redis,
    private readonly queues: JobQueues,
    prefix: string,
  ) {
    this.keys = new WebhookKeys(prefix);
    this.events = new EventStore(redis, prefix);
  }

  /** Records a dead letter; entries past the failed-job retention are trimmed on the way. */
  async record(subscriptionId: string, deliveryId: string, at: number = Date.now()): Promise<void> {
    const key = this.keys.deadLetters(subscriptionId);
    await this.redis
      .multi()
      .zadd(key, at, deliveryId)
      .zremrangebyscore(key, '-inf', at - FAILED_RETENTION.age * 1000)
      .exec();
  }

  /** Drops a delivery from the index (delivered after a replay). */
  async forget(subscriptionId: string, deliveryId: string): Promise<void> {
    await this.redis.zrem(this.keys.deadLetters(subscriptionId), deliveryId);
  }

  /**
   * The dead letters of a subscription, newest first. The caller has checked that the client
   * owns the subscription. Replays in flight are not listed (they are no longer dead).
   */
  async list(subscriptionId: string, page: { offset?: number; limit?: number } = {}): Promise<DeadLetter[]> {
    const offset = Math.max(0, page.offset ?? 0);
    const limit = Math.min(MAX_DEAD_LETTER_PAGE, Math.max(1, page.limit ?? 50));
    const ids = await this.redis.zrevrange(this.keys.deadLetters(subscriptionId), offset, offset + limit - 1);
    const letters = await Promise.all(ids.map((id) => this.read(subscriptionId, id)));
    return letters.filter((l): l is DeadLetter => l !== undefined);
  }

  /**
   * Replays a dead letter of `subscriptionId`; `undefined` when there is no such dead letter.
   * @throws OperationOutcomeError (409) when it is already being replayed.
   */
  async replay(subscriptionId: string, deliveryId: string): Promise<JobStatus | undefined> {
    if (parseDeliveryId(deliveryId)?.subscriptionId !== subscriptionId) return undefined;
    const indexed = await this.redis.zscore(this.keys.deadLetters(subscriptionId), deliveryId);
    if (indexed === null) return undefined;
    const status = await retryFailed(this.queues, webhookJobId(deliveryId));
    if (!status) await this.forget(subscriptionId, deliveryId);
    return status;
  }

  private async read(subscriptionId: string, deliveryId: string): Promise<DeadLetter | undefined> {
    const parts = parseDeliveryId(deliveryId);
    const status = parts ? await getJobStatus(this.queues, webhookJobId(deliveryId)) : undefined;
    if (!parts || !status || status.status === 'completed') {
      // Delivered after a replay, or expired with the failed set: no longer a dead letter.
      await this.forget(subscriptionId, deliveryId);
      return undefined;
    }
    if (status.status !== 'failed') return undefined;
    const event = await this.events.get(parts.eventId);
    return {
      deliveryId,
      eventId: parts.eventId,
      ...(event ? { type: event.type, patient: event.patient, resource: event.resource, occurredAt: event.occurredAt } : {}),
      failedAt: status.finishedAt ?? status.createdAt,
      attemptsMade: status.attemptsMade,
      error: status.error?.message ?? 'unknown',
    };
  }
}
