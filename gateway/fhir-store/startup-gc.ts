/**
 * One garbage collection right after start-up. Loading the R4 definitions parses ~50 MB of
 * JSON and leaves ~80 MB of garbage; V8 sizes its next collection threshold from the heap as
 * it then stands, so without this the store idles at ~250-340 MB RSS and peaked at 420 MB in
 * the benchmark; with it, 190-250 MB and a 265 MB peak. `gc()` is not exposed without a
 * command-line flag, so the flag is set at run time and the function taken from a fresh
 * context (the flag only affects contexts created after it is set).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Runs a full garbage collection once; call after loading the definitions. */
export function collectStartupGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as unknown;
  if (typeof gc === 'function') (gc as () => void)();
}
