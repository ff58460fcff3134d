/**
 * A FIFO async mutex. The store has one SQLite connection; every repository operation holds
 * this lock for its whole duration, so a transaction's uncommitted writes are never seen by a
 * concurrent request and two conditional writes can never both "not find" the same resource.
 * Operations are synchronous SQLite work, so holding the lock costs no parallelism.
 */
export class Mutex {
  private held = false;
  private readonly waiters: (() => void)[] = [];

  /** Runs `fn` once the lock is free; releases it when `fn` settles. */
  async run<T>(fn: () => Promise<T> | T): Promise<T> {
    if (this.held) await new Promise<void>((resolve) => this.waiters.push(resolve));
    else this.held = true;
    try {
      return await fn();
    } finally {
      const next = this.waiters.shift();
      // Hand the lock straight to the next waiter (it stays held), or free it.
      if (next) next();
      else this.held = false;
    }
  }
}
