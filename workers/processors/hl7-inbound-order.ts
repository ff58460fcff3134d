/**
 * Per-person ordering of inbound HL7 v2 messages: the messages of one person are applied to the
 * FHIR store in the order they were received, even with many workers (an A03 must never be
 * written before the A01 of the same stay).
 *
 * Design (simple on purpose):
 * - A person is a patient identifier of the sending facility: each PID-3 identifier of type PI
 *   (IPP) with its assigning authority, else every non-INS identifier, else the INS. A40 also
 *   names the persons of MRG-1, so a merge waits for the earlier messages of both persons.
 *   Each person is one Redis sorted set, `<prefix>:hl7:person:<hash>`: the hash (SHA-256 of
 *   facility, authority and value) keeps identifiers out of key names.
 * - Members are message-log ids, all with score 0, so the set sorts them lexicographically, which
 *   for our ids (ULID layout) is receipt order.
 * - The edge registers a message in its sets as it stores it, in the same atomic call
 *   (`MessageLog.receive` with `joinSets: order.keys(tokens)`), before queueing it; under a
 *   per-person lock, so two messages of one person arriving together register in receipt order
 *   (see `gateway/hl7/keyed-lock.ts`).
 * - The worker registers again (a no-op then; it matters for replays and recovery sweeps), and
 *   processes a message only when no smaller id is pending in any of its sets; otherwise the job
 *   goes back to the delayed set for a short while (BullMQ `moveToDelayed` + `DelayedError`,
 *   which does not count as an attempt). Once the message is written or has permanently failed,
 *   it leaves its sets, which lets the next one through.
 * - Progress is guaranteed: the smallest pending id overall is first in every set it is in.
 *   A blocker whose message is already settled (written, rejected, failed, or gone) is removed
 *   on sight, so a crash between "settled" and "released" cannot block a person. A blocker whose
 *   job died without settling (BullMQ gave up after stalls) would block forever; the worker
 *   stops waiting after a bound (`MAX_ORDER_WAIT_MS` in the processor), logs it, and takes the
 *   blocker out of the order so the person's later messages do not wait for it again.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { isOid } from '../../mappings/adt/context.js';
import type { AdtEvent, Hl7Identifier } from '../../mappings/hl7/adt-types.js';
import { LuaScript } from '../message-log/lua-script.js';

/** CX-5 types that mark an INS (PAM France and older feeds). */
const INS_TYPES = new Set(['INS', 'INS-NIR', 'INS-NIA', 'INS-C']);

/**
 * The persons a message is about, as opaque tokens (hashes): the survivor's (PID-3) and, for a
 * merge, the prior identities' (MRG-1). Empty when the message names no usable identifier.
 * Pure: the edge and the worker derive the same tokens from the same message.
 */
export function personTokens(facility: string, event: AdtEvent): string[] {
  const groups: Hl7Identifier[][] = [];
  if (event.patient !== undefined) groups.push(event.patient.identifiers);
  for (const merge of event.merges) groups.push(merge.priorIdentifiers);
  const tokens = new Set<string>();
  for (const identifiers of groups) {
    for (const id of personIdentifiers(identifiers)) tokens.add(hashPerson(facility, id));
  }
  return [...tokens].sort();
}

/** IPPs (type PI) first; else every identifier but the INS; else the INS. */
function personIdentifiers(identifiers: readonly Hl7Identifier[]): Hl7Identifier[] {
  const ipp = identifiers.filter((id) => id.typeCode === 'PI');
  if (ipp.length > 0) return ipp;
  const local = identifiers.filter((id) => !INS_TYPES.has(id.typeCode ?? ''));
  return local.length > 0 ? local : [...identifiers];
}

/**
 * The namespace of an identifier as both channels spell it: its OID when it has one (HL7 CX-4
 * `CH_EXEMPLE&1.2.3&ISO` and a FHIR notification's `urn:oid:1.2.3` are one namespace, so one
 * person's HL7 and FHIR messages share a turn), else the FHIR system or the CX-4 namespace id.
 */
