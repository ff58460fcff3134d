/**
 * The inbound message log: every message a hospital or vendor pushes (HL7 v2 over MLLP or HTTP,
 * FHIR notification bundles, …) is stored here with its exact bytes **before** it is
 * acknowledged, then carries a status history until it is written, rejected or failed, and can
 * be listed per tenant and replayed (SPEC §3, §9; OpenHIM's audit-and-replay model).
 *
 * Intended use at an inbound edge:
 * ```ts
 * const r = await log.receive({ channel: 'mllp', clientId, tenant, dedupeKey: `${msh4}|${msh10}`, raw, charset, summary });
 * if (r.duplicate && r.ack) return send(r.ack);             // resend: same ACK, not processed again
 * if (r.status === 'received') {                            // new, or a duplicate of a message never queued
 *   await queue.add('hl7', { messageId: r.id }, { jobId: r.id });
 *   return send(await log.transitionAndSetAck(r.id, 'queued', buildAck(...)));  // one round trip
 * }
 * send(await log.setAck(r.id, buildAck(...)));             // the stored ACK wins a race
 * ```
 * A crash between `receive` and `transitionAndSetAck(…, 'queued', …)` leaves the message in `received`:
 * `pendingSince` finds it for a start-up sweep, and a resend finds it too (duplicate with
 * `status: 'received'`).
 *
 * Personal data lives only in the `raw` field (and is never returned by `list`). Summaries keep
 * four fixed non-personal fields; reasons are non-personal by contract (see `TransitionDetail`).
 *
 * Durability: a record is as durable as Redis makes it. Our compose file runs AOF with
 * `appendfsync always`: every write is on disk before Redis answers, so before the ACK. With
 * `everysec`, a power cut or OS crash can lose the last second of writes, ACKed messages
 * included (a crash of the Redis process alone loses nothing). Memory: Redis must run with
 * `noeviction`.
 *
 * Retention (later): nothing expires by default, so nothing is lost. A retention sweep will
 * delete, per message past its age, the hash, the history list, its members in the tenant,
 * tenant-client and status indexes and in `pending`, and the dedupe key if it still points at it
 * (a dedupe key whose record is gone is already treated as unseen by `receive`).
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { OperationOutcomeError, badRequest, conflict, notFound } from '@medplum/core';
import { decodeCursor, encodeCursor } from './cursor.js';
import { MessageLogKeys, segment } from './keys.js';
import { createMessageIdGenerator, isMessageId } from './message-id.js';
import { GET, LIST, REASSIGN, RECEIVE, SET_ACK, TRANSITION } from './scripts.js';
import {
  MESSAGE_CHANNELS,
  MESSAGE_STATUSES,
  REPLAYABLE_STATUSES,
  type EarlierStep,
  type HistoryEntry,
  type ListPage,
  type ListQuery,
  type MessageChannel,
  type MessageListItem,
  type MessageRecord,
  type MessageStatus,
  type MessageSummary,
  type ReceiveInput,
  type ReceiveResult,
  type TransitionDetail,
} from './types.js';

/** Largest page `list` serves: one Lua call reads every listed hash, so keep it short. */
export const MAX_LIST_LIMIT = 500;
/** Reasons are cut to this many characters: enough to explain, too short to paste a payload. */
export const MAX_REASON_LENGTH = 1000;
/** Default number of ids one `pendingSince` call returns; a sweep calls again until empty. */
const DEFAULT_PENDING_LIMIT = 1000;

/** Hash fields `list` reads, in this order (never `raw` or `ack`). */
const LIST_FIELDS = [
  'channel', 'clientId', 'tenant', 'dedupeKey', 'contentType', 'charset', 'summary', 'status',
  'reason', 'code', 'receivedAt', 'updatedAt', 'size', 'dups', 'replays', 'truncated',
] as const;

/** Options of `MessageLog`. */
export interface MessageLogOptions {
  readonly redis: Redis;
  /** Key prefix, e.g. `passerelle:msglog`; every key is `<prefix>:…` (layout in `keys.ts`). */
  readonly prefix: string;
  /** Clock, ms since the epoch; defaults to `Date.now`. */
  readonly now?: () => number;
}

/** Optional tenant guard of `get` / `getRaw`: another tenant's message reads as not found. */
export interface TenantGuard {
  readonly tenant?: string;
}

/**
 * Inbound message log on Redis. One instance per process is enough; it holds no state but the
 * id generator.
 */
export class MessageLog {
  private readonly redis: Redis;
  private readonly keys: MessageLogKeys;
  private readonly now: () => number;
  private readonly nextId = createMessageIdGenerator();

