import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MessageLog } from './message-log.js';
import type { ListQuery, ReceiveInput } from './types.js';

const REDIS = { host: '127.0.0.1', port: 6379 };
const T0 = Date.UTC(2026, 10, 3, 8, 0, 0);

let redis: Redis;
let prefix: string;
let clock: number;
let log: MessageLog;

beforeAll(() => {
  redis = new Redis(REDIS);
});

afterAll(async () => {
  await redis.quit();
});

beforeEach(() => {
  prefix = `test-msglog-${randomUUID()}`;
  clock = T0;
  log = new MessageLog({ redis, prefix, now: () => clock });
});

afterEach(async () => {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  if (keys.length > 0) await redis.del(...keys);
});

/** An ADT^A03 in ISO-8859-1 with accented names, as a French HIS sends it. */
function adt(controlId: string, facility = 'CHU_BESANCON'): Buffer {
  return Buffer.from(
    `MSH|^~\\&|SIH|${facility}|PASSERELLE|DAC|20261103080000||ADT^A03^ADT_A03|${controlId}|P|2.5|||||FRA|8859/1\r` +
      'PID|1||123456^^^CHU&1.2.250.1.71.4.2.1&ISO^PI||MÉNARD^Zoé^^^^^L||19420312|F\r',
    'latin1',
  );
}

function input(overrides: Partial<ReceiveInput> = {}): ReceiveInput {
  const controlId = overrides.summary?.controlId ?? randomUUID();
  return {
    channel: 'mllp',
    clientId: 'chu-besancon',
    tenant: 'doubs',
    dedupeKey: `CHU_BESANCON|${controlId}`,
    raw: adt(controlId),
    contentType: 'x-application/hl7-v2+er7',
    charset: 'ISO-8859-1',
    summary: { messageType: 'ADT', event: 'A03', controlId, sendingFacility: 'CHU_BESANCON' },
    ...overrides,
  };
}

async function statusOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { outcome?: { issue?: { code?: string }[] } }).outcome?.issue?.[0]?.code;
  }
}

