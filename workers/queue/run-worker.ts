/**
 * Runs a processor on one queue, in the one place where a worker turns errors into BullMQ outcomes
 * (house practice 4): a permanent `OperationOutcomeError` fails the job at once, anything else is
 * retried per the queue's policy. Logs carry ids only, never job data (house practices 7, 12).
 *
 * @example
 *   const handle = await runWorker('cases', async (job, signal) => writeCase(job.data, signal), {
 *     connection: redis, prefix: config.QUEUE_PREFIX, concurrency: config.WORKER_CONCURRENCY, logger,
 *   });
 *   process.once('SIGTERM', () => void handle.close({ timeoutMs: 20_000 }));
 */
import { hostname } from 'node:os';
import { OperationOutcomeError } from '@medplum/core';
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { backoffStrategy } from './backoff-strategy.js';
import { classifyFailure } from './classify-failure.js';
import type { JobData, JobResults } from './job-data.js';
import type { QueueName } from './queue-names.js';
import { throttledErrorLog } from './throttled-error-log.js';

/** A job of queue `N` as its processor sees it. */
export type QueueJob<N extends QueueName> = Job<JobData<N>, JobResults[N], N>;

/**
 * Does the work of one job. Throw `OperationOutcomeError` for failures (4xx other than
 * 408/409/412/429 are permanent). `signal` aborts when the worker is closing past its deadline:
 * pass it to fetch/undici so a shutdown does not wait on a slow server.
 */
export type JobProcessor<N extends QueueName> = (job: QueueJob<N>, signal: AbortSignal) => Promise<JobResults[N]>;

export interface RunWorkerOptions {
  /** From `connectRedis` (`maxRetriesPerRequest: null`); BullMQ duplicates it for blocking reads. */
  connection: Redis;
  /** Same prefix as the producers' `createJobQueues`. */
  prefix: string;
  /** Jobs processed at once by this process (`WORKER_CONCURRENCY`). Default 1. */
  concurrency?: number;
  logger?: Logger;
}

export interface WorkerHandle<N extends QueueName = QueueName> {
  readonly queue: N;
  /** The underlying BullMQ worker, for the dashboard and metrics. */
  readonly worker: Worker<JobData<N>, JobResults[N], N>;
  /**
   * Stops taking jobs and resolves once the in-flight ones have finished. Past `timeoutMs`, their
   * `signal` is aborted (the aborted attempt is retried later); processors that ignore it are still
   * awaited, so the caller keeps a hard deadline of its own. A job cut off by process exit is run
   * again after its lock expires (30 s): processors must be idempotent.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

/** Starts a worker on queue `name`; resolves once it is connected and taking jobs. */
export async function runWorker<N extends QueueName>(
  name: N,
  processor: JobProcessor<N>,
  options: RunWorkerOptions,
): Promise<WorkerHandle<N>> {
  const { logger } = options;
  // Errors the wrapper already logged; the 'failed' listener logs only the others (e.g. a job
  // failed by BullMQ after stalling too often).
  const logged = new WeakSet<Error>();

  const wrapped = async (job: QueueJob<N>, _token?: string, signal?: AbortSignal): Promise<JobResults[N]> => {
    const context = {
      queue: name,
      jobId: job.id,
      requestId: job.data?.trace?.requestId,
      attempt: job.attemptsMade + 1,
    };
    const started = performance.now();
    logger?.debug(context, 'job started');
    try {
      const result = await processor(job, signal ?? new AbortController().signal);
      logger?.info({ ...context, durationMs: elapsed(started) }, 'job completed');
      return result;
    } catch (thrown) {
      // A job moved back to delayed to wait its turn (per-person order) has not failed.
      if (thrown instanceof DelayedError) {
        logger?.debug({ ...context, durationMs: elapsed(started) }, 'job parked until its turn');
        throw thrown;
      }
      const { error, permanent, status } = classifyFailure(thrown);
      const willRetry = !permanent && context.attempt < (job.opts.attempts ?? 1);
      const line = { ...context, durationMs: elapsed(started), status, permanent, willRetry, error: describe(thrown) };
      if (willRetry) logger?.warn(line, 'job attempt failed, will retry');
      else logger?.error(line, 'job failed');
      logged.add(error);
      throw error;
    }
  };

  const worker = new Worker<JobData<N>, JobResults[N], N>(name, wrapped, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency ?? 1,
    // Shown in the dashboard as "processed by": which host and process ran a job.
    name: `${hostname()}-${process.pid}`,
    settings: { backoffStrategy },
  });
  worker.on('error', throttledErrorLog(logger, { queue: name, component: 'worker' }));
  worker.on('stalled', (jobId) => {
    logger?.warn({ queue: name, jobId }, 'job stalled (its worker died or blocked); it will run again');
  });
  worker.on('failed', (job, err) => {
    if (logged.has(err)) return;
    logger?.error({ queue: name, jobId: job?.id, error: { name: err.name, message: err.message } }, 'job failed');
  });
  await worker.waitUntilReady();
  logger?.info({ queue: name, concurrency: worker.concurrency }, 'worker started');

  return {
    queue: name,
    worker,
    async close({ timeoutMs } = {}) {
      const closing = worker.close();
      if (timeoutMs !== undefined) {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs)));
        const timedOut = await Promise.race([closing.then(() => false), late]);
        clearTimeout(timer);
        if (timedOut) {
          logger?.warn({ queue: name, timeoutMs }, 'worker still busy at its deadline: aborting in-flight jobs');
          worker.cancelAllJobs('worker shutting down');
        }
      }
      await closing;
      logger?.info({ queue: name }, 'worker closed');
    },
  };
}

function elapsed(since: number): number {
  return Math.round(performance.now() - since);
}

/**
 * What may be logged of a failure. An OperationOutcome's texts can echo input values (personal
 * data), so only issue codes and paths are kept; other errors are technical (network, timeouts).
 */
function describe(thrown: unknown): Record<string, unknown> {
  if (thrown instanceof OperationOutcomeError) {
    return {
      name: 'OperationOutcomeError',
      issues: (thrown.outcome.issue ?? []).map((i) => ({ code: i.code, expression: i.expression })),
    };
  }
  if (thrown instanceof Error) return { name: thrown.name, message: thrown.message.slice(0, 500) };
  return { name: typeof thrown };
}
