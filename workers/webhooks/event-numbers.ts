/**
 * Event numbers of FHIR subscriptions (R4 Subscriptions Backport `event-number`,
 * `events-since-subscription-start`): per subscription, 1, 2, 3… in the order deliveries reach
 * their turn, assigned once per event — a retry, a second run after a crash, or a dead-letter
 * replay sends the number the event got the first time. One Lua script, so the counter and the
 * event's number never disagree and no number is skipped.
 *
 * @example
 *   const numbers = new EventNumbers(redis, config.QUEUE_PREFIX);
 *   await numbers.numberOf('sub_…', 'evt_…'); // { eventNumber: 1, eventCount: 1 }, the same on a retry
 *   await numbers.count('sub_…');             // 1
 */
import type { Redis } from 'ioredis';
import { EVENT_RETENTION_MS } from '../events/event-store.js';
import { WebhookKeys } from './keys.js';

/**
 * KEYS[1] counter, KEYS[2] event → number; ARGV[1] event id, ARGV[2] retention (ms). Answers
 * { the event's number, events numbered so far }. The hash
 * lives as long as an event can still be delivered or replayed (refreshed on each new number).
 */
const NUMBER_SCRIPT = `
local given = redis.call('HGET', KEYS[2], ARGV[1])
if given then return { tonumber(given), tonumber(redis.call('GET', KEYS[1]) or given) } end
local n = redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[2], ARGV[1], n)
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return { n, n }
`;

export class EventNumbers {
  private readonly keys: WebhookKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly retentionMs = EVENT_RETENTION_MS,
  ) {
    this.keys = new WebhookKeys(prefix);
  }

  /** The number of `eventId` for the subscription (assigned now if it has none yet), and the count so far. */
  async numberOf(subscriptionId: string, eventId: string): Promise<{ eventNumber: number; eventCount: number }> {
    const reply = await this.redis.eval(NUMBER_SCRIPT, 2, this.keys.eventCount(subscriptionId), this.keys.eventNumbers(subscriptionId), eventId, this.retentionMs);
    const [eventNumber, eventCount] = reply as [number, number];
    return { eventNumber: Number(eventNumber), eventCount: Number(eventCount) };
  }

  /** Events numbered for the subscription so far. */
  async count(subscriptionId: string): Promise<number> {
    return Number((await this.redis.get(this.keys.eventCount(subscriptionId))) ?? 0);
  }
}
