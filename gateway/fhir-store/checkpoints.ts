/**
 * WAL checkpoints on a worker thread. SQLite's automatic checkpoint runs inside the COMMIT
 * that takes the WAL past 1,000 pages: it copies those pages into the database file and fsyncs
 * it, on the one thread that serves every request (in a run of conditional updates, 40 % of
 * the cost of a commit, and the fsync's wait on top; in the hospital-event benchmark a commit
 * took 1.2 ms of wall time). A worker thread with its own connection checkpoints instead, every
 * CHECKPOINT_INTERVAL_MS; a PASSIVE checkpoint never blocks the writer.
 *
 * The writer keeps its automatic checkpoint as a backstop, at `WAL_BACKSTOP_PAGES`
 * (database.ts): SQLite rewinds a WAL only when a write begins after a checkpoint caught up
 * with it, which a writer that never pauses may not allow; the backstop's checkpoint then has
 * almost nothing left to copy. Durability does not change: a commit is in the WAL before it
 * is answered, whoever copies it to the database file later.
 */
import { Worker } from 'node:worker_threads';

/** Every 100 ms: at 2,000 updates/s the WAL grows by ~1,000 pages (4 MB) in that time. */
const CHECKPOINT_INTERVAL_MS = 100;

export class BackgroundCheckpoints {
  private exited = false;

  private constructor(private readonly worker: Worker) {
    worker.once('exit', () => {
      this.exited = true;
    });
  }

  /** Starts checkpointing `dbFile`; `onError` hears of a failed checkpoint (the backstop still holds). */
  static start(dbFile: string, onError: (message: string) => void): BackgroundCheckpoints {
    const worker = new Worker(new URL('./checkpoint-worker.mjs', import.meta.url), {
      workerData: { file: dbFile, intervalMs: CHECKPOINT_INTERVAL_MS },
      // The thread runs one pragma in a loop: a small heap keeps it from adding to the store's RSS.
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
    });
    worker.on('message', (message: { error?: string }) => {
      if (message.error) onError(message.error);
    });
    worker.on('error', (err) => onError(err.message));
    // The store's own handles decide when the process may exit, not this thread.
    worker.unref();
    return new BackgroundCheckpoints(worker);
  }

  /** Stops the worker after its checkpoint in progress, if any, and closes its connection. */
  stop(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      this.worker.once('exit', () => resolve());
      this.worker.postMessage('stop');
    });
  }
}
