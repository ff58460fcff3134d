import type { BackoffOptions } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { BACKOFF_CAP_MS, CAPPED_EXPONENTIAL, backoffStrategy, cappedExponentialDelay } from './backoff-strategy.js';
import { COMPLETED_RETENTION, FAILED_RETENTION, JOB_POLICIES, STANDARD_RETRY, WEBHOOK_RETRY } from './job-policies.js';
import { QUEUE_NAMES } from './queue-names.js';

const HOUR = 3_600_000;

/** Sum of the waits between all attempts of a policy, BullMQ's way (attemptsMade = 1, 2, …). */
function totalWait(policy: { attempts: number; backoff: BackoffOptions }, random: () => number): number {
  let total = 0;
  for (let made = 1; made < policy.attempts; made++) {
    const { type, delay = 0, jitter = 0 } = policy.backoff;
    if (type === 'exponential') total += 2 ** (made - 1) * delay * (1 - jitter * random());
    else if (type === CAPPED_EXPONENTIAL) total += cappedExponentialDelay(made, { delay, jitter }, random);
    else throw new Error(`unexpected backoff ${type}`);
  }
  return total;
}

describe('retry policies', () => {
  it('gives up on ordinary work about 4 minutes after the first failure (203 to 254 s)', () => {
    expect(totalWait(STANDARD_RETRY, () => 0)).toBe(254_000);
    expect(totalWait(STANDARD_RETRY, () => 1)).toBeCloseTo(203_200, 0);
  });

  it('keeps retrying a webhook for at least 24 h (25.06 h to 27.6 h with jitter)', () => {
    const shortest = totalWait(WEBHOOK_RETRY, () => 0);
    const longest = totalWait(WEBHOOK_RETRY, () => 1);
    expect(shortest).toBeGreaterThanOrEqual(24 * HOUR);
    expect(shortest / HOUR).toBeCloseTo(25.06, 2);
    expect(longest / HOUR).toBeLessThan(27.6);
  });

  it('never waits more than an hour (plus jitter) between two webhook attempts', () => {
    for (let made = 1; made < WEBHOOK_RETRY.attempts; made++) {
      expect(cappedExponentialDelay(made, WEBHOOK_RETRY.backoff, () => 0)).toBeLessThanOrEqual(BACKOFF_CAP_MS);
    }
    expect(cappedExponentialDelay(1, { delay: 30_000 }, () => 0)).toBe(30_000);
    expect(cappedExponentialDelay(3, { delay: 30_000 }, () => 0)).toBe(120_000);
  });

  it('refuses a custom backoff type it does not know instead of retrying at random', () => {
    const job = { opts: { backoff: { type: 'capped-exponentail', delay: 10 } } } as never;
    expect(() => backoffStrategy(1, 'capped-exponentail', undefined, job)).toThrow(/unknown backoff/);
    const ok = { opts: { backoff: { type: CAPPED_EXPONENTIAL, delay: 10 } } } as never;
    expect(backoffStrategy(2, CAPPED_EXPONENTIAL, undefined, ok)).toBe(20);
  });

  it('has a policy for every queue that keeps failed jobs longer than completed ones', () => {
    for (const name of QUEUE_NAMES) {
      const policy = JOB_POLICIES[name];
      expect(policy.attempts, name).toBeGreaterThan(1);
      expect(policy.removeOnFail, name).toEqual(FAILED_RETENTION);
      expect(policy.removeOnComplete, name).toEqual(COMPLETED_RETENTION);
    }
    expect(FAILED_RETENTION.age).toBeGreaterThan(COMPLETED_RETENTION.age);
    expect('count' in FAILED_RETENTION).toBe(false);
  });
});
