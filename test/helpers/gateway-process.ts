/**
 * Runs Passerelle (`gateway/main.ts`) as its own process, as `npm start` does, on free ports,
 * a fresh DATA_DIR and its own queue prefix, so tests see the product exactly as users do.
 *
 * @example
 *   const gw = await startGatewayProcess();
 *   await fetch(`${gw.httpUrl}/health`);
 *   await gw.stop();
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { spawnService, type ServiceProcess } from '../../gateway/process/spawn-service.js';

export interface GatewayProcess {
  httpUrl: string;
  /** The FHIR server behind the gateway (the embedded store unless FHIR_BASE_URL was given). */
  fhirBaseUrl: string;
  mllpPort?: number;
  dataDir: string;
  queuePrefix: string;
  process: ServiceProcess<{ http?: string; fhir: string; mllp?: number }>;
  /** SIGTERM; the data dir and queue keys are kept (restart with `restartOnSameData`). */
  stop(): Promise<void>;
  /** Stops and removes the data dir and the queue keys. */
  destroy(): Promise<void>;
}

export interface GatewayProcessOptions {
  env?: Record<string, string>;
  args?: string[];
  dataDir?: string;
  queuePrefix?: string;
}

export async function startGatewayProcess(opts: GatewayProcessOptions = {}): Promise<GatewayProcess> {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'passerelle-test-')));
  const queuePrefix = opts.queuePrefix ?? `t${randomUUID().slice(0, 8)}`;
  const child = await spawnService<{ http?: string; fhir: string; mllp?: number }>({
    entry: 'gateway/main.ts',
    args: opts.args,
    readyMessage: 'passerelle listening',
    env: {
      PORT: '0',
      HOST: '127.0.0.1',
      MLLP_PORT: '0',
      MLLP_HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      QUEUE_PREFIX: queuePrefix,
      LOG_LEVEL: 'info',
      ...opts.env,
    },
    startTimeoutMs: 60_000,
  });
  const stop = () => child.stop();
  return {
    httpUrl: child.ready.http ?? '',
    fhirBaseUrl: child.ready.fhir,
    ...(child.ready.mllp !== undefined ? { mllpPort: child.ready.mllp } : {}),
    dataDir,
    queuePrefix,
    process: child,
    stop,
    destroy: async () => {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
      await deleteQueueKeys(queuePrefix);
    },
  };
}

/** Removes every Redis key under a test's queue prefix. */
export async function deleteQueueKeys(prefix: string, redisUrl = 'redis://127.0.0.1:6379'): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
