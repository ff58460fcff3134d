/**
 * Full garbage collections at the two moments the store makes tens of MB of garbage at once.
 *
 * - Start-up: loading the R4 definitions parses ~50 MB of JSON and leaves ~80 MB of garbage;
 *   V8 sizes its next collection threshold from the heap as it then stands, so without a
 *   collection the store idles at ~250-340 MB RSS and peaked at 420 MB in the benchmark; with
 *   it, 190-250 MB and a 265 MB peak.
 * - After a large Bundle (`LARGE_BUNDLE_ENTRIES` entries or more): its temporaries outlive the
 *   young generation's collections (a transaction holds them across its entries), pile up in
 *   the old generation and are collected late. In `bench/fhir-store`'s fill to 100,000
 *   Patients (1,000-entry transactions, two in flight) the V8 heap reached 157 MB and the
 *   store's RSS 304 MB; collecting after each Bundle keeps them at 95 and 249 MB. The cost,
 *   one full collection per large Bundle, is small next to writing its entries.
 *
 * `gc()` is not exposed without a command-line flag, so the flag is set at run time and the
 * function taken from a fresh context (the flag only affects contexts created after it is set).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Bundles with at least this many entries are followed by a full collection. */
export const LARGE_BUNDLE_ENTRIES = 500;

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