describe('MessageLog.receive / get', () => {
  it('round-trips the raw bytes exactly, ISO-8859-1 and control bytes included', async () => {
    const raw = Buffer.concat([adt('CTRL1'), Buffer.from([0x00, 0xff, 0xe9, 0x0b, 0x1c, 0x0d])]);
    expect(raw.includes(Buffer.from([0xc9]))).toBe(true); // É in latin1, invalid alone in UTF-8
    const received = await log.receive(input({ raw, summary: { controlId: 'CTRL1', messageType: 'ADT', event: 'A03' } }));
    expect(received).toEqual({ id: expect.stringMatching(/^msg-/), duplicate: false, status: 'received' });

    const record = await log.get(received.id);
    expect(record.raw.equals(raw)).toBe(true);
    expect((await log.getRaw(received.id)).equals(raw)).toBe(true);
    expect(record).toMatchObject({
      id: received.id,
      channel: 'mllp',
      clientId: 'chu-besancon',
      tenant: 'doubs',
      charset: 'ISO-8859-1',
      contentType: 'x-application/hl7-v2+er7',
      status: 'received',
      size: raw.length,
      receivedAt: new Date(T0).toISOString(),
      summary: { controlId: 'CTRL1', messageType: 'ADT', event: 'A03' },
      duplicateCount: 0,
      replayCount: 0,
      history: [{ at: new Date(T0).toISOString(), status: 'received' }],
    });
    expect(record.ack).toBeUndefined();
  });

  it('stores only the four summary fields, whatever the caller adds', async () => {
    const summary = { controlId: 'C2', patientName: 'MÉNARD Zoé' } as ReceiveInput['summary'];
    const { id } = await log.receive(input({ summary }));
    expect((await log.get(id)).summary).toEqual({ controlId: 'C2' });
  });

  it('answers a resend with the same record and the stored ACK, processed once', async () => {
    const first = await log.receive(input({ summary: { controlId: 'DUP1' } }));
    // Crash window: the ACK is not stored yet, so the caller must be told to compute it.
    const early = await log.receive(input({ summary: { controlId: 'DUP1' } }));
    expect(early).toEqual({ id: first.id, duplicate: true, status: 'received', ack: undefined, samePayload: true });

    await log.transition(first.id, 'queued');
    const ack = Buffer.from('MSH|^~\\&|PASSERELLE|DAC|SIH|CHU_BESANCON|20261103080001||ACK^A03|A1|P|2.5\rMSA|AA|DUP1\r', 'latin1');
    expect((await log.setAck(first.id, ack)).equals(ack)).toBe(true);

    const resend = await log.receive(input({ summary: { controlId: 'DUP1' } }));
    expect(resend).toMatchObject({ id: first.id, duplicate: true, status: 'queued', samePayload: true });
    expect(resend.ack?.equals(ack)).toBe(true);

    // A racing receipt that computed another ACK gets the stored one back.
    expect((await log.setAck(first.id, Buffer.from('other'))).equals(ack)).toBe(true);

    const page = await log.list({ tenant: 'doubs', limit: 10 });
    expect(page.items.map((m) => m.id)).toEqual([first.id]);
    expect(page.items[0]?.duplicateCount).toBe(2);
    expect((await log.get(first.id)).history.map((h) => h.status)).toEqual(['received', 'queued']);
  });

  it('moves a message and stores its ACK in one call; the ACK stored first wins', async () => {
    const { id } = await log.receive(input({ summary: { controlId: 'ONE1' } }));
    clock += 5;
    const ack = Buffer.from('MSH|^~\\&|PASSERELLE|DAC|SIH|CHU_BESANCON|20261103080001||ACK^A03|A1|P|2.5\rMSA|AA|ONE1\r', 'latin1');
    expect((await log.transitionAndSetAck(id, 'queued', ack)).equals(ack)).toBe(true);

    const record = await log.get(id);
    expect(record).toMatchObject({ status: 'queued', ackAt: new Date(T0 + 5).toISOString() });
    expect(record.ack?.equals(ack)).toBe(true);
    expect(record.history.map((h) => h.status)).toEqual(['received', 'queued']);
    expect((await log.list({ tenant: 'doubs', status: 'queued', limit: 10 })).items.map((m) => m.id)).toEqual([id]);
    const resend = await log.receive(input({ summary: { controlId: 'ONE1' } }));
    expect(resend.ack?.equals(ack)).toBe(true);

    // A later call with another ACK moves the message but answers the stored ACK, as setAck does.
    const other = await log.transitionAndSetAck(id, 'rejected', Buffer.from('other'), { reason: 'test', code: '207' });
    expect(other.equals(ack)).toBe(true);
    expect((await log.get(id)).status).toBe('rejected');
    expect(await statusOf(log.transitionAndSetAck('msg-00000000000000000000000000', 'queued', ack))).toBe('not-found');
  });

  it('tells the caller when a resend carries different bytes', async () => {
    const first = await log.receive(input({ summary: { controlId: 'DUP2' } }));
    const changed = await log.receive(input({ summary: { controlId: 'DUP2' }, raw: Buffer.from('MSH|changed') }));
    expect(changed).toMatchObject({ id: first.id, duplicate: true, samePayload: false });
  });

  it('scopes dedupe keys to the client', async () => {
    const a = await log.receive(input({ clientId: 'chu-besancon', dedupeKey: 'FAC|1' }));
    const b = await log.receive(input({ clientId: 'ch-pontarlier', dedupeKey: 'FAC|1' }));
    expect(b.duplicate).toBe(false);
    expect(b.id).not.toBe(a.id);
  });

  it('records every copy of a message that has no dedupe key', async () => {
    const raw = Buffer.from('not hl7 at all');
    const a = await log.receive(input({ dedupeKey: undefined, raw }));
    const b = await log.receive(input({ dedupeKey: undefined, raw }));
    expect([a.duplicate, b.duplicate]).toEqual([false, false]);
    expect(a.id).not.toBe(b.id);
  });

  it('creates exactly one record for 50 concurrent receipts of one message over 5 connections', async () => {
    const connections = Array.from({ length: 5 }, () => new Redis(REDIS));
    try {
      const logs = connections.map((c) => new MessageLog({ redis: c, prefix, now: () => clock }));
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => logs[i % logs.length]!.receive(input({ summary: { controlId: 'RACE' } }))),
      );
      const created = results.filter((r) => !r.duplicate);
      expect(created).toHaveLength(1);
      expect(new Set(results.map((r) => r.id))).toEqual(new Set([created[0]!.id]));
      const page = await log.list({ tenant: 'doubs', limit: 100 });
      expect(page.items).toHaveLength(1);
      expect(page.items[0]?.duplicateCount).toBe(49);
      expect(await redis.keys(`${prefix}:m:*`)).toHaveLength(2); // one hash, one history list
    } finally {
      await Promise.all(connections.map((c) => c.quit()));
    }
  });

  it('joins a new message to the given sets in the same call, and not a resend', async () => {
    const sets = [`${prefix}:person:a`, `${prefix}:person:b`];
    const first = await log.receive(input({ summary: { controlId: 'JOIN-1' }, joinSets: sets }));
    for (const set of sets) {
      expect(await redis.zrange(set, '0', '-1')).toEqual([first.id]);
      expect(await redis.zscore(set, first.id)).toBe('0');
    }
    // Its turn over (the worker releases it), a resend does not take it again.
    for (const set of sets) await redis.zrem(set, first.id);
    const again = await log.receive(input({ summary: { controlId: 'JOIN-1' }, joinSets: sets }));
    expect(again).toMatchObject({ id: first.id, duplicate: true });
    for (const set of sets) expect(await redis.zcard(set)).toBe(0);
  });

  it('refuses a message without tenant or client with a 400', async () => {
    expect(await statusOf(log.receive(input({ tenant: '' })))).toBe('invalid');
    expect(await statusOf(log.receive(input({ clientId: '' })))).toBe('invalid');
  });
});

