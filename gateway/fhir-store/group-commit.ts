/**
 * Group commit. A SQLite commit costs ~100-250 µs here (every page the write touched goes to
 * the WAL), more than the write itself. Writes that arrive together (concurrent requests read
 * in the same event-loop turn) share one outer SQLite transaction: each runs in its own
 * SAVEPOINT (so a failing one rolls back alone), and the outer transaction commits on the next
 * `setImmediate`, or as soon as a read needs the lock. A writer's promise resolves only after
 * that COMMIT, so "answered" still means "on disk" (in the WAL).
 */
import type { StoreEngine } from './engine.js';
import type { Mutex } from './lock.js';

interface Group {
  committed: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class GroupCommit {
  private group: Group | undefined;

  constructor(
    private readonly engine: StoreEngine,
    private readonly lock: Mutex,
    /** Maps a SQLite failure to the error writers receive (and logs it). */
    private readonly toError: (err: unknown) => Error,
  ) {}

  /**
   * With the lock held: makes sure the outer transaction is open and returns the promise of
   * its commit (rejected if the commit fails).
   */
  join(): Promise<void> {
    if (this.group && !this.engine.db.inTransaction) {
      // SQLite abandoned the transaction (e.g. disk full): what it held is lost.
      this.fail(new Error('transaction lost'));
    }
    if (!this.group) {
      this.engine.begin();
      let resolve!: () => void;
      let reject!: (err: Error) => void;
      const committed = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      // Writers that failed never await it; that must not count as an unhandled rejection.
      committed.catch(() => undefined);
      this.group = { committed, resolve, reject };
      setImmediate(() => {
        // flush() reports its own failures to the group; nothing may escape as a rejection.
        this.lock.run(() => this.flush()).catch(() => undefined);
      });
    }
    return this.group.committed;
  }

  /** With the lock held: commits the open group, if any. */
  flush(): void {
    const group = this.group;
    if (!group) return;
    this.group = undefined;
    try {
      this.engine.commit();
      group.resolve();
    } catch (err) {
      try {
        this.engine.rollback();
      } catch {
        // Already rolled back by SQLite.
      }
      group.reject(this.toError(err));
    }
  }

  private fail(err: unknown): void {
    const group = this.group;
    this.group = undefined;
    group?.reject(this.toError(err));
  }
}
