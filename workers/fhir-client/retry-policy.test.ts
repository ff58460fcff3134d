import { describe, expect, it } from 'vitest';
import type { FhirFailure } from './errors.js';
import {
  DEFAULT_RETRY_POLICY, MAX_RETRY_AFTER_MS, backoffDelayMs, decideRetry, isIdempotentMethod, isRetryable, parseRetryAfter,
} from './retry-policy.js';

const policy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 300 };

function failure(kind: FhirFailure['kind'], status: number, extra: Partial<FhirFailure> = {}): FhirFailure {
  return { kind, status, method: 'GET', target: 'Patient', maybeProcessed: true, ...extra };
}

describe('backoffDelayMs', () => {
  it('doubles the cap of each wait from baseDelayMs up to maxDelayMs', () => {
    const almostOne = () => 0.999999;
    expect([2, 3, 4, 5].map((n) => backoffDelayMs(n, policy, almostOne))).toEqual([99, 199, 299, 299]);
  });

  it('draws every wait uniformly between zero and the cap (full jitter)', () => {
    expect(backoffDelayMs(4, policy, () => 0)).toBe(0);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(100);
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelayMs(3, policy);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(200);
    }
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates as milliseconds from now', () => {
    const now = Date.parse('2026-11-24T10:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Tue, 24 Nov 2026 10:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Tue, 24 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });

  it('ignores an absent or unreadable header', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('-1')).toBeUndefined();
  });
});

describe('isRetryable', () => {
  it('retries throttling and gateway errors for every method', () => {
    for (const status of [429, 502, 503, 504]) expect(isRetryable(failure('http', status), false)).toBe(true);
  });

  it('retries a 500 only when repeating the call is harmless', () => {
    expect(isRetryable(failure('http', 500), true)).toBe(true);
    expect(isRetryable(failure('http', 500), false)).toBe(false);
  });

  it('never retries other client errors, 409 and 412 included', () => {
    for (const status of [400, 401, 403, 404, 408, 409, 410, 412, 422, 501]) {
      expect(isRetryable(failure('http', status), true)).toBe(false);
    }
  });

  it('retries a non-idempotent call after a lost answer only if the request was never sent', () => {
    expect(isRetryable(failure('network', 502, { maybeProcessed: false }), false)).toBe(true);
    expect(isRetryable(failure('network', 502, { maybeProcessed: true }), false)).toBe(false);
    expect(isRetryable(failure('timeout', 504, { maybeProcessed: true }), false)).toBe(false);
    expect(isRetryable(failure('timeout', 504, { maybeProcessed: true }), true)).toBe(true);
    expect(isRetryable(failure('invalid-response', 502), false)).toBe(false);
    expect(isRetryable(failure('invalid-response', 502), true)).toBe(true);
  });
});

describe('decideRetry', () => {
  it('stops once the attempts are spent', () => {
    expect(decideRetry(failure('http', 503), 3, true, policy).retry).toBe(true);
    expect(decideRetry(failure('http', 503), 4, true, policy).retry).toBe(false);
    expect(decideRetry(failure('http', 503), 1, true, { ...policy, attempts: 1 }).retry).toBe(false);
  });

  it('waits what Retry-After asks instead of the backoff', () => {
    expect(decideRetry(failure('http', 429, { retryAfterMs: 1234 }), 1, false, policy)).toEqual({ retry: true, delayMs: 1234 });
  });

  it('gives up at once when Retry-After asks for more than MAX_RETRY_AFTER_MS', () => {
    const decision = decideRetry(failure('http', 429, { retryAfterMs: MAX_RETRY_AFTER_MS + 1 }), 1, false, policy);
    expect(decision).toEqual({ retry: false });
  });

  it('uses the jittered backoff otherwise', () => {
    expect(decideRetry(failure('http', 503), 2, true, policy, () => 0.5)).toEqual({ retry: true, delayMs: 100 });
  });
});

describe('defaults', () => {
  it('treats GET, PUT and DELETE as idempotent, POST and PATCH not', () => {
    expect(['GET', 'put', 'DELETE'].every(isIdempotentMethod)).toBe(true);
    expect(['POST', 'PATCH'].some(isIdempotentMethod)).toBe(false);
  });

  it('keeps the worst-case wait of one call short', () => {
    const { attempts, baseDelayMs, maxDelayMs } = DEFAULT_RETRY_POLICY;
    let total = 0;
    for (let n = 2; n <= attempts; n++) total += Math.min(maxDelayMs, baseDelayMs * 2 ** (n - 2));
    expect(total).toBeLessThanOrEqual(2_000);
  });
});
