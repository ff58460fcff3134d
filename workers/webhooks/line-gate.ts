/**
 * Per-subscriber ordering for one person (see README.md): a delivery is sent only when it is the
 * head of its (subscription, patient) line. The others are *parked* — moved back to `delayed`
 * without spending an attempt — and the head *promotes* the next one when it leaves the line
 * (delivered or dead-lettered), so the line moves at once; the park delay is only a safety net.
 *
 * A head that can no longer leave by itself is released by whoever finds it in the way: its job
 * completed or failed (e.g. failed after stalling twice, which the processor never sees), or is
 * gone for longer than `graceMs` (a fan-out that crashed between its ticket and its enqueue).
 */
import { DelayedError, type JobState } from 'bullmq';
import type { QueueJob, TypedQueue } from '../queue/index.js';
import { deliveryIdOf, webhookJobId } from './delivery-id.js';
import type { DeliveryLine } from './delivery-line.js';

/**
 * How long a parked delivery waits before it looks again if nobody promoted it: promotion is the
 * normal path, this only bounds the delay after a lost promotion (a worker killed at the wrong
 * moment). Each parked job wakes once per period, so longer means less polling while a head waits
 * out hours of backoff.
 */
export const DEFAULT_PARK_MS = 5 * 60 * 1000;

/** How long a ticket may exist without its job before it is considered orphaned. */
export const DEFAULT_TICKET_GRACE_MS = 60 * 1000;

/** Heads released in one turn at most: a bound, not a limit anyone should reach. */
const MAX_RELEASES_PER_TURN = 50;

const IN_FLIGHT: ReadonlySet<JobState | 'unknown'> = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);

export type Turn =
  /** Send now. `head`: it holds the line, and must promote the next one when it leaves it. */
  | { go: true; head: boolean }
  /** Wait: an earlier delivery of the same pair is still in flight. */
  | { go: false };

export interface LineGateOptions {
  line: DeliveryLine;
  queue: TypedQueue<'webhooks'>;
  parkMs?: number;
  graceMs?: number;
  now?: () => number;
}

export class LineGate {
  private readonly line: DeliveryLine;
  private readonly queue: TypedQueue<'webhooks'>;
  readonly parkMs: number;
  private readonly graceMs: number;
  private readonly now: () => number;

  constructor(options: LineGateOptions) {
    this.line = options.line;
    this.queue = options.queue;
    this.parkMs = options.parkMs ?? DEFAULT_PARK_MS;
    this.graceMs = options.graceMs ?? DEFAULT_TICKET_GRACE_MS;
    this.now = options.now ?? Date.now;
  }

  /** Whether the delivery of `eventId` to `subscriptionId` may be sent now. */
  async turn(subscriptionId: string, patientRef: string, eventId: string): Promise<Turn> {
    for (let i = 0; i < MAX_RELEASES_PER_TURN; i++) {
      const { mine, head } = await this.line.position(subscriptionId, patientRef, eventId);
      // Not in line: a replayed dead letter (it left the line when it failed). Sent out of order, by nature.
      if (mine === undefined) return { go: true, head: false };
      if (!head || head.eventId === eventId) return { go: true, head: true };
      const state = await this.stateOf(deliveryIdOf(subscriptionId, head.eventId));
      if (IN_FLIGHT.has(state)) return { go: false };
      if (state === 'unknown' && this.now() - head.ticket < this.graceMs) return { go: false };
      await this.line.release(subscriptionId, patientRef, head.eventId);
    }
    return { go: false };
  }

  /**
   * Parks `job` (back to delayed, no attempt spent) and throws the `DelayedError` BullMQ expects.
   * If the way cleared while parking (the head left and found this job still active, so could not
   * promote it), the job promotes itself.
   */
  async park(job: QueueJob<'webhooks'>, patientRef: string): Promise<never> {
    const { subscriptionId, eventId } = job.data.payload;
    await job.moveToDelayed(this.now() + this.parkMs, job.token);
    if ((await this.line.head(subscriptionId, patientRef)) === eventId) await ignoreRace(job.promote());
    throw new DelayedError();
  }

  /** Takes `eventId` out of the line; if it was the head, wakes the next delivery of the pair. */
  async leave(subscriptionId: string, patientRef: string, eventId: string, wasHead: boolean): Promise<void> {
    await this.line.release(subscriptionId, patientRef, eventId);
    if (!wasHead) return;
    const next = await this.line.head(subscriptionId, patientRef);
    if (next === undefined) return;
    const job = await this.queue.getJob(webhookJobId(deliveryIdOf(subscriptionId, next)));
    // Only a parked job is delayed here: the next in line has never been sent, so no backoff is cut short.
    if (job && (await job.getState()) === 'delayed') await ignoreRace(job.promote());
  }

  private async stateOf(deliveryId: string): Promise<JobState | 'unknown'> {
    const job = await this.queue.getJob(webhookJobId(deliveryId));
    return job ? job.getState() : 'unknown';
  }
}

/** A promotion that lost a race (the job was promoted or started meanwhile) is fine. */
async function ignoreRace(promotion: Promise<void>): Promise<void> {
  await promotion.catch(() => undefined);
}
