/**
 * When to retry a FHIR call, and how long to wait first. Pure: no I/O, clock and randomness
 * come in as arguments so the rules can be tested exactly.
 */
import type { FhirFailure } from './errors.js';

/** How many times a call is tried and how the waits between tries grow. */
export interface RetryPolicy {
  /** Total tries, the first one included (1 = never retry). */
  readonly attempts: number;
  /** Cap of the first wait; each later wait's cap doubles. */
  readonly baseDelayMs: number;
  /** No wait's cap grows beyond this. */
  readonly maxDelayMs: number;
}

/**
 * Defaults. Worst case for one call that never succeeds: 4 tries × `DEFAULT_TIMEOUT_MS` (10 s)
 * plus waits of at most 250 + 500 + 1000 ms = about 42 s; if the server sends `Retry-After`
 * up to `MAX_RETRY_AFTER_MS` each time, 4 × 10 s + 3 × 10 s = 70 s. BullMQ renews a job's lock
 * while it runs, so a worker job survives that; beyond it the job's own backoff takes over.
 */
export const DEFAULT_ATTEMPTS = 4;
export const DEFAULT_BASE_DELAY_MS = 250;
export const DEFAULT_MAX_DELAY_MS = 4_000;
/** Per-try deadline, from sending the request to the last byte of the answer. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/**
 * Longest `Retry-After` we sleep through. A server asking for more is overloaded for longer
 * than a caller should hold a connection and a worker slot: the 429/503 is surfaced (with
 * `retryAfterMs`) so the job queue can reschedule it.
 */
export const MAX_RETRY_AFTER_MS = 10_000;

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: DEFAULT_ATTEMPTS,
  baseDelayMs: DEFAULT_BASE_DELAY_MS,
  maxDelayMs: DEFAULT_MAX_DELAY_MS,
};

/**
 * Methods whose repetition leaves the server as one call would (RFC 9110 §9.2.2). PATCH is not:
 * a JSON patch `add` to an array applied twice adds twice.
 */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

/** Whether a method is idempotent by HTTP semantics. */
export function isIdempotentMethod(method: string): boolean {
  return IDEMPOTENT_METHODS.has(method.toUpperCase());
}

/**
 * Whether a failed try may be repeated.
 * - 429: the server throttles; it did not process the request. Retry any method.
 * - 502/503/504: a proxy or the server says it could not serve the request now. These statuses
 *   mean the request was not (or not completely) processed in practice, so any method is retried.
 * - 500: the server failed *while* processing; it may have written part or all of the change.
 *   Repeating is safe only for idempotent calls (GET/PUT/DELETE, or a write the caller declares
 *   idempotent, like a conditional create); a plain POST could create a duplicate.
 * - No answer: if the connection was never made, nothing was sent; otherwise (reset, timeout)
 *   the server may have processed it, and the same idempotency rule as for 500 applies.
 * - An unreadable 2xx answer: the server did process the request; idempotency rule as for 500.
 * - Any other 4xx is the caller's: repeating the same request gets the same answer. 409/412
 *   in particular mean "re-read, then decide", which only the caller can do.
 */
export function isRetryable(failure: FhirFailure, idempotent: boolean): boolean {
  switch (failure.kind) {
    case 'http':
      if (failure.status === 429 || failure.status === 502 || failure.status === 503 || failure.status === 504) {
        return true;
      }
      return failure.status === 500 && idempotent;
    case 'invalid-response':
    case 'timeout':
    case 'network':
      return idempotent || !failure.maybeProcessed;
  }
}

/**
 * Wait before try number `nextAttempt` (2 for the first retry): "full jitter", a uniform
 * random wait between 0 and min(maxDelayMs, baseDelayMs × 2^(nextAttempt − 2)). Jitter spreads
 * the retries of many workers hit by the same outage instead of having them return together.
 */
export function backoffDelayMs(nextAttempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponent = Math.max(0, nextAttempt - 2);
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  return Math.floor(random() * cap);
}

/**
 * Reads `Retry-After` (delay in seconds or an HTTP date) as milliseconds from `now`;
 * `undefined` when absent or unreadable. A date in the past means "now" (0).
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its weekday or month; without letters, `Date.parse` would read "-1" as a year.
  const date = /[A-Za-z]{3}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** What to do after a failed try. */
export type RetryDecision = { readonly retry: false } | { readonly retry: true; readonly delayMs: number };

/**
 * Decides whether to try again after try number `attempt` failed, and after how long.
 * A server's `Retry-After` replaces the computed backoff; one beyond `MAX_RETRY_AFTER_MS`
 * ends the retries (see there).
 */
export function decideRetry(
  failure: FhirFailure,
  attempt: number,
  idempotent: boolean,
  policy: RetryPolicy,
  random: () => number = Math.random,
): RetryDecision {
  if (attempt >= policy.attempts || !isRetryable(failure, idempotent)) return { retry: false };
  if (failure.retryAfterMs !== undefined) {
    return failure.retryAfterMs > MAX_RETRY_AFTER_MS ? { retry: false } : { retry: true, delayMs: failure.retryAfterMs };
  }
  return { retry: true, delayMs: backoffDelayMs(attempt + 1, policy, random) };
}
