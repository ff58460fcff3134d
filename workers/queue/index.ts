/**
 * Queues and workers (BullMQ on Redis): the public surface of `workers/queue`.
 * Start with `connectRedis`, then `createJobQueues` (producers) and `runWorker` (consumers).
 */
export { connectRedis, maskPassword, REDIS_CONNECT_TIMEOUT_MS, type ConnectRedisOptions } from './redis.js';
export { RedisUnavailableError } from './redis-unavailable-error.js';
export { QUEUE_NAMES, isQueueName, type QueueName } from './queue-names.js';
export {
  JOB_POLICIES, STANDARD_RETRY, WEBHOOK_RETRY, COMPLETED_RETENTION, FAILED_RETENTION, STACK_TRACE_LIMIT,
} from './job-policies.js';
export type { JobData, JobPayloads, JobResults, JobTrace } from './job-data.js';
export { makeJobId, queueOfJobId, MAX_JOB_KEY_LENGTH } from './job-id.js';
export {
  createJobQueues, JobQueues, type EnqueueOptions, type EnqueuedJob, type JobQueuesOptions, type TypedQueue,
} from './job-queues.js';
export { getJobStatus, toStatusName, type JobStatus, type JobStatusName } from './job-status.js';
export type { JobError } from './failure-reason.js';
export { waitForJob, WAIT_POLL_MS } from './wait-for-job.js';
export { listFailed, retryFailed, type FailedPage } from './failed-jobs.js';
export { isPermanentStatus, RETRYABLE_CLIENT_STATUSES } from './classify-failure.js';
export { runWorker, type JobProcessor, type QueueJob, type RunWorkerOptions, type WorkerHandle } from './run-worker.js';
export { shutdownQueues, SHUTDOWN_TIMEOUT_MS, type QueueParts } from './shutdown.js';
