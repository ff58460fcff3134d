/**
 * Test support for the `*.int.test.ts` files of this folder (not a test itself): a real Redis at
 * 127.0.0.1:6379, a random key prefix per test so tests never share state, and a cleanup that
 * closes everything and deletes every key under that prefix.
 */
import { randomUUID } from 'node:crypto';
import type { DefaultJobOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { connectRedis } from './redis.js';
import { createJobQueues, type JobQueues } from './job-queues.js';
import type { QueueName } from './queue-names.js';
import { runWorker, type JobProcessor, type WorkerHandle } from './run-worker.js';
import { shutdownQueues } from './shutdown.js';

export const TEST_REDIS_URL = 'redis://127.0.0.1:6379';

/** Retries in milliseconds instead of minutes. */
export const FAST_RETRY = { attempts: 4, backoff: { type: 'fixed', delay: 20 } } as const satisfies DefaultJobOptions;

export interface QueueTestEnv {
  prefix: string;
  redis: Redis;
  queues: JobQueues;
  logger: Logger;
  /** Every log line written so far, parsed. */
  logs: Record<string, unknown>[];
  /** Starts a worker that `cleanup` closes. */
  worker<N extends QueueName>(name: N, processor: JobProcessor<N>, concurrency?: number): Promise<WorkerHandle<N>>;
  cleanup(): Promise<void>;
}

export async function createQueueTestEnv(
  policies: Partial<Record<QueueName, DefaultJobOptions>> = {},
): Promise<QueueTestEnv> {
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const redis = await connectRedis(TEST_REDIS_URL);
  const queues = await createJobQueues({ connection: redis, prefix, logger, policies });
  const workers: WorkerHandle<QueueName>[] = [];
  return {
    prefix,
    redis,
    queues,
    logger,
    logs,
    async worker(name, processor, concurrency = 1) {
      const handle = await runWorker(name, processor, { connection: redis, prefix, concurrency, logger });
      workers.push(handle as unknown as WorkerHandle<QueueName>);
      return handle;
    },
    async cleanup() {
      await shutdownQueues({ workers, queues }, { timeoutMs: 2_000, logger });
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      await redis.quit();
    },
  };
}
