/**
 * Tells waiters when a job completes or fails, from one BullMQ `QueueEvents` reader per queue
 * (created on first use: each holds a blocking Redis connection) and one listener per reader,
 * however many `?wait=true` requests are waiting.
 */
import { QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { QueueName } from './queue-names.js';

export interface FinishedJobNotifierOptions {
  /** Caller's connection; BullMQ duplicates it for each reader. */
  connection: Redis;
  /** A connection that fails fast, to read the Redis clock when a reader starts. */
  clock: Redis;
  prefix: string;
  onError: (queue: QueueName) => (err: Error) => void;
}

export class FinishedJobNotifier {
  private readonly readers = new Map<QueueName, Promise<QueueEvents>>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private closed = false;

  constructor(private readonly options: FinishedJobNotifierOptions) {}

  /**
   * Calls `listener` when job `jobId` of `queue` completes or fails, and returns the unsubscribe
   * function. Every event published after this call resolves is seen, even by a reader that has
   * not issued its first read yet. An event may also be seen twice or late (reconnection):
   * listeners re-read the job state rather than trust the event.
   */
  async subscribe(queue: QueueName, jobId: string, listener: () => void): Promise<() => void> {
    let set = this.waiters.get(jobId);
    if (!set) this.waiters.set(jobId, (set = new Set()));
    set.add(listener);
    const unsubscribe = (): void => {
      set.delete(listener);
      if (set.size === 0 && this.waiters.get(jobId) === set) this.waiters.delete(jobId);
    };
    try {
      await this.reader(queue);
    } catch (err) {
      unsubscribe();
      throw err;
    }
    return unsubscribe;
  }

  /** Stops every reader and forgets the waiters (they time out on their own). */
  async close(): Promise<void> {
    this.closed = true;
    const readers = [...this.readers.values()];
    this.readers.clear();
    this.waiters.clear();
    await Promise.all(readers.map(async (r) => (await r.catch(() => undefined))?.close()));
  }

  private reader(queue: QueueName): Promise<QueueEvents> {
    let reader = this.readers.get(queue);
    if (!reader) {
      reader = this.startReader(queue);
      // A failed start (Redis down) is not cached: the next subscriber tries again.
      reader.catch(() => this.readers.get(queue) === reader && this.readers.delete(queue));
      this.readers.set(queue, reader);
    }
    return reader;
  }

  private async startReader(queue: QueueName): Promise<QueueEvents> {
    // A reader left to itself starts at '$', i.e. at its first XREAD, which may come after the job
    // it was created for has finished. Stream ids are Redis-clock milliseconds, so starting from
    // "now" by that clock (less 1 ms: XREAD is exclusive) sees everything from this moment on.
    const [seconds, micros] = await this.options.clock.time();
    if (this.closed) throw new Error('notifier closed');
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    const reader = new QueueEvents(queue, {
      connection: this.options.connection,
      prefix: this.options.prefix,
      lastEventId: `${now - 1}-0`,
    });
    reader.on('error', this.options.onError(queue));
    const notify = ({ jobId }: { jobId: string }): void => {
      for (const listener of this.waiters.get(jobId) ?? []) listener();
    };
    reader.on('completed', notify);
    reader.on('failed', notify);
    return reader;
  }
}