  constructor(options: MessageLogOptions) {
    this.redis = options.redis;
    this.keys = new MessageLogKeys(options.prefix);
    this.now = options.now ?? Date.now;
  }

  /**
   * Records a message with status `received`, atomically with its dedupe key: of any number of
   * concurrent receipts of one `(clientId, dedupeKey)`, exactly one creates a record and the
   * others get `duplicate: true` with that record's id, status and stored ACK (if any yet).
   * The created record's id joins `input.joinSets` in the same atomic call.
   * @throws OperationOutcomeError 400 when `tenant`, `clientId`, `channel` or `raw` is unusable.
   */
  async receive(input: ReceiveInput): Promise<ReceiveResult> {
    validateReceiveInput(input);
    const joinSets = input.joinSets ?? [];
    const now = this.now();
    const id = this.nextId(now);
    const sha = createHash('sha256').update(input.raw).digest('hex');
    const fields: (string | Buffer)[] = [
      'id', id,
      'channel', input.channel,
      'clientId', input.clientId,
      'tenant', input.tenant,
      'tk', segment(input.tenant),
      'ck', segment(input.clientId),
      'summary', JSON.stringify(pickSummary(input.summary)),
      'status', 'received',
      'receivedAt', String(now),
      'updatedAt', String(now),
      'size', String(input.raw.length),
      'sha', sha,
      'raw', input.raw,
    ];
    for (const name of ['dedupeKey', 'contentType', 'charset'] as const) {
      const value = input[name];
      if (value) fields.push(name, value);
    }
    if (input.truncated === true) fields.push('truncated', '1');
    const tenantKey = this.keys.tenant(input.tenant);
    const clientKey = this.keys.tenantClient(input.tenant, input.clientId);
    const keys = [
      this.keys.message(id),
      this.keys.history(id),
      tenantKey,
      MessageLogKeys.byStatus(tenantKey, 'received'),
      clientKey,
      MessageLogKeys.byStatus(clientKey, 'received'),
      this.keys.pending(),
      ...joinSets,
    ];
    if (input.dedupeKey) keys.push(this.keys.dedupe(input.clientId, input.dedupeKey));
    const entry: HistoryEntry = { at: iso(now), status: 'received' };
    const reply = bufferArray(
      await RECEIVE.run(this.redis, keys, [id, String(now), sha, JSON.stringify(entry), this.keys.messagePrefix(), String(joinSets.length), ...fields]),
    );
    const [duplicate, foundId, status, samePayload, hasAck, ack] = reply;
    if (!duplicate || !foundId || !status || !samePayload || !hasAck || !ack) {
      throw new Error('message log: unexpected reply from the receive script');
    }
    if (duplicate.toString() === '0') {
      return { id: foundId.toString(), duplicate: false, status: 'received' };
    }
    return {
      id: foundId.toString(),
      duplicate: true,
      status: asStatus(status.toString()),
      ack: hasAck.toString() === '1' ? ack : undefined,
      samePayload: samePayload.toString() === '1',
    };
  }

  /**
   * Stores the ACK sent for a message and returns the ACK to send: the one given, or the one
   * already stored if another receipt of the same message stored its ACK first. Call it after
   * the message is queued (or rejected) and before the ACK goes out.
   * @throws OperationOutcomeError 404 for an unknown id.
   */
  async setAck(id: string, ack: Buffer): Promise<Buffer> {
    this.checkId(id);
    const reply = bufferArray(await SET_ACK.run(this.redis, [this.keys.message(id)], [ack, String(this.now())]));
    const stored = reply[1];
    if (reply[0]?.toString() === 'notfound' || !stored) {
      throw new OperationOutcomeError(notFound);
    }
    return stored;
  }

  /**
   * Moves a message to `status` and appends a history entry (with `detail`), atomically with the
   * status indexes. Any status may follow any other (a retried job goes `failed` → `queued` …);
   * repeating a status appends another entry, so every attempt is on record.
   * `detail.reason` and `detail.code` must not contain personal data (see `TransitionDetail`).
   * With `options.earlier`, a step reached before (e.g. `mapped`) is recorded first, in the same
   * atomic call: a worker saves a round trip per message and the history reads the same.
   * With `options.leaveSets`, the id leaves those sorted sets in the same call (the person order,
   * once the message is settled: the counterpart of `receive`'s `joinSets`).
   * @returns the status the message had before.
   * @throws OperationOutcomeError 404 for an unknown id, 400 for an unknown status.
   */
  async transition(
    id: string,
    status: MessageStatus,
    detail?: TransitionDetail,
    options: { earlier?: EarlierStep; leaveSets?: readonly string[] } = {},
  ): Promise<{ previous: MessageStatus }> {
    for (const checked of [status, ...(options.earlier === undefined ? [] : [options.earlier.status])]) checkStatus(checked);
    const { previous } = await this.move(id, status, detail, options);
    return { previous };
  }

