import { describe, expect, it } from 'vitest';
import { connectRedis } from './redis.js';
import { RedisUnavailableError } from './redis-unavailable-error.js';
import { TEST_REDIS_URL } from './test-env.js';

describe('connectRedis', () => {
  it('returns a client that answers, ready for BullMQ workers', async () => {
    const redis = await connectRedis(TEST_REDIS_URL);
    try {
      expect(await redis.ping()).toBe('PONG');
      expect(redis.options.maxRetriesPerRequest).toBeNull();
    } finally {
      await redis.quit();
    }
  });

  it('rejects fast, in one line saying how to start Redis, when nothing listens', async () => {
    const started = Date.now();
    const error = await connectRedis('redis://127.0.0.1:1').catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error).toBeInstanceOf(RedisUnavailableError);
    const { message } = error as Error;
    expect(message).not.toContain('\n');
    expect(message).toContain('Redis is not reachable at redis://127.0.0.1:1');
    expect(message).toContain('ECONNREFUSED');
    expect(message).toContain('redis-server --daemonize yes');
    expect(message).toContain('REDIS_URL');
  });

  it('never shows the password of the URL', async () => {
    const error = (await connectRedis('redis://ops:hunter2@127.0.0.1:1').catch((e: unknown) => e)) as RedisUnavailableError;
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect(error.message).not.toContain('hunter2');
    expect(error.message).toContain('redis://ops:***@127.0.0.1:1');
    expect(error.safeUrl).toBe('redis://ops:***@127.0.0.1:1');
  });

  it('gives up within its bound on a server that accepts connections but never answers', async () => {
    const { createServer } = await import('node:net');
    const silent = createServer(() => undefined); // accepts, never replies
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const started = Date.now();
      const error = await connectRedis(`redis://127.0.0.1:${port}`, { connectTimeoutMs: 300 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RedisUnavailableError);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect((error as Error).message).not.toContain('\n');
    } finally {
      silent.close();
    }
  });
});
