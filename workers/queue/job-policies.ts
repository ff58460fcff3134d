/**
 * Retry and retention policy of each queue, as named constants whose comments say how long they
 * last (house practice 7). `job-policies.test.ts` recomputes the durations from the constants, so
 * a change that breaks a comment fails a test.
 */
import type { DefaultJobOptions } from 'bullmq';
import { CAPPED_EXPONENTIAL } from './backoff-strategy.js';
import type { QueueName } from './queue-names.js';

const HOUR_S = 60 * 60;
const DAY_S = 24 * HOUR_S;

/**
 * Work that writes to the FHIR server (cases, directory, inbound messages, import). Retries ride
 * out a FHIR server or Redis restart, a network blip, a 409/412 version race.
 * 8 attempts, exponential from 2 s: 7 waits of 2, 4, 8, 16, 32, 64, 128 s = 254 s, so a job gives
 * up ≈ 4 min after its first failure (jitter 0.2 shortens each wait by up to 20 %: 203–254 s in
 * all, plus processing time). It then stays in the failed set for an operator to retry.
 */
export const STANDARD_RETRY = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2_000, jitter: 0.2 },
} as const satisfies DefaultJobOptions;

/**
 * Webhook deliveries: SPEC §6 asks for exponential backoff over at least 24 h, then a dead letter.
 * 32 attempts, capped exponential from 30 s: 30 s, 1, 2, 4, 8, 16, 32 min (63.5 min), then 24
 * hourly waits: 31 waits ≥ 25.06 h in all. The jitter (0.1) only lengthens waits (≤ 27.6 h), so
 * "at least 24 h" holds. A delivery that still fails is kept in the failed set (the dead letter)
 * and can be replayed with `retryFailed`.
 */
export const WEBHOOK_RETRY = {
  attempts: 32,
  backoff: { type: CAPPED_EXPONENTIAL, delay: 30_000, jitter: 0.1 },
} as const satisfies DefaultJobOptions;

/**
 * Completed jobs are kept 24 h (at most 10,000 per queue) so `GET /v1/jobs/{id}` can answer and a
 * repeated job id is deduplicated in that window (BullMQ dedupes only while the job is kept).
 * Past it, conditional FHIR writes still make a replay harmless. Short on purpose: a case job holds
 * the case document, i.e. personal data. BullMQ evicts on the next completion past the age, not on
 * a timer, so "24 h" is a floor on an active queue and may stretch on an idle one.
 */
export const COMPLETED_RETENTION = { age: DAY_S, count: 10_000 } as const;

/**
 * Failed jobs are kept 30 days with no count limit, so a burst of failures never silently drops
 * one: SPEC §9 wants every rejected input listed and replayable (`listFailed`, `retryFailed`).
 * They hold personal data too; 30 days bounds how long it stays in Redis.
 */
export const FAILED_RETENTION = { age: 30 * DAY_S } as const;

/** Stack frames kept per failure: enough to locate the fault, small enough for Redis. */
export const STACK_TRACE_LIMIT = 5;

const standard = {
  ...STANDARD_RETRY,
  removeOnComplete: COMPLETED_RETENTION,
  removeOnFail: FAILED_RETENTION,
  stackTraceLimit: STACK_TRACE_LIMIT,
} as const satisfies DefaultJobOptions;

/** Default job options per queue; `createJobQueues({ policies })` may override them (tests do). */
export const JOB_POLICIES: Readonly<Record<QueueName, DefaultJobOptions>> = {
  cases: standard,
  directory: standard,
  'hl7-inbound': standard,
  import: standard,
  webhooks: { ...standard, ...WEBHOOK_RETRY },
};
