/**
 * Job ids are `<queue>-<key>`: globally unique across queues, and a status lookup
 * (`GET /v1/jobs/{jobId}`) finds the queue from the id alone. BullMQ refuses ids that are all
 * digits (they clash with its own counters) or contain `:` (its key separator); the queue-name
 * prefix rules out the first, `makeJobId` the second.
 *
 * @example
 *   makeJobId('cases')                          // 'cases-3f0c…' (random, unique)
 *   makeJobId('cases', `${clientId}-${digest}`) // deterministic: the same request dedupes
 *   queueOfJobId('hl7-inbound-3f0c…')           // 'hl7-inbound'
 */
import { randomUUID } from 'node:crypto';
import { OperationOutcomeError, badRequest } from '@medplum/core';
import { QUEUE_NAMES, type QueueName } from './queue-names.js';

/** Longest accepted key: ids end up in URLs, logs and Redis key names. */
export const MAX_JOB_KEY_LENGTH = 200;

// Printable ASCII except `:` and space: safe in a URL path segment once encoded, and in Redis keys.
const KEY_PATTERN = /^[!-9;-~]+$/;

// Longest name first, so a name that shares a beginning with another is matched whole.
const NAMES_LONGEST_FIRST = [...QUEUE_NAMES].sort((a, b) => b.length - a.length);

/**
 * Builds the id of a job of `queue`. Without `key`, a random UUID. With a deterministic `key`
 * (e.g. a digest of client, case and body), enqueuing the same work twice yields one job, for as
 * long as the job is kept (`COMPLETED_RETENTION`).
 *
 * @throws OperationOutcomeError (400) when the key is empty, too long or holds `:`, spaces or
 *   non-ASCII characters.
 */
export function makeJobId(queue: QueueName, key: string = randomUUID()): string {
  if (key.length > MAX_JOB_KEY_LENGTH || !KEY_PATTERN.test(key)) {
    throw new OperationOutcomeError(
      badRequest(`job key must be 1-${MAX_JOB_KEY_LENGTH} printable ASCII characters without ":" or spaces`),
    );
  }
  return `${queue}-${key}`;
}

/** The queue a job id belongs to, or `undefined` for an id no queue could have produced. */
export function queueOfJobId(jobId: string): QueueName | undefined {
  const name = NAMES_LONGEST_FIRST.find((n) => jobId.startsWith(`${n}-`));
  if (name === undefined) return undefined;
  const key = jobId.slice(name.length + 1);
  return key.length > 0 && key.length <= MAX_JOB_KEY_LENGTH && KEY_PATTERN.test(key) ? name : undefined;
}
