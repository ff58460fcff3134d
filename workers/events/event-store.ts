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
import { PUBLISH, PUT } from './publish-script.js';

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
  /** True when the fan-out is finished: by an earlier publication, or (`putAndReadListeners`) now, nobody listening. */
  fannedOut: boolean;
}

/** Where `putAndReadListeners` finds the subscriptions to fan out to. */
export interface ListenerIndex {
  /** The set of subscription ids listening to the event's type in its tenant (`P:wh:e:…`). */
  listenersKey: string;
  /** Prefix of a subscription's hash key (`P:wh:s:`), followed by its id. */
  subscriptionKeyPrefix: string;
  /** Subscriptions of this client are not returned (no echo to the writer). */
  sourceClientId: string;
}

export interface PutWithListeners extends PutResult {
  /** Hashes of the listening subscriptions (not the source client's); empty when `fannedOut`. */
  listenerHashes: Record<string, string>[];
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
    const reply = await PUT.run(this.redis, [this.key(event.id), `${this.key(event.id)}:f`], [JSON.stringify(event), this.retentionMs]);
    const [created, fannedOut] = (reply as Buffer[]).map(String);
    return { created: created === '1', fannedOut: fannedOut === '1' };
  }

  /**
   * `put`, and in the same round trip the subscriptions to fan out to; when there are none the
   * event is marked fanned out at once (`publish-script.ts`).
   */
  async putAndReadListeners(event: StoredEvent, index: ListenerIndex): Promise<PutWithListeners> {
    const reply = (await PUBLISH.run(
      this.redis,
      [this.key(event.id), `${this.key(event.id)}:f`, index.listenersKey],
      [JSON.stringify(event), this.retentionMs, index.subscriptionKeyPrefix, index.sourceClientId],
    )) as [Buffer, Buffer, ...Buffer[][]];
    const [created, fannedOut, ...hashes] = reply;
    return {
      created: String(created) === '1',
      fannedOut: String(fannedOut) === '1',
      listenerHashes: hashes.map(pairsToRecord),
    };
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

/** A flat HGETALL reply (`[field, value, …]`) as an object. */
function pairsToRecord(flat: readonly Buffer[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) record[String(flat[i])] = String(flat[i + 1]);
  return record;
}
