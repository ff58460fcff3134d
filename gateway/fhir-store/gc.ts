/**
 * Full garbage collections where V8's own timing lets the store's RSS climb.
 *
 * - Start-up: loading the R4 definitions parses ~50 MB of JSON and leaves ~80 MB of garbage.
 *   V8 sizes its next collection threshold from the heap as it then stands, so without a
 *   collection the store idles at ~250-340 MB RSS and peaked at 420 MB in the benchmark; with
 *   it, 190-250 MB. (`definitions.ts` also collects after each file it parses.)
 * - Whenever the V8 heap passes `HEAP_CEILING_BYTES` (checked 4 times a second). Under a
 *   steady load, each request's temporaries that are still alive at two young-generation
 *   collections (those of the ~20 requests in flight) are promoted to the old generation,
 *   ~15 MB/s at 2,000 updates/s, which V8 lets grow to 2–4× the live heap before collecting:
 *   in `bench/fhir-store` the heap climbed from 37 to 130 MB between collections and the
 *   store's RSS to 295–308 MB. Large transaction Bundles do the same in one request. Collecting
 *   at the ceiling keeps the heap under ~120 MB; a full collection of a heap that size takes
 *   ~20–50 ms, measured once or twice per benchmark run.
 *
 * `gc()` is not exposed without a command-line flag, so the flag is set at run time and the
 * function taken from a fresh context (the flag only affects contexts created after it is set).
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The store's live heap is 35–65 MB once its definitions are loaded; this leaves room for its requests. */
const HEAP_CEILING_BYTES = 96 * 1024 * 1024;

const HEAP_CHECK_INTERVAL_MS = 250;

let gc: (() => void) | undefined;

/** Runs a full garbage collection. */
export function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    const exposed = runInNewContext('gc') as unknown;
    gc = typeof exposed === 'function' ? (exposed as () => void) : () => undefined;
  }
  gc();
}

/** The ceiling's rule, apart from V8 so that it can be tested. */
export class HeapCeiling {
  private ceiling: number;

  constructor(private readonly base: number) {
    this.ceiling = base;
  }

  /**
   * Collects (`collect` runs a collection and returns the heap used after it) when `used` has
   * reached the ceiling; true when it did.
   */
  check(used: number, collect: () => number): boolean {
    if (used < this.base) this.ceiling = this.base;
    if (used < this.ceiling) return false;
    // More live data than the ceiling allows (a huge Bundle in flight): raise it until the heap
    // is back under the base, or every check would pay for a full collection.
    this.ceiling = Math.max(this.base, collect() * 1.5);
    return true;
  }
}

/** Checks the heap against the ceiling every `HEAP_CHECK_INTERVAL_MS`; returns the stop function. */
export function keepHeapUnderCeiling(): () => void {
  const rule = new HeapCeiling(HEAP_CEILING_BYTES);
  const used = (): number => getHeapStatistics().used_heap_size;
  const timer = setInterval(() => {
    rule.check(used(), () => {
      collectGarbage();
      return used();
    });
  }, HEAP_CHECK_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
