/**
 * The status of a job as the API shows it (`GET /v1/jobs/{jobId}`). BullMQ's states fold into the
 * four of SPEC §2; the payload is never part of it, only the trace (for the access check) and
 * what the job produced.
 */
import type { Job, JobProgress, JobState } from 'bullmq';
import { decodeFailure, type JobError } from './failure-reason.js';
import type { JobData } from './job-data.js';
import { queueOfJobId } from './job-id.js';
import type { JobQueues } from './job-queues.js';
import type { QueueName } from './queue-names.js';

export type JobStatusName = 'queued' | 'active' | 'completed' | 'failed';

export interface JobStatus {
  jobId: string;
  queue: QueueName;
  status: JobStatusName;
  /** What the processor reported so far (`import`: `{ processed, failed, total }`). */
  progress?: JobProgress;
  /** The processor's return value, once completed. */
  result?: unknown;
  /** Why it failed; while queued for a retry, why the last attempt failed. */
  error?: JobError;
  /** Attempts that ended (failed or completed). */
  attemptsMade: number;
  /** Whose job it is: callers answer a status only to `clientId` in `tenant`. */
  data: { clientId: string; tenant: string; requestId: string };
  createdAt: string;
  finishedAt?: string;
}

/** Folds BullMQ's states: everything not yet started (including a retry waiting its turn) is `queued`. */
export function toStatusName(state: JobState): JobStatusName {
  switch (state) {
    case 'waiting':
    case 'delayed':
    case 'prioritized':
    case 'waiting-children':
      return 'queued';
    case 'active':
      return 'active';
    case 'completed':
      return 'completed';
    case 'failed':
      return 'failed';
  }
}

/** The status of `jobId`, or `undefined` when no such job is kept (never existed, or evicted). */
export async function getJobStatus(queues: JobQueues, jobId: string): Promise<JobStatus | undefined> {
  const name = queueOfJobId(jobId);
  if (name === undefined) return undefined;
  const queue = queues.queue(name);
  let job = await queue.getJob(jobId);
  if (!job) return undefined;
  const state = await job.getState();
  // The job may have finished between the two reads: its fields are then older than its state.
  if ((state === 'completed' || state === 'failed') && job.finishedOn === undefined) {
    job = await queue.getJob(jobId);
    if (!job) return undefined;
  }
  // 'unknown': removed between the reads.
  return state === 'unknown' ? undefined : toJobStatus(name, job, state);
}

/** Builds the status of a job already read, in a known state. */
export function toJobStatus(queue: QueueName, job: Job<JobData>, state: JobState): JobStatus {
  const status = toStatusName(state);
  // Data written by another tool (e.g. a job added by hand in the dashboard) may lack the trace.
  const trace: Partial<JobData['trace']> = job.data?.trace ?? {};
  const result: JobStatus = {
    jobId: job.id ?? '',
    queue,
    status,
    attemptsMade: job.attemptsMade,
    data: { clientId: trace.clientId ?? '', tenant: trace.tenant ?? '', requestId: trace.requestId ?? '' },
    createdAt: new Date(job.timestamp).toISOString(),
  };
  if (hasProgress(job.progress)) result.progress = job.progress;
  if (status === 'completed') result.result = job.returnvalue;
  if ((status === 'failed' || status === 'queued') && job.failedReason) result.error = decodeFailure(job.failedReason);
  if ((status === 'completed' || status === 'failed') && job.finishedOn !== undefined) {
    result.finishedAt = new Date(job.finishedOn).toISOString();
  }
  return result;
}

function hasProgress(progress: JobProgress): boolean {
  // BullMQ's default progress is 0: no report yet.
  return typeof progress === 'object' ? progress !== null : progress !== 0 && progress !== false && progress !== '';
}
