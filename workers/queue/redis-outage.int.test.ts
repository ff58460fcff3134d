/**
 * A Redis outage seen through a TCP proxy in front of the real Redis: the proxy goes down and
 * comes back on the same port, as a restarted Redis would.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRedis } from './redis.js';
import { createJobQueues, type JobQueues } from './job-queues.js';
import { runWorker, type WorkerHandle } from './run-worker.js';
import { shutdownQueues } from './shutdown.js';
import { waitForJob } from './wait-for-job.js';
import type { Redis } from 'ioredis';

const trace = { requestId: 'req-outage', clientId: 'dac-doubs', tenant: 'doubs' };

class RedisProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async start(): Promise<void> {
    const server = createServer((client) => {
      const upstream = createConnection(6379, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get running(): boolean {
    return this.server !== undefined;
  }
}

describe('a Redis outage', () => {
  const proxy = new RedisProxy();
  let redis: Redis | undefined;
  let queues: JobQueues | undefined;
  let worker: WorkerHandle<'cases'> | undefined;
  let prefix = '';

  afterEach(async () => {
    if (!proxy.running) await proxy.start();
    await shutdownQueues({ workers: worker ? [worker] : [], queues, redis }, { timeoutMs: 2_000 });
    await proxy.stop();
    const direct = await connectRedis('redis://127.0.0.1:6379');
    const keys = await direct.keys(`${prefix}:*`);
    if (keys.length > 0) await direct.del(...keys);
    await direct.quit();
  });

  it('makes enqueue fail at once, and the queues and workers resume when Redis is back', async () => {
    prefix = `test-${randomUUID().slice(0, 8)}`;
    const logger = pino({ level: 'silent' });
    await proxy.start();
    redis = await connectRedis(`redis://127.0.0.1:${proxy.port}`, { logger });
    queues = await createJobQueues({ connection: redis, prefix, logger });
    worker = await runWorker('cases', async (job) => ({ resources: [job.data.payload.caseId] }), {
      connection: redis, prefix, logger,
    });
    const before = await queues.enqueue('cases', { action: 'revoke', caseId: 'before' }, { trace });
    expect((await waitForJob(queues, before.jobId, 10_000))?.status).toBe('completed');

    await proxy.stop();
    const started = Date.now();
    await expect(queues.enqueue('cases', { action: 'revoke', caseId: 'during' }, { trace })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3_000);

    await proxy.start();
    // Reconnection waits are capped at 5 s: retry the enqueue until the producer is back.
    let after: { jobId: string } | undefined;
    for (let i = 0; i < 100 && !after; i++) {
      after = await queues.enqueue('cases', { action: 'revoke', caseId: 'after' }, { trace }).catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        return undefined;
      });
    }
    expect(after).toBeDefined();
    const status = await waitForJob(queues, after!.jobId, 20_000);
    expect(status).toMatchObject({ status: 'completed', result: { resources: ['after'] } });
  }, 60_000);
});