describe('MessageLog.transition', () => {
  it('builds the history in order and moves the message between status lists', async () => {
    const { id } = await log.receive(input());
    // Where the message is listed: [tenant status list, tenant-client status list].
    const listedIn = async (status: 'received' | 'queued' | 'mapped' | 'written'): Promise<boolean[]> => [
      (await log.list({ tenant: 'doubs', status, limit: 10 })).items.some((m) => m.id === id),
      (await log.list({ tenant: 'doubs', clientId: 'chu-besancon', status, limit: 10 })).items.some((m) => m.id === id),
    ];
    const yes = [true, true];
    const no = [false, false];

    expect(await listedIn('received')).toEqual(yes);
    clock += 10;
    expect(await log.transition(id, 'queued')).toEqual({ previous: 'received' });
    expect([await listedIn('received'), await listedIn('queued')]).toEqual([no, yes]);
    clock += 10;
    await log.transition(id, 'mapped');
    clock += 10;
    await log.transition(id, 'written', { resources: ['Patient/p1', 'Encounter/e1'] });
    expect([await listedIn('queued'), await listedIn('mapped'), await listedIn('written')]).toEqual([no, no, yes]);

    const record = await log.get(id);
    expect(record.status).toBe('written');
    expect(record.updatedAt).toBe(new Date(T0 + 30).toISOString());
    expect(record.history).toEqual([
      { at: new Date(T0).toISOString(), status: 'received' },
      { at: new Date(T0 + 10).toISOString(), status: 'queued' },
      { at: new Date(T0 + 20).toISOString(), status: 'mapped' },
      { at: new Date(T0 + 30).toISOString(), status: 'written', resources: ['Patient/p1', 'Encounter/e1'] },
    ]);
  });

  it('records an earlier step with the next transition: its own time and detail first, listed under the later status only', async () => {
    const { id } = await log.receive(input());
    await log.transition(id, 'queued');
    clock += 30;
    await log.transition(id, 'written', { resources: ['Patient/p1'] }, { earlier: { status: 'mapped', at: T0 + 10, detail: { reason: 'ZBE-9: not mapped' } } });
    const record = await log.get(id);
    expect(record.history).toEqual([
      { at: new Date(T0).toISOString(), status: 'received' },
      { at: new Date(T0).toISOString(), status: 'queued' },
      { at: new Date(T0 + 10).toISOString(), status: 'mapped', reason: 'ZBE-9: not mapped' },
      { at: new Date(T0 + 30).toISOString(), status: 'written', resources: ['Patient/p1'] },
    ]);
    expect(record).toMatchObject({ status: 'written', reason: undefined });
    expect((await log.list({ tenant: 'doubs', status: 'mapped', limit: 10 })).items.some((m) => m.id === id)).toBe(false);
    expect((await log.list({ tenant: 'doubs', status: 'written', limit: 10 })).items.some((m) => m.id === id)).toBe(true);
  });

  it('shows the reason of the latest transition only, cut to a bounded length', async () => {
    const { id } = await log.receive(input());
    await log.transition(id, 'rejected', { reason: 'PID-3: no usable identifier', code: '204' });
    let [item] = (await log.list({ tenant: 'doubs', status: 'rejected', limit: 1 })).items;
    expect(item).toMatchObject({ id, status: 'rejected', reason: 'PID-3: no usable identifier', code: '204' });

    await log.transition(id, 'failed', { reason: 'x'.repeat(5000) });
    [item] = (await log.list({ tenant: 'doubs', limit: 1 })).items;
    expect(item?.reason).toHaveLength(1000);
    expect(item?.code).toBeUndefined();
  });

  it('takes the message out of the given sets in the same call, and only its own id', async () => {
    const sets = [`${prefix}:person:a`, `${prefix}:person:b`];
    const { id } = await log.receive(input({ joinSets: sets }));
    await redis.zadd(sets[0]!, 0, 'msg-later');
    await log.transition(id, 'written', { resources: ['Encounter/1'] }, { leaveSets: sets });
    expect(await redis.zrange(sets[0]!, '0', '-1')).toEqual(['msg-later']);
    expect(await redis.zcard(sets[1]!)).toBe(0);
    expect((await log.get(id)).status).toBe('written');
  });

  it('answers 404 for unknown or malformed ids', async () => {
    expect(await statusOf(log.transition('msg-00000000000000000000000000', 'queued'))).toBe('not-found');
    expect(await statusOf(log.transition(`msg-x:${prefix}`, 'queued'))).toBe('not-found');
    expect(await statusOf(log.get('*'))).toBe('not-found');
    expect(await statusOf(log.setAck('msg-00000000000000000000000000', Buffer.from('a')))).toBe('not-found');
  });
});

