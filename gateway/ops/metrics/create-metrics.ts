/**
 * One registry per process with everything `/metrics` reports. Injected, never prom-client's
 * global default registry: tests get their own, and no library can add series behind our back.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createMllpMetrics, type MllpMetrics } from './mllp-metrics.js';
import { registerQueueMetrics, type QueueSource } from './queue-metrics.js';

export interface OpsMetricsOptions {
  /** The queues to report (`JobQueues`); omit in a process without Redis access. */
  queues?: QueueSource;
  /** Node process metrics (CPU, memory, event loop, GC). Default true. */
  processMetrics?: boolean;
}

export interface OpsMetrics {
  registry: Registry;
  /** For the MLLP listener. */
  mllp: MllpMetrics;
}

/**
 * Builds the registry; pass `registry` to `registerHttpMetrics` and `registerMetricsRoute`.
 *
 * @example
 *   const metrics = createOpsMetrics({ queues });
 *   createApp({ ..., routes: [
 *     (a) => registerHttpMetrics(a, metrics), (a) => registerMetricsRoute(a, metrics), ...] });
 */
export function createOpsMetrics(options: OpsMetricsOptions = {}): OpsMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  if (options.queues) registerQueueMetrics(registry, { queues: options.queues });
  return { registry, mllp: createMllpMetrics(registry) };
}
