/**
 * A backoff that doubles up to a ceiling, for retries that must span hours (webhooks) without
 * waiting half a day between two attempts as a plain exponential would. BullMQ only knows `fixed`
 * and `exponential`; a custom type is resolved by the Worker's `settings.backoffStrategy`, which
 * `runWorker` installs on every worker.
 */
import type { BackoffStrategy, MinimalJob } from 'bullmq';

export const CAPPED_EXPONENTIAL = 'capped-exponential';

/** Ceiling of one wait: past it, a dead subscriber is tried once an hour. */
export const BACKOFF_CAP_MS = 60 * 60 * 1000;

/**
 * Wait before the retry that follows failed attempt number `attemptsMade` (1-based, as BullMQ
 * passes it): `delay · 2^(attemptsMade-1)` capped at `cap`, then *lengthened* by up to `jitter`
 * (0..1) so that a burst of failures spreads out while the documented total stays a lower bound.
 */
export function cappedExponentialDelay(
  attemptsMade: number,
  opts: { delay: number; jitter?: number; cap?: number },
  random: () => number = Math.random,
): number {
  const base = Math.min(opts.cap ?? BACKOFF_CAP_MS, opts.delay * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(base * (1 + (opts.jitter ?? 0) * random()));
}

/**
 * The Worker-level strategy: handles `capped-exponential`, refuses any other custom type so a
 * typo in a policy fails loudly instead of retrying at an arbitrary pace.
 */
export const backoffStrategy: BackoffStrategy = (attemptsMade, type, _err, job?: MinimalJob) => {
  const backoff = job?.opts.backoff;
  if (type !== CAPPED_EXPONENTIAL || typeof backoff !== 'object' || backoff.delay === undefined) {
    throw new Error(`unknown backoff strategy "${type ?? ''}"`);
  }
  return cappedExponentialDelay(attemptsMade, { delay: backoff.delay, jitter: backoff.jitter });
};
