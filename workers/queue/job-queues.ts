/**
 * The queues of one process, typed per queue name, created on first use, closed together.
 *
 * @example
 *   const queues = await createJobQueues({ connection: redis, prefix: config.QUEUE_PREFIX, logger });
 *   const { jobId } = await queues.enqueue('cases', { action: 'upsert', caseId, document },
 *     { trace: { requestId, clientId, tenant } });
 *   const status = await getJobStatus(queues, jobId);
 */
import { OperationOutcomeError, badRequest } from '@medplum/core';
import { Queue, type DefaultJobOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { FinishedJobNotifier } from './finished-job-notifier.js';
import type { JobData, JobPayloads, JobResults, JobTrace } from './job-data.js';
import { makeJobId, queueOfJobId } from './job-id.js';
import { JOB_POLICIES } from './job-policies.js';
import { QUEUE_NAMES, type QueueName } from './queue-names.js';
import { throttledErrorLog } from './throttled-error-log.js';

/** A BullMQ queue whose jobs carry `JobData<N>` and return `JobResults[N]`; jobs are named after the queue. */
export type TypedQueue<N extends QueueName> = Queue<JobData<N>, JobResults[N], N>;

export interface JobQueuesOptions {
  /** From `connectRedis`. Not closed by `close()`: whoever opened it closes it. */
  connection: Redis;
  /** Redis key prefix (`QUEUE_PREFIX`); workers must use the same. */
  prefix: string;
  logger?: Logger;
  /** Per-queue overrides of `JOB_POLICIES` (tests shrink backoffs to milliseconds). */
  policies?: Partial<Record<QueueName, DefaultJobOptions>>;
}

export interface EnqueueOptions {
  trace: JobTrace;
  /**
   * From `makeJobId(name, key)` for a deterministic id: a job with this id that is still kept is
   * returned instead of a new one (its data unchanged). Default: a random id.
   */
  jobId?: string;
}

export interface EnqueuedJob<N extends QueueName> {
  jobId: string;
  queue: N;
}

/**
 * Builds the registry and connects its producer connection (queues themselves are created on
 * first use).
 */
export async function createJobQueues(options: JobQueuesOptions): Promise<JobQueues> {
  const queues = new JobQueues(options);
  await queues.connect();
  return queues;
}

export class JobQueues {
  readonly prefix: string;
  private readonly producer: Redis;
  private readonly queues = new Map<QueueName, TypedQueue<QueueName>>();
  private readonly notifier: FinishedJobNotifier;
  private readonly logger: Logger | undefined;

  constructor(private readonly options: JobQueuesOptions) {
    this.prefix = options.prefix;
    this.logger = options.logger;
    // Producers get their own connection that fails fast during an outage: an HTTP request that
    // enqueues must answer an error now, not hang until Redis is back (the workers' connection,
    // with `maxRetriesPerRequest: null`, does wait, as BullMQ requires).
    this.producer = options.connection.duplicate({
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: true,
    });
    this.producer.on('error', throttledErrorLog(this.logger, { component: 'queue-producer' }));
    this.notifier = new FinishedJobNotifier({
      connection: options.connection,
      clock: this.producer,
      prefix: options.prefix,
      onError: (queue) => throttledErrorLog(this.logger, { queue, component: 'queue-events' }),
    });
  }

  /** Opens the producer connection; commands sent before it is ready would fail at once. */
  async connect(): Promise<void> {
    if (this.producer.status === 'wait') await this.producer.connect();
  }

  /** The queue `name`, created on first call. */
  queue<N extends QueueName>(name: N): TypedQueue<N> {
    const existing = this.queues.get(name);
    if (existing) return existing as unknown as TypedQueue<N>;
    const queue: TypedQueue<N> = new Queue<JobData<N>, JobResults[N], N>(name, {
      connection: this.producer,
      prefix: this.prefix,
      defaultJobOptions: { ...JOB_POLICIES[name], ...this.options.policies?.[name] },
    });
    queue.on('error', throttledErrorLog(this.logger, { queue: name }));
    this.queues.set(name, queue as unknown as TypedQueue<QueueName>);
    return queue;
  }

  /** Every queue of the product (created if need be), e.g. for the dashboard or metrics. */
  all(): TypedQueue<QueueName>[] {
    return QUEUE_NAMES.map((name) => this.queue(name) as unknown as TypedQueue<QueueName>);
  }

  /**
   * Adds a job to `name`. Resolves once Redis has stored it (the `202` may then be answered).
   *
   * @throws OperationOutcomeError (400) when `jobId` does not belong to `name`.
   */
  async enqueue<N extends QueueName>(
    name: N,
    payload: JobPayloads[N],
    options: EnqueueOptions,
  ): Promise<EnqueuedJob<N>> {
    const jobId = options.jobId ?? makeJobId(name);
    if (queueOfJobId(jobId) !== name) {
      throw new OperationOutcomeError(badRequest(`job id "${jobId}" is not an id of queue "${name}"`));
    }
    const data: JobData<N> = { trace: options.trace, payload };
    await this.queue(name).add(name, data, { jobId });
    return { jobId, queue: name };
  }

  /** See `FinishedJobNotifier.subscribe`; used by `waitForJob`. */
  onFinished(queue: QueueName, jobId: string, listener: () => void): Promise<() => void> {
    return this.notifier.subscribe(queue, jobId, listener);
  }

  /** Closes the queues, the event readers and the producer connection (not `options.connection`). */
  async close(): Promise<void> {
    const queues = [...this.queues.values()];
    this.queues.clear();
    await Promise.all([this.notifier.close(), ...queues.map((q) => q.close())]);
    await this.producer.quit().catch(() => this.producer.disconnect());
  }
}
