/**
 * `?wait=true`: hold a request until its job ends, within a bound, then answer with the job as it
 * stands. Completion events end the wait; a periodic re-read covers what events cannot (a reader
 * reconnecting after an outage, events trimmed from the stream).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { queueOfJobId } from './job-id.js';
import type { JobQueues } from './job-queues.js';
import { getJobStatus, type JobStatus } from './job-status.js';

/** Re-read period when no event arrives. */
export const WAIT_POLL_MS = 1_000;

/**
 * Resolves with the status of `jobId` once it is `completed` or `failed`, or after `timeoutMs`
 * with the status as it then stands (`queued`/`active`). `undefined` when no such job is kept.
 */
export async function waitForJob(
  queues: JobQueues,
  jobId: string,
  timeoutMs: number,
  options: { pollMs?: number } = {},
): Promise<JobStatus | undefined> {
  const pollMs = options.pollMs ?? WAIT_POLL_MS;
  const queue = queueOfJobId(jobId);
  if (queue === undefined) return undefined;
  const deadline = Date.now() + timeoutMs;

  let wake: () => void = () => undefined;
  let woken = false;
  const onFinished = (): void => {
    woken = true;
    wake();
  };
  // Subscribe before the first read, so an end between the read and the wait is not missed.
  const unsubscribe = await queues.onFinished(queue, jobId, onFinished);
  try {
    let status = await getJobStatus(queues, jobId);
    while (status && !isFinished(status) && Date.now() < deadline) {
      if (!woken) {
        const wakeUp = new Promise<void>((resolve) => (wake = resolve));
        const nap = new AbortController();
        const napped = sleep(Math.max(0, Math.min(pollMs, deadline - Date.now())), undefined, { signal: nap.signal });
        await Promise.race([wakeUp, napped.catch(() => undefined)]);
        nap.abort(); // an event woke us: no timer may outlive the call
      }
      woken = false;
      status = await getJobStatus(queues, jobId);
    }
    return status;
  } finally {
    unsubscribe();
  }
}

function isFinished(status: JobStatus): boolean {
  return status.status === 'completed' || status.status === 'failed';
}
