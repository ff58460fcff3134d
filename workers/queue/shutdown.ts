/**
 * Orderly stop on SIGTERM (BullMQ production guide): first the workers, which finish their
 * in-flight jobs, then the queues and event readers, last the Redis connection they all share.
 * Every step runs even if an earlier one failed, so a broken part never keeps the rest open.
 *
 * @example
 *   process.once('SIGTERM', () => {
 *     void shutdownQueues({ workers, queues, redis }, { timeoutMs: 20_000, logger }).then(() => process.exit(0));
 *   });
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { JobQueues } from './job-queues.js';
import type { WorkerHandle } from './run-worker.js';

/** Default grace for in-flight jobs; below the 30 s that Docker and Kubernetes give before SIGKILL. */
export const SHUTDOWN_TIMEOUT_MS = 20_000;

export interface QueueParts {
  workers?: readonly Pick<WorkerHandle, 'close'>[];
  queues?: JobQueues;
  /** Closed last, with QUIT (pending replies are awaited). */
  redis?: Redis;
}

/** Closes `parts` in order; resolves when all are closed. Failures are logged, not thrown. */
export async function shutdownQueues(
  parts: QueueParts,
  options: { timeoutMs?: number; logger?: Logger } = {},
): Promise<void> {
  const { timeoutMs = SHUTDOWN_TIMEOUT_MS, logger } = options;
  const step = async (what: string, run: () => Promise<unknown>): Promise<void> => {
    try {
      await run();
    } catch (err) {
      logger?.error({ err }, `closing ${what} failed`);
    }
  };
  await Promise.all((parts.workers ?? []).map((w) => step('a worker', () => w.close({ timeoutMs }))));
  const { queues } = parts;
  if (queues) await step('the queues', () => queues.close());
  if (parts.redis) {
    const redis = parts.redis;
    await step('Redis', () => redis.quit().catch(() => redis.disconnect()));
  }
}
