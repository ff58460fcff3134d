import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessageLog, type MessageRecord, type ReceiveInput } from '../../../workers/message-log/index.js';
import { ClientRegistry, sha256Hex } from '../../auth/client-registry.js';
import type { Client } from '../../auth/clients-file.js';
import { declaredSender } from '../../hl7/verdict.js';
import { createJobQueues, getJobStatus, makeJobId, type JobQueues, type JobTrace } from '../../../workers/queue/index.js';
import { createQueueTestEnv, type QueueTestEnv } from '../../../workers/queue/test-env.js';
import { bearer, CLIENTS, makeApp } from '../test-fixture.js';
import { UNASSIGNED_TENANT } from './message-access.js';
import { registerMessageRoutes } from './message-routes.js';
import type { ReplayFn } from './replay-message.js';

const T0 = Date.UTC(2026, 10, 3, 8, 0, 0);

/** An ADT^A03 in ISO-8859-1 (accented name), with a stray control byte as some HIS send. */
function adt(facility: string, controlId: string): Buffer {
  return Buffer.concat([
    Buffer.from(
      `MSH|^~\\&|SIH|${facility}|PASSERELLE|DAC|20261103080000||ADT^A03^ADT_A03|${controlId}|P|2.5|||||FRA|8859/1\r` +
        'PID|1||123456^^^CHU&1.2.250.1.71.4.2.1&ISO^PI||MÉNARD^Zoé^^^^^L||19420312|F\r',
      'latin1',
    ),
    Buffer.from([0x0b, 0xff]),
  ]);
}

interface Sent {
  id: string;
  raw: Buffer;
}

type Page = { items: { id: string; status: string; reason?: string; tenant: string }[]; nextCursor?: string };