describe('MessageLog.list', () => {
  it('is tenant-scoped, newest first, and paginates without repeats or gaps', async () => {
    const doubs: string[] = [];
    for (let i = 0; i < 11; i++) {
      // Pairs in the same millisecond: ordering must not depend on distinct timestamps.
      clock = T0 + Math.floor(i / 2);
      doubs.push((await log.receive(input())).id);
      if (i % 3 === 0) {
        await log.receive(input({ tenant: 'jura', clientId: 'ch-lons' }));
      }
    }
    const newestFirst = [...doubs].reverse();

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await log.list({ tenant: 'doubs', limit: 3, cursor });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((m) => m.id));
      expect(page.items.every((m) => m.tenant === 'doubs')).toBe(true);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(newestFirst);
    expect(pages).toBe(4);

    // A message received after paging started does not disturb the next pages.
    const firstPage = await log.list({ tenant: 'doubs', limit: 5 });
    clock = T0 + 1000;
    await log.receive(input());
    const secondPage = await log.list({ tenant: 'doubs', limit: 5, cursor: firstPage.nextCursor });
    expect(secondPage.items.map((m) => m.id)).toEqual(newestFirst.slice(5, 10));

    const jura = await log.list({ tenant: 'jura', limit: 100 });
    expect(jura.items).toHaveLength(4);
    expect(jura.items.every((m) => m.tenant === 'jura' && !doubs.includes(m.id))).toBe(true);
    // Naming another tenant's client does not reach its messages.
    expect((await log.list({ tenant: 'doubs', clientId: 'ch-lons', limit: 100 })).items).toEqual([]);
  });

  it('lists items without payload or ACK', async () => {
    const { id } = await log.receive(input());
    await log.setAck(id, Buffer.from('ACK'));
    const [item] = (await log.list({ tenant: 'doubs', limit: 1 })).items;
    expect(item?.id).toBe(id);
    expect(item).not.toHaveProperty('raw');
    expect(JSON.stringify(item)).not.toContain('MÉNARD');
    expect(item).not.toHaveProperty('ack');
  });

  it('refuses a bad limit or cursor with a 400', async () => {
    expect(await statusOf(log.list({ tenant: 'doubs', limit: 0 }))).toBe('invalid');
    expect(await statusOf(log.list({ tenant: 'doubs', limit: 501 }))).toBe('invalid');
    expect(await statusOf(log.list({ tenant: 'doubs', limit: 10, cursor: 'msg-)' }))).toBe('invalid');
  });

  it('reads another tenant’s message as not found through the tenant guard', async () => {
    const { id } = await log.receive(input({ tenant: 'jura', clientId: 'ch-lons' }));
    expect(await statusOf(log.get(id, { tenant: 'doubs' }))).toBe('not-found');
    expect(await statusOf(log.getRaw(id, { tenant: 'doubs' }))).toBe('not-found');
    expect((await log.get(id, { tenant: 'jura' })).id).toBe(id);
  });
});

