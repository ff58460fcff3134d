/**
 * The operator's view of failures (SPEC §6 dead letters, §9 "kept, listed and replayable"):
 * list the failed jobs of a queue, newest first, and put one back in line after a fix.
 */
import { OperationOutcomeError, conflict } from '@medplum/core';
import { queueOfJobId } from './job-id.js';
import type { JobQueues } from './job-queues.js';
import { getJobStatus, toJobStatus, toStatusName, type JobStatus } from './job-status.js';
import type { QueueName } from './queue-names.js';

export interface FailedPage {
  /** Failed jobs kept in the queue, all pages together. */
  total: number;
  jobs: JobStatus[];
}

/**
 * Failed jobs of `queue` from index `start` to `end` inclusive (default the 50 newest). Each
 * carries its error and trace, never its payload.
 */
export async function listFailed(
  queues: JobQueues,
  queue: QueueName,
  range: { start?: number; end?: number } = {},
): Promise<FailedPage> {
  const { start = 0, end = start + 49 } = range;
  const q = queues.queue(queue);
  const [total, jobs] = await Promise.all([q.getFailedCount(), q.getFailed(start, end)]);
  return {
    total,
    // getFailed may hold holes for jobs removed meanwhile.
    jobs: jobs.filter((job) => job !== undefined && job !== null).map((job) => toJobStatus(queue, job, 'failed')),
  };
}

/**
 * Moves failed job `jobId` back to the queue with a fresh set of attempts; resolves with its new
 * status (`queued`, or already `active` if a worker was quick), or `undefined` when no such job
 * is kept.
 *
 * @throws OperationOutcomeError (409) when the job is not failed (still running, or completed).
 */
export async function retryFailed(queues: JobQueues, jobId: string): Promise<JobStatus | undefined> {
  const queue = queueOfJobId(jobId);
  if (queue === undefined) return undefined;
  const job = await queues.queue(queue).getJob(jobId);
  if (!job) return undefined;
  const state = await job.getState();
  if (state === 'unknown') return undefined;
  if (state !== 'failed') {
    throw new OperationOutcomeError(conflict(`job ${jobId} is ${toStatusName(state)}: only a failed job can be retried`));
  }
  // Fresh attempts: the fix an operator retries after deserves the full policy again.
  await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
  return getJobStatus(queues, jobId);
}
