/**
 * Small load-generation helpers for the benchmarks: run a list of requests at a fixed
 * concurrency, keep each latency, summarise with percentiles.
 *
 * @example
 *   const run = await runConcurrently(bodies, 32, (body) => send(body));
 *   console.log(run.perSecond, percentile(run.latenciesMs, 99));
 */

export interface LoadRun {
  /** Wall time from the first request to the last answer. */
  seconds: number;
  perSecond: number;
  /** One latency per item, in milliseconds, in completion order. */
  latenciesMs: number[];
}

/** Calls `send` once per item, `concurrency` at a time; a rejected call rejects the run. */
export async function runConcurrently<T>(items: readonly T[], concurrency: number, send: (item: T, index: number) => Promise<void>): Promise<LoadRun> {
  const latenciesMs: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      const t = performance.now();
      await send(items[index]!, index);
      latenciesMs.push(performance.now() - t);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  return { seconds, perSecond: items.length / seconds, latenciesMs };
}

/** The p-th percentile (nearest rank) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Polls `check` every `intervalMs` until it returns true; rejects after `timeoutMs`. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** `1234.5` → `1,235`. */
export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
