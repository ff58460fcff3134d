/**
 * The change feed's durable state in Redis: one cursor per watched type and the lease that lets
 * one poller at a time run across every worker process.
 *
 * | key                     | type   | holds                                                          |
 * |-------------------------|--------|----------------------------------------------------------------|
 * | `P:changefeed:cursor`   | hash   | type → epoch ms of the newest `meta.lastUpdated` fully handled |
 * | `P:changefeed:lease`    | string | token of the poller holding the lease (expires)                |
 *
 * The cursor only moves forward (a poller that lost its lease mid-cycle and finishes late cannot
 * move it back), and only after every event of the cycle is published, so a crash repeats work
 * (deduplicated by the event key) rather than losing it. Neither key expires with the events: a
 * cursor must outlive any pause of the feed.
 */
import type { Redis } from 'ioredis';

/** Sets `field` to `ARGV[2]` unless it already holds a number at least as large. */
const ADVANCE = `
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]))
local proposed = tonumber(ARGV[2])
if current == nil or proposed > current then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return 1
end
return 0`;

/** Takes the lease if free, extends it if ours; 1 when we hold it afterwards. */
const ACQUIRE = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

/** Deletes the lease only if it is ours. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export class FeedState {
  private readonly cursorKey: string;
  private readonly leaseKey: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.cursorKey = `${prefix}:changefeed:cursor`;
    this.leaseKey = `${prefix}:changefeed:lease`;
  }

  /** The stored cursor of `type` (epoch ms), or undefined before the first poll. */
  async cursor(type: string): Promise<number | undefined> {
    const text = await this.redis.hget(this.cursorKey, type);
    const ms = text === null ? Number.NaN : Number(text);
    return Number.isFinite(ms) ? ms : undefined;
  }

  /** Moves the cursor of `type` to `ms` unless it is already there or further. */
  async advance(type: string, ms: number): Promise<void> {
    await this.redis.eval(ADVANCE, 1, this.cursorKey, type, String(Math.trunc(ms)));
  }

  /** Takes or extends the lease for `ttlMs`; false when another poller holds it. */
  async acquire(token: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(ACQUIRE, 1, this.leaseKey, token, String(Math.trunc(ttlMs)))) === 1;
  }

  /** Gives the lease up (if still ours), so another process may poll at once. */
  async release(token: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.leaseKey, token);
  }
}