  /**
   * `transition` then `setAck`, in one atomic call: the intake's last round trip before it
   * answers. Returns the ACK to send, as `setAck` does (the one stored first wins).
   * @throws OperationOutcomeError 404 for an unknown id, 400 for an unknown status.
   */
  async transitionAndSetAck(id: string, status: MessageStatus, ack: Buffer, detail?: TransitionDetail): Promise<Buffer> {
    checkStatus(status);
    const stored = (await this.move(id, status, detail, { ack })).ack;
    if (stored === undefined) throw new Error('message log: the transition script stored no ACK');
    return stored;
  }

  /**
   * Replay bookkeeping: appends a `replayed` entry, then moves the message to `queued`; the
   * caller then enqueues it again (with a job id distinct from the first, e.g.
   * `${id}-r${replayCount}`, since BullMQ keeps finished jobs). Only messages in a terminal status
   * (`REPLAYABLE_STATUSES`) can be replayed, checked atomically: of two concurrent replays one
   * succeeds, the other gets a 409.
   * @param detail.reason why (non-personal: "mapping fixed in 1.4.2").
   * @throws OperationOutcomeError 404 for an unknown id, 409 when the message is not replayable.
   */
  async markReplayed(id: string, detail?: { readonly reason?: string }): Promise<{ previous: MessageStatus; replayCount: number }> {
    return this.move(id, 'queued', undefined, { replay: { reason: detail?.reason } });
  }

  /**
   * Moves a message to another client and tenant, in its current status: for a message of an
   * undeclared sender (tenant `_unassigned`) once a client declares it, before it is replayed.
   * Its history says so, with `reason` (non-personal, like a transition's).
   * @returns who held it before.
   * @throws OperationOutcomeError 404 for an unknown id, 400 for an empty tenant or client.
   */
  async reassign(id: string, owner: { readonly clientId: string; readonly tenant: string }, reason: string): Promise<{ clientId: string; tenant: string }> {
    this.checkId(id);
    if (owner.tenant === '' || owner.clientId === '') throw new OperationOutcomeError(badRequest('tenant and clientId are required'));
    const now = this.now();
    const entry: HistoryEntry = { at: iso(now), status: 'reassigned', reason: cut(reason) };
    const reply = bufferArray(
      await REASSIGN.run(this.redis, [this.keys.message(id), this.keys.history(id)], [
        id, this.keys.prefix, owner.tenant, segment(owner.tenant), owner.clientId, segment(owner.clientId), JSON.stringify(entry), String(now),
      ]),
    );
    if (reply[0]?.toString() === 'notfound') throw new OperationOutcomeError(notFound);
    return { tenant: reply[1]?.toString() ?? '', clientId: reply[2]?.toString() ?? '' };
  }

  /**
   * The full record, raw payload and history included.
   * @throws OperationOutcomeError 404 for an unknown id, or one of another tenant than `guard.tenant`.
   */
  async get(id: string, guard: TenantGuard = {}): Promise<MessageRecord> {
    this.checkId(id);
    const reply = await GET.run(this.redis, [this.keys.message(id), this.keys.history(id)], []);
    const [pairs, lines] = Array.isArray(reply) ? (reply as unknown[]) : [];
    if (!Array.isArray(pairs) || !Array.isArray(lines)) throw new Error('message log: unexpected reply from the get script');
    const hash: Record<string, Buffer> = {};
    for (let i = 0; i + 1 < pairs.length; i += 2) hash[String(pairs[i])] = pairs[i + 1] as Buffer;
    const raw = hash['raw'];
    const sha = hash['sha'];
    if (!raw || !sha || (guard.tenant !== undefined && hash['tenant']?.toString() !== guard.tenant)) {
      throw new OperationOutcomeError(notFound);
    }
    const ackAt = hash['ackAt'];
    return {
      ...toListItem(id, (field) => hash[field]),
      raw,
      payloadSha256: sha.toString(),
      ack: hash['ack'],
      ackAt: ackAt ? iso(Number(ackAt.toString())) : undefined,
      history: (lines as Buffer[]).map((line) => JSON.parse(line.toString()) as HistoryEntry),
    };
  }

