/**
 * Queue gauges, read from BullMQ on each scrape (not kept up to date in between: the numbers
 * live in Redis, shared by every gateway and worker process, so any one process can report them).
 */
import type { Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';

/** The BullMQ states reported, as `state` label values. */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

/**
 * A scrape gives up on Redis after this long and reports `passerelle_queue_metrics_up 0`, so a
 * slow Redis never makes Prometheus time out on the whole endpoint.
 */
export const QUEUE_SCRAPE_TIMEOUT_MS = 2_000;

/** Where the queues come from: `JobQueues` fits. */
export interface QueueSource {
  all(): readonly Pick<Queue, 'name' | 'getJobCounts'>[];
}

type Counts = { queue: string; counts: Record<string, number> }[];

/**
 * Registers `passerelle_queue_jobs{queue,state}` and `passerelle_queue_metrics_up` in `registry`.
 *
 * @example
 *   registerQueueMetrics(registry, { queues });   // queues: JobQueues
 */
export function registerQueueMetrics(registry: Registry, deps: { queues: QueueSource; timeoutMs?: number }): void {
  const timeoutMs = deps.timeoutMs ?? QUEUE_SCRAPE_TIMEOUT_MS;
  // Both gauges are collected concurrently by one scrape: they share one read of Redis.
  let inflight: Promise<Counts | undefined> | undefined;
  const read = (): Promise<Counts | undefined> => {
    inflight ??= readCounts(deps.queues, timeoutMs).finally(() => {
      inflight = undefined;
    });
    return inflight;
  };

  new Gauge({
    name: 'passerelle_queue_jobs',
    help: 'Jobs per queue and state, read from Redis at scrape time',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      const counts = await read();
      // No stale numbers: a failed read reports no series (and `up` 0).
      this.reset();
      for (const { queue, counts: byState } of counts ?? []) {
        for (const state of QUEUE_STATES) this.set({ queue, state }, byState[state] ?? 0);
      }
    },
  });
  new Gauge({
    name: 'passerelle_queue_metrics_up',
    help: '1 when the last scrape could read the queue counts from Redis, 0 otherwise',
    registers: [registry],
    async collect() {
      this.set((await read()) ? 1 : 0);
    },
  });
}

async function readCounts(source: QueueSource, timeoutMs: number): Promise<Counts | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  const counts = Promise.all(
    source.all().map(async (queue) => ({ queue: queue.name, counts: await queue.getJobCounts(...QUEUE_STATES) })),
  ).catch(() => undefined);
  try {
    return await Promise.race([counts, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