describe('/v1/messages', () => {
  let env: QueueTestEnv;
  let log: MessageLog;
  let clock: number;
  let calls: { messageId: string; trace: JobTrace; replayCount: number }[];
  let app: ReturnType<typeof makeApp>;
  const sent: Record<string, Sent> = {};

  /** Re-enqueues for real, as the HL7 edge will (one job per replay). */
  const replayInto = (queues: JobQueues): ReplayFn => async (messageId, trace, { replayCount }) => {
    calls.push({ messageId, trace, replayCount });
    return queues.enqueue('hl7-inbound', { messageId }, { trace, jobId: makeJobId('hl7-inbound', `${messageId}-r${replayCount}`) });
  };

  async function receive(name: string, clientId: string, tenant: string, facility: string): Promise<void> {
    clock += 1000;
    const raw = adt(facility, `CTRL-${name}`);
    const input: ReceiveInput = {
      channel: 'mllp', clientId, tenant, raw, dedupeKey: `${facility}|CTRL-${name}`,
      contentType: 'x-application/hl7-v2+er7', charset: '8859/1',
      summary: { messageType: 'ADT', event: 'A03', controlId: `CTRL-${name}`, sendingFacility: facility },
    };
    const { id } = await log.receive(input);
    sent[name] = { id, raw };
  }

  const id = (name: string): string => sent[name]?.id ?? '';

  /** The clients file as it is now: a test declares a sender by replacing it. */
  let declared: ClientRegistry;
  const resolveSender = (record: MessageRecord) => declaredSender(record, declared);

  beforeEach(async () => {
    env = await createQueueTestEnv();
    clock = T0;
    log = new MessageLog({ redis: env.redis, prefix: `${env.prefix}:msglog`, now: () => clock });
    calls = [];
    declared = new ClientRegistry(Object.values(CLIENTS));
    app = makeApp([(a) => registerMessageRoutes(a, { messageLog: log, replay: replayInto(env.queues), resolveSender })]);
    // Receipt order, oldest first: c = CHU Besançon, p = CH Pontarlier (doubs), u = undeclared sender, j = jura.
    await receive('c1', 'chu-besancon', 'doubs', 'CHU_BESANCON');
    await receive('u1', UNASSIGNED_TENANT, UNASSIGNED_TENANT, 'CLINIQUE_X');
    await receive('c2', 'chu-besancon', 'doubs', 'CHU_BESANCON');
    await receive('p1', 'ch-pontarlier', 'doubs', 'CH_PONTARLIER');
    await receive('u2', UNASSIGNED_TENANT, UNASSIGNED_TENANT, 'CLINIQUE_X');
    await receive('j1', 'chu-jura', 'jura', 'CHU_JURA');
    await receive('c3', 'chu-besancon', 'doubs', 'CHU_BESANCON');
  });
  afterEach(async () => {
    await env.cleanup();
  });

  /** Follows `nextCursor` to the end; every page holds at most `limit` items. */
  async function allPages(headers: Record<string, string>, query: string, limit: number): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let n = 0; n < 20; n++) {
      const res = await app.request(`/v1/messages?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`, { headers });
      expect(res.status).toBe(200);
      const page = (await res.json()) as Page;
      expect(page.items.length).toBeLessThanOrEqual(limit);
      ids.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
      if (!cursor) return ids;
    }
    throw new Error('paging did not end');
  }

  describe('listing', () => {
    it('shows a client its own messages only, newest first, page by page', async () => {
      expect(await allPages(bearer(CLIENTS.chuBesancon), '', 2)).toEqual([id('c3'), id('c2'), id('c1')]);
      expect(await allPages(bearer(CLIENTS.chPontarlier), '', 2)).toEqual([id('p1')]);
      expect(await allPages(bearer(CLIENTS.ehpad), '', 2)).toEqual([]);
    });

    it("shows an admin its tenant's messages and the unassigned ones, merged without gaps or repeats", async () => {
      const expected = ['c3', 'u2', 'p1', 'c2', 'u1', 'c1'].map(id);
      for (const limit of [1, 2, 4, 6, 50]) {
        expect(await allPages(bearer(CLIENTS.dacDoubs), '', limit), `limit ${limit}`).toEqual(expected);
      }
      expect(await allPages(bearer(CLIENTS.dacJura), '', 2)).toEqual(['j1', 'u2', 'u1'].map(id));
      expect(await allPages(bearer(CLIENTS.dacDoubs), '&clientId=chu-besancon', 2)).toEqual(['c3', 'c2', 'c1'].map(id));
    });

    it('pages without gaps or repeats when listed messages disappear (retention sweep)', async () => {
      // What a sweep leaves for a moment: the index still names the message, its hash is gone.
      // Two in a row, so one tenant's page comes back short while it still has more to give.
      for (const name of ['c3', 'p1']) await env.redis.del(`${env.prefix}:msglog:m:${id(name)}`);
      const expected = ['u2', 'c2', 'u1', 'c1'].map(id);
      for (const limit of [1, 2, 3]) {
        expect(await allPages(bearer(CLIENTS.dacDoubs), '', limit), `limit ${limit}`).toEqual(expected);
      }
    });

    it('filters by status and shows the reason of a rejection', async () => {
      await log.transition(id('c2'), 'rejected', { reason: 'PID-3: no usable identifier', code: '101' });
      const res = await app.request('/v1/messages?status=rejected', { headers: bearer(CLIENTS.chuBesancon) });
      const page = (await res.json()) as Page;
      expect(page.items).toEqual([expect.objectContaining({ id: id('c2'), status: 'rejected', reason: 'PID-3: no usable identifier' })]);
      expect(JSON.stringify(page)).not.toContain('MÉNARD');
    });

    it('answers problem JSON naming the faulty field', async () => {
      const headers = bearer(CLIENTS.chuBesancon);
      const badLimit = await app.request('/v1/messages?limit=0&status=lost', { headers });
      expect(badLimit.status).toBe(400);
      expect(((await badLimit.json()) as { errors: { path: string }[] }).errors.map((e) => e.path).sort()).toEqual(['limit', 'status']);
      const badCursor = await app.request('/v1/messages?cursor=not-ours', { headers });
      expect(badCursor.status).toBe(400);
      expect(await badCursor.json()).toMatchObject({ detail: 'Invalid cursor' });
      const otherClient = await app.request('/v1/messages?clientId=ch-pontarlier', { headers });
      expect(otherClient.status).toBe(403);
    });
  });

  describe('one message', () => {
    it('gives metadata and history, never the payload, to the sender and its admin only', async () => {
      const res = await app.request(`/v1/messages/${id('c1')}`, { headers: bearer(CLIENTS.chuBesancon) });
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({
        id: id('c1'), clientId: 'chu-besancon', tenant: 'doubs', status: 'received', replayable: false,
        summary: { event: 'A03', controlId: 'CTRL-c1', sendingFacility: 'CHU_BESANCON' },
        history: [{ status: 'received', at: new Date(T0 + 1000).toISOString() }],
        payloadSha256: createHash('sha256').update(sent['c1']?.raw ?? '').digest('hex'),
      });
      expect(body).not.toHaveProperty('raw');
      expect(JSON.stringify(body)).not.toContain('MÉNARD');

      expect((await app.request(`/v1/messages/${id('c1')}`, { headers: bearer(CLIENTS.dacDoubs) })).status).toBe(200);
      expect((await app.request(`/v1/messages/${id('u1')}`, { headers: bearer(CLIENTS.dacDoubs) })).status).toBe(200);
      for (const other of [CLIENTS.chPontarlier, CLIENTS.ehpad, CLIENTS.dacJura]) {
        const denied = await app.request(`/v1/messages/${id('c1')}`, { headers: bearer(other) });
        expect(denied.status, other.id).toBe(404);
      }
      expect((await app.request('/v1/messages/msg-00000000000000000000000000', { headers: bearer(CLIENTS.dacDoubs) })).status).toBe(404);
    });

    it('returns the raw bytes exactly, labelled ISO-8859-1, and never for a browser to render', async () => {
      const expected = sent['c1']?.raw ?? Buffer.alloc(0);
      expect(expected.includes(0xc9)).toBe(true); // É in ISO-8859-1: not valid UTF-8 on its own
      for (const path of [`/v1/messages/${id('c1')}/raw`, `/v1/messages/${id('c1')}?raw=true`]) {
        for (const who of [CLIENTS.chuBesancon, CLIENTS.dacDoubs]) {
          const res = await app.request(path, { headers: bearer(who) });
          expect(res.status, `${path} ${who.id}`).toBe(200);
          expect(Buffer.from(await res.arrayBuffer()).equals(expected)).toBe(true);
          expect(res.headers.get('content-type')).toBe('x-application/hl7-v2+er7; charset=ISO-8859-1');
          expect(res.headers.get('x-content-type-options')).toBe('nosniff');
          expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${id('c1')}.hl7"`);
          expect(res.headers.get('repr-digest')).toBe(`sha-256=:${createHash('sha256').update(expected).digest('base64')}:`);
        }
        expect((await app.request(path, { headers: bearer(CLIENTS.chPontarlier) })).status).toBe(404);
        expect((await app.request(path)).status).toBe(401);
      }
    });
  });

  describe('replay', () => {
    it('lets the sender replay a rejected message once, then answers 409', async () => {
      await log.transition(id('c1'), 'rejected', { reason: 'PV1-19: missing' });
      const headers = { ...bearer(CLIENTS.chuBesancon), 'x-request-id': 'req-replay-1' };
      const res = await app.request(`/v1/messages/${id('c1')}/replay`, { method: 'POST', headers });
      expect(res.status).toBe(202);
      const body = (await res.json()) as { jobId: string };
      expect(body).toEqual({ messageId: id('c1'), jobId: `hl7-inbound-${id('c1')}-r1`, status: 'queued', replayCount: 1 });
      expect(calls).toEqual([{ messageId: id('c1'), trace: { requestId: 'req-replay-1', clientId: 'chu-besancon', tenant: 'doubs' }, replayCount: 1 }]);
      expect(await getJobStatus(env.queues, body.jobId)).toMatchObject({ status: 'queued', data: { clientId: 'chu-besancon', tenant: 'doubs' } });

      const again = await app.request(`/v1/messages/${id('c1')}/replay`, { method: 'POST', headers });
      expect(again.status).toBe(409);
      expect(again.headers.get('content-type')).toContain('application/problem+json');
      expect(calls).toHaveLength(1);

      const detail = (await (await app.request(`/v1/messages/${id('c1')}`, { headers })).json()) as { status: string; history: { status: string; reason?: string }[] };
      expect(detail.status).toBe('queued');
      expect(detail.history.map((h) => h.status)).toEqual(['received', 'rejected', 'replayed', 'queued']);
      expect(detail.history[2]?.reason).toBe('replay requested by client chu-besancon');
    });

    it('replays an unassigned message once its sender is declared, into the declaring client and tenant', async () => {
      await log.transition(id('u1'), 'rejected', { reason: 'MSH-4: undeclared sender' });
      const replay = (admin: Client) => app.request(`/v1/messages/${id('u1')}/replay`, { method: 'POST', headers: bearer(admin) });

      // Not declared yet: nothing to replay into.
      const early = await replay(CLIENTS.dacDoubs);
      expect(early.status).toBe(409);
      expect(JSON.stringify(await early.json())).toContain('hl7Facilities');
      expect(await log.get(id('u1'))).toMatchObject({ status: 'rejected', tenant: UNASSIGNED_TENANT });

      // Declared by a client of the jura tenant: the doubs admin sees the message but may not write it into jura.
      const clinique: Client = { id: 'clinique-x', name: 'Clinique X', tenant: 'jura', apiKeySha256: sha256Hex('clinique-x-key'), scopes: ['hl7v2.write'], hl7Facilities: ['CLINIQUE_X'] };
      declared = new ClientRegistry([...Object.values(CLIENTS), clinique]);
      expect((await replay(CLIENTS.dacDoubs)).status).toBe(403);
      const accepted = await replay(CLIENTS.dacJura);
      expect(accepted.status).toBe(202);
      expect(calls.map((c) => c.trace)).toEqual([expect.objectContaining({ clientId: 'clinique-x', tenant: 'jura' })]);
      const moved = await log.get(id('u1'));
      expect(moved).toMatchObject({ status: 'queued', tenant: 'jura', clientId: 'clinique-x' });
      expect(moved.history.map((h) => h.status)).toEqual(['received', 'rejected', 'reassigned', 'replayed', 'queued']);
      // Listed where it now belongs, and no longer with the undeclared senders' messages.
      expect(await allPages(bearer(CLIENTS.dacJura), '', 10)).toContain(id('u1'));
      expect(await allPages(bearer(CLIENTS.dacDoubs), '', 10)).not.toContain(id('u1'));
      expect((await log.list({ tenant: 'jura', clientId: 'clinique-x', status: 'queued', limit: 10 })).items.map((m) => m.id)).toEqual([id('u1')]);
      expect((await log.list({ tenant: UNASSIGNED_TENANT, status: 'rejected', limit: 10 })).items.map((m) => m.id)).not.toContain(id('u1'));
    });

    it('refuses to replay a message of which only the head was kept (over the size limit)', async () => {
      const { id: headId } = await log.receive({
        channel: 'mllp', clientId: 'chu-besancon', tenant: 'doubs', raw: adt('CHU_BESANCON', 'CTRL-BIG').subarray(0, 60), truncated: true, summary: {},
      });
      await log.transition(headId, 'rejected', { reason: 'message larger than 1048576 bytes', code: '207' });
      const headers = bearer(CLIENTS.chuBesancon);
      const detail = (await (await app.request(`/v1/messages/${headId}`, { headers })).json()) as { truncated?: boolean; replayable: boolean };
      expect(detail).toMatchObject({ truncated: true, replayable: false });
      const replay = await app.request(`/v1/messages/${headId}/replay`, { method: 'POST', headers });
      expect(replay.status).toBe(409);
      expect(calls).toEqual([]);
      expect((await log.get(headId)).status).toBe('rejected');
    });

    it('lets nobody replay what they may not', async () => {
      for (const name of ['p1', 'c2']) await log.transition(id(name), 'rejected', { reason: 'FHIR server refused' });

      // The sender, but without hl7v2.write.
      expect((await app.request(`/v1/messages/${id('p1')}/replay`, { method: 'POST', headers: bearer(CLIENTS.chPontarlier) })).status).toBe(403);
      // Not the sender: the message does not exist for it.
      expect((await app.request(`/v1/messages/${id('c2')}/replay`, { method: 'POST', headers: bearer(CLIENTS.ehpad) })).status).toBe(404);
      expect((await app.request(`/v1/messages/${id('c2')}/replay`, { method: 'POST', headers: bearer(CLIENTS.dacJura) })).status).toBe(404);
      expect(calls).toHaveLength(0);
    });

    it('leaves a message replayable when the replay cannot be queued', async () => {
      await log.transition(id('c3'), 'failed', { reason: 'FHIR server unavailable' });
      const closed = await createJobQueues({ connection: env.redis, prefix: env.prefix });
      await closed.close();
      const broken = makeApp([(a) => registerMessageRoutes(a, { messageLog: log, replay: replayInto(closed), resolveSender })]);
      const headers = bearer(CLIENTS.chuBesancon);
      const res = await broken.request(`/v1/messages/${id('c3')}/replay`, { method: 'POST', headers });
      expect(res.status).toBe(500);
      expect(await log.get(id('c3'))).toMatchObject({ status: 'failed', code: 'replay-not-queued' });

      const retry = await app.request(`/v1/messages/${id('c3')}/replay`, { method: 'POST', headers });
      expect(retry.status).toBe(202);
      expect(await retry.json()).toMatchObject({ replayCount: 2 });
    });
  });

  it('documents the routes in /openapi.json', async () => {
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/messages', '/v1/messages/{id}', '/v1/messages/{id}/raw', '/v1/messages/{id}/replay']));
    expect(doc.paths['/v1/messages/{id}/replay']?.['post']).toBeDefined();
  });
});