  /**
   * The exact bytes received.
   * @throws OperationOutcomeError 404 for an unknown id, or one of another tenant than `guard.tenant`.
   */
  async getRaw(id: string, guard: TenantGuard = {}): Promise<Buffer> {
    this.checkId(id);
    const [raw, tenant] = await this.redis.hmgetBuffer(this.keys.message(id), 'raw', 'tenant');
    if (!raw || (guard.tenant !== undefined && tenant?.toString() !== guard.tenant)) {
      throw new OperationOutcomeError(notFound);
    }
    return raw;
  }

  /**
   * One page of a tenant's messages, newest first, optionally of one status and/or client.
   * Only that tenant's index is read, so no filter can reach another tenant's messages. Pages
   * follow receipt order, so a message changing status while an operator pages through a status
   * list may leave it or appear in it, but paging never repeats or skips a message that stays.
   * @throws OperationOutcomeError 400 for a bad `limit` or `cursor`.
   */
  async list(query: ListQuery): Promise<ListPage> {
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_LIST_LIMIT) {
      throw new OperationOutcomeError(badRequest(`limit must be an integer from 1 to ${MAX_LIST_LIMIT}`, 'limit'));
    }
    if (query.status !== undefined && !(MESSAGE_STATUSES as readonly string[]).includes(query.status)) {
      throw new OperationOutcomeError(badRequest(`Unknown message status: ${query.status}`, 'status'));
    }
    const base = query.clientId === undefined
      ? this.keys.tenant(query.tenant)
      : this.keys.tenantClient(query.tenant, query.clientId);
    const index = query.status === undefined ? base : MessageLogKeys.byStatus(base, query.status);
    const upper = query.cursor === undefined ? '+' : `(${decodeCursor(query.cursor)}`;
    // One more than asked, to know whether another page follows.
    const reply = bufferArray(
      await LIST.run(this.redis, [index], [upper, query.limit + 1, this.keys.messagePrefix(), ...LIST_FIELDS]),
    );
    const stride = LIST_FIELDS.length + 1;
    const rows: { id: string; item?: MessageListItem }[] = [];
    for (let offset = 0; offset < reply.length; offset += stride) {
      const id = reply[offset]?.toString() ?? '';
      const values = new Map(LIST_FIELDS.map((field, i) => [field as string, nonEmpty(reply[offset + 1 + i])]));
      // A member whose hash is gone (a retention sweep racing this read) is skipped, not an error.
      rows.push({ id, item: values.get('status') ? toListItem(id, (field) => values.get(field)) : undefined });
    }
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.flatMap((row) => (row.item ? [row.item] : [])),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last.id) : undefined,
    };
  }

  /**
   * Ids of messages that entered `received` more than `olderThanMs` ago and never moved on
   * (stored, but the process died before enqueuing), oldest first, across all tenants: for the
   * recovery sweep at start-up, which enqueues each (job id = message id, so a job that does
   * exist is not doubled) and moves it to `queued`.
   */
  async pendingSince(olderThanMs: number, limit = DEFAULT_PENDING_LIMIT): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.pending(), '-inf', this.now() - olderThanMs, 'LIMIT', 0, limit);
  }

  /** The TRANSITION script, with whichever of its extras the caller asks for. */
  private async move(
    id: string,
    status: MessageStatus,
    detail: TransitionDetail | undefined,
    extras: { replay?: { reason?: string | undefined }; earlier?: EarlierStep | undefined; ack?: Buffer; leaveSets?: readonly string[] | undefined } = {},
  ): Promise<{ previous: MessageStatus; replayCount: number; ack?: Buffer }> {
    const { replay, earlier, ack, leaveSets = [] } = extras;
    this.checkId(id);
    const now = this.now();
    const reason = detail?.reason ? cut(detail.reason) : undefined;
    const entry = historyEntry(now, status, detail);
    const earlierEntry = earlier === undefined ? '' : JSON.stringify(historyEntry(earlier.at, earlier.status, earlier.detail));
    const replayReason = replay?.reason ? cut(replay.reason) : undefined;
    const replayEntry: HistoryEntry | undefined = replay
      ? { at: iso(now), status: 'replayed', ...(replayReason ? { reason: replayReason } : {}) }
      : undefined;
    const allowed = replay ? ` ${REPLAYABLE_STATUSES.join(' ')} ` : '';
    const reply = bufferArray(
      await TRANSITION.run(
        this.redis,
        [this.keys.message(id), this.keys.history(id), this.keys.pending(), ...leaveSets],
        [
          id, status, String(now), JSON.stringify(entry), reason ?? '', detail?.code ?? '',
          this.keys.prefix, allowed, replayEntry ? JSON.stringify(replayEntry) : '', earlierEntry, ack ?? '',
        ],
      ),
    );
    const outcome = reply[0]?.toString();
    const current = reply[1]?.toString() ?? '';
    if (outcome === 'notfound') {
      throw new OperationOutcomeError(notFound);
    }
    if (outcome === 'conflict') {
      throw new OperationOutcomeError(
        conflict(`Message is ${current}; only ${REPLAYABLE_STATUSES.join(', ')} messages can be replayed`),
      );
    }
    const storedAck = reply[3];
    return {
      previous: asStatus(current),
      replayCount: Number(reply[2]?.toString() ?? '0'),
      ...(storedAck !== undefined && storedAck.length > 0 ? { ack: storedAck } : {}),
    };
  }

  /** Ids come from URLs: anything not shaped like ours is simply not found (and never reaches a key). */
  private checkId(id: string): void {
    if (!isMessageId(id)) {
      throw new OperationOutcomeError(notFound);
    }
  }
}

