/**
 * In-process mutual exclusion per key, in call order. The HL7 intake holds the locks of a
 * message's persons from "store in the message log" to "registered in the person order", so two
 * messages of one person that arrive together (pipelined on one MLLP connection) register in the
 * order they were received, whatever order Redis answers in.
 *
 * Locks are taken in the order of the call, synchronously: the caller must call `run` before its
 * first `await` for "call order" to mean "arrival order".
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  /**
   * Runs `task` once every earlier `run` sharing one of `keys` has settled. Keys are taken
   * together (no partial holds), so no two calls can wait on each other.
   */
  run<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
    const unique = [...new Set(keys)];
    const previous = unique.map((key) => this.tails.get(key)).filter((p): p is Promise<void> => p !== undefined);
    const result = Promise.all(previous).then(task);
    const done = result.then(
      () => undefined,
      () => undefined,
    );
    for (const key of unique) this.tails.set(key, done);
    // Forget a key once nothing is queued behind this call, so the map does not grow forever.
    void done.then(() => {
      for (const key of unique) if (this.tails.get(key) === done) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with a call in progress or waiting (for tests and metrics). */
  get size(): number {
    return this.tails.size;
  }
}
