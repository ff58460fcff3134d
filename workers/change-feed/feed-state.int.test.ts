import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteQueueKeys } from '../../test/helpers/gateway-process.js';
import { connectRedis } from '../queue/index.js';
import { TEST_REDIS_URL } from '../queue/test-env.js';
import { FeedState } from './feed-state.js';

let redis: Redis;
let prefix: string;
let state: FeedState;

beforeEach(async () => {
  redis = await connectRedis(TEST_REDIS_URL);
  prefix = `test-${randomUUID().slice(0, 8)}`;
  state = new FeedState(redis, prefix);
});

afterEach(async () => {
  redis.disconnect();
  await deleteQueueKeys(prefix);
});

describe('FeedState', () => {
  it('keeps one cursor per type, survives a new instance, and never moves it back', async () => {
    expect(await state.cursor('CarePlan')).toBeUndefined();
    await state.advance('CarePlan', 2000);
    await state.advance('Task', 500);
    await state.advance('CarePlan', 1500);
    const reopened = new FeedState(redis, prefix);
    expect(await reopened.cursor('CarePlan')).toBe(2000);
    expect(await reopened.cursor('Task')).toBe(500);
    await reopened.advance('CarePlan', 2001);
    expect(await state.cursor('CarePlan')).toBe(2001);
  });

  it('lets one poller hold the lease at a time, and the next take it once released or expired', async () => {
    expect(await state.acquire('a', 60_000)).toBe(true);
    expect(await state.acquire('b', 60_000)).toBe(false);
    expect(await state.acquire('a', 60_000)).toBe(true);
    await state.release('b');
    expect(await state.acquire('b', 60_000)).toBe(false);
    await state.release('a');
    expect(await state.acquire('b', 50)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await state.acquire('a', 60_000)).toBe(true);
  });
});
