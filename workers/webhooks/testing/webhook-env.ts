/**
 * Test support for the webhook `*.int.test.ts` files (not a test itself): a queue test env
 * (real Redis, random prefix, cleaned up) with the publisher, the stores, a running `webhooks`
 * worker on tiny retries, and a receiver.
 */
import type { DefaultJobOptions } from 'bullmq';
import { createEventPublisher, type EventPublisher, type PublishEventInput } from '../../events/index.js';
import { createQueueTestEnv, type QueueTestEnv } from '../../queue/test-env.js';
import { DeadLetters } from '../dead-letters.js';
import { createWebhookDeliverer, type WebhookDeliverer } from '../deliver.js';
import { SubscriptionStore } from '../subscription-store.js';
import type { Subscription } from '../subscription.js';
import { UrlGuard } from '../url-guard.js';
import { eventually, startReceiver, type Receiver } from './receiver.js';

/** Retries in milliseconds: enough attempts to ride out the outages the tests stage. */
export const TEST_WEBHOOK_RETRY = { attempts: 60, backoff: { type: 'fixed', delay: 30 } } as const satisfies DefaultJobOptions;

export interface WebhookTestEnv {
  queueEnv: QueueTestEnv;
  prefix: string;
  subscriptions: SubscriptionStore;
  deadLetters: DeadLetters;
  publisher: EventPublisher;
  receiver: Receiver;
  /** Starts the `webhooks` worker (once per env). */
  startWorker(options?: { allowPrivate?: boolean; concurrency?: number; ticketGraceMs?: number }): Promise<void>;
  /** A subscription whose URL is a path of the receiver, with the receiver expecting its secret. */
  subscribe(owner: { clientId: string; tenant: string }, events: Subscription['events'], path: string): Promise<Subscription>;
  /** Resolves once no `webhooks` job is waiting, delayed or running. */
  drained(timeoutMs?: number): Promise<void>;
  cleanup(): Promise<void>;
}

export async function createWebhookTestEnv(retry: DefaultJobOptions = TEST_WEBHOOK_RETRY): Promise<WebhookTestEnv> {
  const queueEnv = await createQueueTestEnv({ webhooks: retry });
  const { redis, queues, prefix } = queueEnv;
  const receiver = await startReceiver();
  const deliverers: WebhookDeliverer[] = [];
  const subscriptions = new SubscriptionStore(redis, prefix);
  return {
    queueEnv,
    prefix,
    subscriptions,
    deadLetters: new DeadLetters(redis, queues, prefix),
    publisher: createEventPublisher({ redis, queues, prefix }),
    receiver,
    async startWorker({ allowPrivate = true, concurrency = 4, ticketGraceMs } = {}) {
      const deliverer = createWebhookDeliverer({
        redis, queues, prefix, urlGuard: new UrlGuard({ allowPrivate }), timeoutMs: 2_000, parkMs: 300, logger: queueEnv.logger,
        ...(ticketGraceMs !== undefined ? { ticketGraceMs } : {}),
      });
      deliverers.push(deliverer);
      await queueEnv.worker('webhooks', deliverer.process, concurrency);
    },
    async subscribe(owner, events, path) {
      const secret = `secret-of-${path}-0123456789`;
      receiver.expectSecret(path, secret);
      return subscriptions.create({ ...owner, url: receiver.url(path), events, secret });
    },
    async drained(timeoutMs = 15_000) {
      const queue = queues.queue('webhooks');
      await eventually('the webhooks queue to drain', async () => {
        const counts = await queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized');
        return Object.values(counts).every((n) => n === 0);
      }, timeoutMs);
    },
    async cleanup() {
      await queueEnv.cleanup();
      await Promise.all(deliverers.map((d) => d.close()));
      await receiver.close();
    },
  };
}

let keys = 0;

/** A `careplan.updated` (or other) event of `patient` written by `sourceClientId`, with a fresh eventKey. */
export function change(
  sourceClientId: string,
  tenant: string,
  patient: string,
  overrides: Partial<PublishEventInput> = {},
): PublishEventInput {
  keys++;
  return {
    type: 'careplan.updated',
    tenant,
    sourceClientId,
    patientRef: `Patient/${patient}`,
    resourceRef: `CarePlan/pps-${patient}`,
    data: { plan: { id: 'PPS-42', status: 'active', change: keys } },
    occurredAt: new Date(Date.UTC(2024, 2, 10, 9, 0, keys)).toISOString(),
    eventKey: `test-change-${keys}-${Math.random().toString(36).slice(2)}`,
    ...overrides,
  };
}
