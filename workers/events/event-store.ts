/**
 * Events in Redis, stored once per id (`SET NX`) with a "fanned out" marker beside them, so a
 * publisher that crashed half-way through its fan-out redoes it on retry, and one that finished
 * does nothing more.
 *
 * | key               | type   | holds                                      |
 * |-------------------|--------|--------------------------------------------|
 * | `P:ev:{id}`       | string | the event (JSON)                           |
 * | `P:ev:{id}:f`     | string | `1` once every delivery job was enqueued   |
 */
import type { Redis } from 'ioredis';
import { StoredEventSchema, type StoredEvent } from './event.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * How long an event is kept: a delivery is retried for at most ≈ 27.6 h (`WEBHOOK_RETRY` with its
 * jitter), then stays replayable in the failed set for 30 days (`FAILED_RETENTION`): 32 days
 * covers both, so a replay always finds its event. It is also how long an eventKey dedupes.
 * Events hold personal data: no longer than that.
 */
export const EVENT_RETENTION_MS = 32 * DAY_MS;

export interface PutResult {
  /** False when an event with this id was already stored (its content is kept as it was). */
  created: boolean;
  /** True when that earlier publication finished its fan-out. */
  fannedOut: boolean;
}

export class EventStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly retentionMs = EVENT_RETENTION_MS,
  ) {}

  private key(id: string): string {
    return `${this.prefix}:ev:${id}`;
  }

  /** Stores `event` unless its id is already stored; tells which, and whether fan-out finished. */
  async put(event: StoredEvent): Promise<PutResult> {
    const replies = await this.redis
      .multi()
      .set(this.key(event.id), JSON.stringify(event), 'PX', this.retentionMs, 'NX')
      .exists(`${this.key(event.id)}:f`)
      .exec();
    const [setReply, markerReply] = replies ?? [];
    if (setReply?.[0]) throw setReply[0];
    if (markerReply?.[0]) throw markerReply[0];
    return { created: setReply?.[1] === 'OK', fannedOut: markerReply?.[1] === 1 };
  }

  /** Records that every delivery job of the event is enqueued. */
  async markFannedOut(id: string): Promise<void> {
    await this.redis.set(`${this.key(id)}:f`, '1', 'PX', this.retentionMs);
  }

  /** The stored event, or `undefined` once its retention has passed (or it never existed). */
  async get(id: string): Promise<StoredEvent | undefined> {
    const text = await this.redis.get(this.key(id));
    if (text === null) return undefined;
    // Written by us, but possibly by an older release: parse, don't cast.
    return StoredEventSchema.parse(JSON.parse(text));
  }
}