describe('MessageLog.pendingSince', () => {
  it('finds messages stored but never queued, once they are old enough', async () => {
    const stuck = await log.receive(input());
    const queued = await log.receive(input());
    await log.transition(queued.id, 'queued');
    clock += 60_000;
    const recent = await log.receive(input());

    expect(await log.pendingSince(30_000)).toEqual([stuck.id]);
    expect(await log.pendingSince(0)).toEqual([stuck.id, recent.id]);
    await log.transition(stuck.id, 'queued');
    expect(await log.pendingSince(30_000)).toEqual([]);
  });
});

describe('MessageLog.markReplayed', () => {
  it('appends a replayed entry and puts a rejected message back in queued, once', async () => {
    const { id } = await log.receive(input());
    await log.transition(id, 'rejected', { reason: 'PID-3: no usable identifier' });
    clock += 1000;

    expect(await log.markReplayed(id, { reason: 'identifier mapping fixed' })).toEqual({ previous: 'rejected', replayCount: 1 });
    expect(await statusOf(log.markReplayed(id))).toBe('conflict'); // a double click replays once

    const record = await log.get(id);
    expect(record).toMatchObject({ status: 'queued', replayCount: 1, reason: undefined });
    expect(record.history.map((h) => h.status)).toEqual(['received', 'rejected', 'replayed', 'queued']);
    expect(record.history[2]).toEqual({ at: new Date(T0 + 1000).toISOString(), status: 'replayed', reason: 'identifier mapping fixed' });
    expect((await log.list({ tenant: 'doubs', status: 'rejected', limit: 10 })).items).toEqual([]);
    expect((await log.list({ tenant: 'doubs', status: 'queued', limit: 10 })).items.map((m) => m.id)).toEqual([id]);

    await log.transition(id, 'written');
    expect((await log.markReplayed(id)).replayCount).toBe(2);
  });
});

describe('MessageLog.reassign', () => {
  it('moves a message to another client and tenant, in its status, with every index and a history entry', async () => {
    const { id } = await log.receive(input({ clientId: '_unassigned', tenant: '_unassigned', dedupeKey: undefined }));
    await log.transition(id, 'rejected', { reason: 'MSH-4: not declared' });
    clock += 1000;

    expect(await log.reassign(id, { clientId: 'chu-besancon', tenant: 'doubs' }, 'sender declared by client chu-besancon')).toEqual({ clientId: '_unassigned', tenant: '_unassigned' });

    const record = await log.get(id);
    expect(record).toMatchObject({ status: 'rejected', clientId: 'chu-besancon', tenant: 'doubs' });
    expect(record.history.at(-1)).toEqual({ at: new Date(T0 + 1000).toISOString(), status: 'reassigned', reason: 'sender declared by client chu-besancon' });
    const ids = async (query: Omit<ListQuery, 'limit'>) => (await log.list({ ...query, limit: 10 })).items.map((m) => m.id);
    expect(await ids({ tenant: '_unassigned' })).toEqual([]);
    expect(await ids({ tenant: '_unassigned', status: 'rejected' })).toEqual([]);
    expect(await ids({ tenant: 'doubs', status: 'rejected' })).toEqual([id]);
    expect(await ids({ tenant: 'doubs', clientId: 'chu-besancon', status: 'rejected' })).toEqual([id]);
    // Later transitions keep to the new indexes.
    await log.markReplayed(id);
    expect(await ids({ tenant: 'doubs', clientId: 'chu-besancon', status: 'queued' })).toEqual([id]);
    expect(await ids({ tenant: '_unassigned', status: 'queued' })).toEqual([]);
  });

  it('answers 404 for an unknown id', async () => {
    expect(await statusOf(log.reassign('msg-00000000000000000000000000', { clientId: 'c', tenant: 't' }, 'x'))).toBe('not-found');
  });
});