function historyEntry(at: number, status: MessageStatus, detail: TransitionDetail | undefined): HistoryEntry {
  const reason = detail?.reason ? cut(detail.reason) : undefined;
  return {
    at: iso(at),
    status,
    ...(reason ? { reason } : {}),
    ...(detail?.code ? { code: detail.code } : {}),
    ...(detail?.resources?.length ? { resources: [...detail.resources] } : {}),
  };
}

function validateReceiveInput(input: ReceiveInput): void {
  if (!(MESSAGE_CHANNELS as readonly string[]).includes(input.channel)) {
    throw new OperationOutcomeError(badRequest(`Unknown channel: ${String(input.channel)}`, 'channel'));
  }
  if (typeof input.tenant !== 'string' || input.tenant === '') {
    throw new OperationOutcomeError(badRequest('tenant is required', 'tenant'));
  }
  if (typeof input.clientId !== 'string' || input.clientId === '') {
    throw new OperationOutcomeError(badRequest('clientId is required', 'clientId'));
  }
  if (!Buffer.isBuffer(input.raw)) {
    throw new OperationOutcomeError(badRequest('raw must be a Buffer', 'raw'));
  }
}

/** Copies only the four known summary fields, so nothing else a caller adds is ever stored. */
function pickSummary(summary: MessageSummary): MessageSummary {
  const out: { -readonly [K in keyof MessageSummary]: string } = {};
  for (const name of ['messageType', 'event', 'controlId', 'sendingFacility'] as const) {
    const value = summary[name];
    if (typeof value === 'string' && value !== '') out[name] = value;
  }
  return out;
}

function toListItem(id: string, field: (name: string) => Buffer | undefined): MessageListItem {
  const text = (name: string): string | undefined => field(name)?.toString();
  const count = (name: string): number => Number(text(name) ?? '0');
  const instant = (name: string): string => iso(count(name));
  const channel = text('channel') ?? '';
  if (!(MESSAGE_CHANNELS as readonly string[]).includes(channel)) {
    throw new Error(`message log: stored channel of ${id} is not a known channel`);
  }
  return {
    id,
    channel: channel as MessageChannel,
    clientId: text('clientId') ?? '',
    tenant: text('tenant') ?? '',
    dedupeKey: text('dedupeKey'),
    contentType: text('contentType'),
    charset: text('charset'),
    summary: JSON.parse(text('summary') ?? '{}') as MessageSummary,
    ...(text('truncated') === '1' ? { truncated: true } : {}),
    status: asStatus(text('status') ?? ''),
    reason: text('reason'),
    code: text('code'),
    receivedAt: instant('receivedAt'),
    updatedAt: instant('updatedAt'),
    size: count('size'),
    duplicateCount: count('dups'),
    replayCount: count('replays'),
  };
}

/** A status a caller asks for: 400 when it is not one of ours. */
function checkStatus(status: string): void {
  if (!(MESSAGE_STATUSES as readonly string[]).includes(status)) {
    throw new OperationOutcomeError(badRequest(`Unknown message status: ${status}`, 'status'));
  }
}

function asStatus(value: string): MessageStatus {
  if (!(MESSAGE_STATUSES as readonly string[]).includes(value)) {
    throw new Error(`message log: unexpected stored status "${value}"`);
  }
  return value as MessageStatus;
}

/** Script replies are arrays of Buffers (see `LuaScript`); anything else is a bug worth a loud error. */
function bufferArray(reply: unknown): Buffer[] {
  if (!Array.isArray(reply) || !reply.every((value) => Buffer.isBuffer(value))) {
    throw new Error('message log: unexpected script reply');
  }
  return reply as Buffer[];
}

function nonEmpty(value: Buffer | undefined): Buffer | undefined {
  return value && value.length > 0 ? value : undefined;
}

function cut(reason: string): string {
  return reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH - 1)}…` : reason;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
