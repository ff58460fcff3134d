/**
 * The Redis connection shared by queues and workers. Start-up checks that Redis answers before
 * anything else runs, and fails in about two seconds with a one-line `RedisUnavailableError`
 * instead of an endless reconnect loop (SPEC §8). Once started, the client reconnects forever:
 * a Redis restart must not kill a running gateway or worker.
 *
 * @example
 *   const redis = await connectRedis(config.REDIS_URL, { logger });
 *   const queues = await createJobQueues({ connection: redis, prefix: config.QUEUE_PREFIX, logger });
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RedisUnavailableError } from './redis-unavailable-error.js';

/** How long start-up waits for Redis to accept a connection (and again for its PING). */
export const REDIS_CONNECT_TIMEOUT_MS = 2_000;

/** Longest wait between two reconnection attempts once running. */
const RECONNECT_CAP_MS = 5_000;

export interface ConnectRedisOptions {
  logger?: Logger;
  connectTimeoutMs?: number;
}

/**
 * Connects to `url` and PINGs it.
 *
 * @throws RedisUnavailableError when Redis does not answer; its message is one line, with the
 *   URL's password masked.
 */
export async function connectRedis(url: string, options: ConnectRedisOptions = {}): Promise<Redis> {
  const { logger, connectTimeoutMs = REDIS_CONNECT_TIMEOUT_MS } = options;
  const safeUrl = maskPassword(url);
  let started = false;
  let lastError: string | undefined;
  let outage = false;

  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    // BullMQ workers refuse a connection without it: their blocking commands must wait out an
    // outage instead of failing after N reconnections. (Duplicates made by BullMQ inherit it.)
    maxRetriesPerRequest: null,
    // No retry before the first PING succeeded, so a missing Redis fails start-up at once;
    // afterwards, exponential reconnection capped at 5 s, for as long as it takes.
    retryStrategy: (times) => (started ? Math.min(100 * 2 ** times, RECONNECT_CAP_MS) : null),
  });
  // Without a listener ioredis prints every failed reconnection; log the outage once instead.
  client.on('error', (err: Error) => {
    lastError = oneLine(err.message);
    if (started && !outage) {
      outage = true;
      logger?.error({ redis: safeUrl, reason: lastError }, 'Redis connection lost, reconnecting');
    }
  });
  client.on('ready', () => {
    if (!outage) return;
    outage = false;
    logger?.info({ redis: safeUrl }, 'Redis connection restored');
  });

  try {
    // Bounded as a whole: a server that accepts TCP but never answers must not hang start-up.
    await withTimeout(
      client.connect().then(() => client.ping()),
      2 * connectTimeoutMs,
      `no answer within ${2 * connectTimeoutMs} ms`,
    );
  } catch (err) {
    client.disconnect();
    throw new RedisUnavailableError(safeUrl, lastError ?? oneLine(err instanceof Error ? err.message : String(err)));
  }
  started = true;
  logger?.info({ redis: safeUrl }, 'Redis connected');
  await warnIfEvicting(client, logger);
  return client;
}

/**
 * Redis evicting keys under memory pressure would silently drop queued jobs; BullMQ needs
 * `maxmemory-policy noeviction`. A warning, not a refusal: managed Redis may hide the setting.
 */
async function warnIfEvicting(client: Redis, logger: Logger | undefined): Promise<void> {
  const info = await client.info('memory').catch(() => '');
  const policy = /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
  if (policy !== undefined && policy !== 'noeviction') {
    logger?.warn({ maxmemoryPolicy: policy }, 'Redis may evict queued jobs: set maxmemory-policy noeviction');
  }
}

/** The URL as it may be logged: password replaced by `***`. */
export function maskPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable Redis URL)';
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
