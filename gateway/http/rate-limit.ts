/**
 * Per-client rate limit (SPEC §7) → `429` problem JSON with `Retry-After`. A token bucket per
 * client id, in this process: a client gets `perSecond` requests a second on average and bursts
 * of `burst`. With several gateway processes behind a balancer each holds its own buckets, so
 * the installation-wide limit is N × the figure — the point is to stop one runaway client from
 * starving the others on a process, which a local bucket does without a Redis round trip per
 * request. Public paths (no client) are not limited.
 */
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './app-env.js';
import { HttpError } from './http-error.js';

export interface RateLimit {
  /** Sustained requests per second. */
  perSecond: number;
  /** Requests allowed at once after a quiet spell. */
  burst: number;
}

interface Bucket {
  tokens: number;
  /** `performance.now()` of the last refill. */
  at: number;
}

/** Buckets idle this long are full again and forgotten, so the map stays as small as the active clients. */
const IDLE_FORGET_MS = 60_000;

/** Token buckets keyed by client id. `take` is pure bookkeeping: tested without a clock of its own. */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep = 0;

  constructor(private readonly limitOf: (clientId: string) => RateLimit) {}

  /** Takes one token for `clientId` at time `now` (ms); answers 0 when granted, else the ms to wait. */
  take(clientId: string, now: number): number {
    const limit = this.limitOf(clientId);
    const bucket = this.buckets.get(clientId) ?? { tokens: limit.burst, at: now };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) * limit.perSecond) / 1000);
    bucket.at = now;
    this.buckets.set(clientId, bucket);
    this.sweep(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) * 1000) / limit.perSecond);
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < IDLE_FORGET_MS) return;
    this.lastSweep = now;
    for (const [id, bucket] of this.buckets) if (now - bucket.at > IDLE_FORGET_MS) this.buckets.delete(id);
  }
}

/**
 * The middleware; runs after authentication.
 * @example app.use('*', rateLimit((clientId) => registry.byClientId(clientId)?.rateLimit ?? { perSecond: 2000, burst: 4000 }))
 */
export function rateLimit(limitOf: (clientId: string) => RateLimit, now: () => number = () => performance.now()) {
  const buckets = new TokenBuckets(limitOf);
  return createMiddleware<AppEnv>(async (c, next) => {
    const client = c.get('client') as AppEnv['Variables']['client'] | undefined;
    if (!client) return next();
    const waitMs = buckets.take(client.id, now());
    if (waitMs > 0) {
      throw new HttpError(429, `rate limit of client ${client.id} exceeded; retry after the Retry-After delay`, undefined, {
        'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))),
      });
    }
    return next();
  });
}
