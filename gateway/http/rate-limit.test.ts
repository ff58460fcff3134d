import { describe, expect, it } from 'vitest';
import { ClientRegistry, sha256Hex } from '../auth/client-registry.js';
import { createApp } from '../app.js';
import { createLogger } from '../log.js';
import { registerMeRoute } from '../routes/me.js';
import { TokenBuckets } from './rate-limit.js';

describe('per-client rate limit', () => {
  it('lets a burst through, then one request per 1/perSecond', () => {
    const buckets = new TokenBuckets(() => ({ perSecond: 10, burst: 3 }));
    expect([0, 0, 0].map(() => buckets.take('a', 1000))).toEqual([0, 0, 0]);
    expect(buckets.take('a', 1000)).toBe(100); // empty: the next token in 100 ms
    expect(buckets.take('a', 1050)).toBe(50);
    expect(buckets.take('a', 1100)).toBe(0);
    expect(buckets.take('b', 1100)).toBe(0); // another client has its own bucket
    expect([0, 0, 0, 0].map(() => buckets.take('a', 10_000))).toEqual([0, 0, 0, 100]); // refilled to the burst, not beyond
  });

  it('answers 429 with Retry-After to the client over its limit, and only to it', async () => {
    const client = (id: string, rateLimit?: { perSecond: number; burst: number }) => ({
      id, name: id, tenant: 't', apiKeySha256: sha256Hex(`${id}-key`), scopes: [], hl7Facilities: [], ...(rateLimit ? { rateLimit } : {}),
    });
    const registry = new ClientRegistry([client('greedy', { perSecond: 0.5, burst: 2 }), client('calm')]);
    const app = createApp({
      logger: createLogger('silent'), clients: registry, bodyLimit: 1024, checkReadiness: async () => ({}),
      rateLimitOf: (id) => registry.byClientId(id)?.rateLimit ?? { perSecond: 100, burst: 100 },
      routes: [registerMeRoute],
    });
    const me = (id: string) => app.request('/v1/me', { headers: { authorization: `Bearer ${id}-key` } });
    expect((await me('greedy')).status).toBe(200);
    expect((await me('greedy')).status).toBe(200);
    const refused = await me('greedy');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('2');
    expect(await refused.json()).toMatchObject({ status: 429, detail: expect.stringContaining('rate limit of client greedy') });
    expect((await me('calm')).status).toBe(200);
    expect((await app.request('/health')).status).toBe(200); // public paths carry no client
  });
});