function namespaceOf(id: Hl7Identifier): string {
  const authority = id.assigningAuthority;
  if (isOid(authority?.universalId)) return `oid:${authority.universalId}`;
  return id.fhirSystem ?? authority?.namespaceId ?? '';
}

function hashPerson(facility: string, id: Hl7Identifier): string {
  return createHash('sha256').update(`${facility}\u0000${namespaceOf(id)}\u0000${id.value}`).digest('hex').slice(0, 32);
}

/** Options of {@link PersonOrder}. */
export interface PersonOrderOptions {
  redis: Redis;
  /** Key prefix shared by the edge and the workers (the queue prefix, `QUEUE_PREFIX`). */
  prefix: string;
}

/**
 * The Redis side of per-person ordering (see the module comment). Each call is one Lua script
 * (one EVALSHA, atomic over the person's sets) rather than a MULTI: ioredis builds every MULTI
 * by copying each script defined on the connection (BullMQ defines dozens on the shared one),
 * which cost more CPU than the commands themselves.
 */
export class PersonOrder {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(options: PersonOrderOptions) {
    this.redis = options.redis;
    this.prefix = options.prefix;
  }

  /** Key of one person's set. */
  key(token: string): string {
    return `${this.prefix}:hl7:person:${token}`;
  }

  /** Keys of the persons' sets: what `MessageLog.receive` joins a new message to (`joinSets`). */
  keys(tokens: readonly string[]): string[] {
    return tokens.map((token) => this.key(token));
  }

  /** Adds `messageId` to each person's set (no-op where it is already a member). */
  async register(messageId: string, tokens: readonly string[]): Promise<void> {
    if (tokens.length === 0) return;
    await REGISTER.run(this.redis, this.keys(tokens), [messageId]);
  }

  /**
   * The smallest id pending before `messageId` in any of the sets, or `undefined` when
   * `messageId` is first everywhere (it may go ahead).
   */
  async blockerOf(messageId: string, tokens: readonly string[]): Promise<string | undefined> {
    if (tokens.length === 0) return undefined;
    return earliestBefore(messageId, await FIRSTS.run(this.redis, this.keys(tokens), [messageId, '0']));
  }

  /**
   * {@link register} then {@link blockerOf}, in one round trip: what the worker asks before
   * processing a message.
   */
  async registerAndFindBlocker(messageId: string, tokens: readonly string[]): Promise<string | undefined> {
    if (tokens.length === 0) return undefined;
    return earliestBefore(messageId, await FIRSTS.run(this.redis, this.keys(tokens), [messageId, '1']));
  }

  /** Removes `messageId` from the sets (once written or permanently failed). */
  async release(messageId: string, tokens: readonly string[]): Promise<void> {
    if (tokens.length === 0) return;
    await RELEASE.run(this.redis, this.keys(tokens), [messageId]);
  }
}

/** KEYS: the person sets. ARGV: 1 message id. */
const REGISTER = new LuaScript(`
for _, key in ipairs(KEYS) do redis.call('ZADD', key, 'NX', 0, ARGV[1]) end
return 1
`);

/**
 * KEYS: the person sets. ARGV: 1 message id, 2 '1' to register it first. Reply: the first member
 * of each non-empty set (compared in JavaScript: Lua's string order follows the locale).
 */
const FIRSTS = new LuaScript(`
local firsts = {}
for _, key in ipairs(KEYS) do
  if ARGV[2] == '1' then redis.call('ZADD', key, 'NX', 0, ARGV[1]) end
  local first = redis.call('ZRANGE', key, 0, 0)[1]
  if first then firsts[#firsts + 1] = first end
end
return firsts
`);

/** KEYS: the person sets. ARGV: 1 message id. */
const RELEASE = new LuaScript(`
for _, key in ipairs(KEYS) do redis.call('ZREM', key, ARGV[1]) end
return 1
`);

/** The smallest of the sets' first members that comes before `messageId` (ids sort in receipt order). */
function earliestBefore(messageId: string, reply: unknown): string | undefined {
  if (!Array.isArray(reply)) throw new Error('person order: unexpected script reply');
  const before = reply.map((first: unknown) => String(first)).filter((id) => id < messageId).sort();
  return before[0];
}
