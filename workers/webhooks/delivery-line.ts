/**
 * The line of deliveries of one (subscription, patient) pair, in Redis: a sorted set whose
 * scores are tickets taken at fan-out, so a subscriber hears about one person's changes in the
 * order they were published. Only the head of the line is sent; see `line-gate.ts` for what the
 * others do meanwhile, and README.md for the whole design.
 *
 * Tickets are Redis server milliseconds, bumped by one when two arrive in the same millisecond:
 * increasing per pair, comparable across worker processes, and they tell how old an entry is.
 */
import type { Redis } from 'ioredis';
import { EVENT_RETENTION_MS } from '../events/event-store.js';
import { LuaScript } from '../message-log/lua-script.js';
import { WebhookKeys } from './keys.js';

/**
 * Gives `ARGV[1]` a ticket unless it already holds one (a repeated fan-out keeps its place).
 * KEYS: 1 line (zset), 2 last ticket (string). ARGV: 1 event id, 2 ttl ms.
 * Reply: the ticket.
 */
const TAKE_TICKET = new LuaScript(`
local held = redis.call('ZSCORE', KEYS[1], ARGV[1])
if held then return held end
local t = redis.call('TIME')
local ticket = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if ticket <= last then ticket = last + 1 end
local text = string.format('%d', ticket)
redis.call('SET', KEYS[2], text, 'PX', ARGV[2])
redis.call('ZADD', KEYS[1], text, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return text
`);

export interface LinePosition {
  /** This delivery's ticket, or `undefined` when it is not in line (replayed, or released). */
  mine?: number;
  /** The first delivery in line, if any. */
  head?: { eventId: string; ticket: number };
}

export class DeliveryLine {
  private readonly keys: WebhookKeys;

  /**
   * @param ttlMs lines and their clocks expire this long after the last ticket, so the entries
   *   of a deleted subscription do not stay forever. Default: the event retention.
   */
  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly ttlMs = EVENT_RETENTION_MS,
  ) {
    this.keys = new WebhookKeys(prefix);
  }

  /** Puts the delivery of `eventId` at the end of the pair's line (idempotent); returns its ticket. */
  async takeTicket(subscriptionId: string, patientRef: string, eventId: string): Promise<number> {
    const line = this.keys.order(subscriptionId, patientRef);
    const reply = await TAKE_TICKET.run(this.redis, [line, `${line}:t`], [eventId, this.ttlMs]);
    return Number(String(reply));
  }

  /** Where `eventId` stands, and who is first. */
  async position(subscriptionId: string, patientRef: string, eventId: string): Promise<LinePosition> {
    const line = this.keys.order(subscriptionId, patientRef);
    const replies = await this.redis.multi().zscore(line, eventId).zrange(line, '0', '0', 'WITHSCORES').exec();
    const [mineReply, headReply] = replies ?? [];
    if (mineReply?.[0]) throw mineReply[0];
    if (headReply?.[0]) throw headReply[0];
    const mine = mineReply?.[1];
    const [headId, headTicket] = (headReply?.[1] as string[] | undefined) ?? [];
    return {
      ...(typeof mine === 'string' ? { mine: Number(mine) } : {}),
      ...(headId !== undefined && headTicket !== undefined ? { head: { eventId: headId, ticket: Number(headTicket) } } : {}),
    };
  }

  /** The first delivery in line, if any. */
  async head(subscriptionId: string, patientRef: string): Promise<string | undefined> {
    const [first] = await this.redis.zrange(this.keys.order(subscriptionId, patientRef), '0', '0');
    return first;
  }

  /** Takes `eventId` out of the line (delivered, dead-lettered, or no longer to be sent). */
  async release(subscriptionId: string, patientRef: string, eventId: string): Promise<void> {
    await this.redis.zrem(this.keys.order(subscriptionId, patientRef), eventId);
  }
}
