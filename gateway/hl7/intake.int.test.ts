/**
 * HL7 v2 inbound edge against a real Redis: commit-ACK rules, message log records, queueing,
 * resends, the MLLP listener (raw `node:net` client) and `POST /v1/hl7v2`. No worker runs here:
 * what is checked is what the edge promises before the ACK leaves.
 */
import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeJobId } from '../../workers/queue/index.js';
import { createApp } from '../app.js';
import { frameMllp, MllpDeframer } from '../mllp/framer.js';
import { registerHl7Routes } from './http-route.js';
import { createHl7Intake, UNASSIGNED } from './intake.js';
import { startHl7Listener } from './mllp-listener.js';
import { recoverPendingHl7 } from './recovery.js';
import { createHl7TestEnv, msa, newPerson, sample, type Hl7TestEnv, type TestPerson } from './testing/hl7-test-env.js';

let env: Hl7TestEnv;
let person: TestPerson;

beforeEach(async () => {
  env = await createHl7TestEnv();
  person = newPerson();
});
afterEach(async () => {
  await env.cleanup();
});

async function jobIds(): Promise<string[]> {
  const jobs = await env.queues.queue('hl7-inbound').getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
  return jobs.map((j) => j.id ?? '');
}

async function onlyRecord(tenant = env.tenant) {
  const page = await env.messageLog.list({ tenant, limit: 10 });
  expect(page.items).toHaveLength(1);
  return env.messageLog.get(page.items[0]!.id);
}

function personKeys(): Promise<string[]> {
  return env.redis.keys(`${env.prefix}:hl7:person:*`);
}

describe('HL7 v2 intake', () => {
  it('answers AA only once the raw message is stored and its job queued', async () => {
    const raw = sample('adt-a01-pam-fr', person);
    const ack = await env.intake(raw, { channel: 'mllp' });

    expect(msa(ack)).toEqual({ code: 'AA', controlId: 'CHEX-000101' });
    const record = await onlyRecord();
    expect(record.raw.equals(raw)).toBe(true);
    expect(record.status).toBe('queued');
    expect(record.clientId).toBe(env.hospital.id);
    expect(record.summary).toEqual({ messageType: 'ADT', event: 'A01', controlId: 'CHEX-000101', sendingFacility: 'CH_EXEMPLE' });
    expect(record.ack?.equals(ack)).toBe(true);
    expect(await jobIds()).toEqual([makeJobId('hl7-inbound', record.id)]);
    const job = await env.queues.queue('hl7-inbound').getJob(makeJobId('hl7-inbound', record.id));
    expect(job?.data).toEqual({ payload: { messageId: record.id }, trace: { requestId: record.id, clientId: env.hospital.id, tenant: env.tenant } });
    // Registered in its person's order before being queued.
    const keys = await personKeys();
    expect(keys).toHaveLength(1);
    expect(await env.redis.zrange(keys[0]!, '0', '-1')).toEqual([record.id]);
  });

  it('answers AR 202 to a processing id (MSH-11) the installation does not take, and records why', async () => {
    const intake = createHl7Intake({ clients: env.clients, messageLog: env.messageLog, queues: env.queues, redis: env.redis, logger: env.logger, policy: { processingIds: ['P'] } });
    const test = sample('adt-a01-pam-fr', person, { '|CHEX-000101|P|': '|CHEX-000101|T|' });
    const ack = await intake(test, { channel: 'mllp' });
    expect(msa(ack)).toEqual({ code: 'AR', controlId: 'CHEX-000101' });
    expect(ack.toString('latin1')).toMatch(/\rERR\|\|MSH\^1\^11\|202\^/);
    expect(await onlyRecord()).toMatchObject({ status: 'rejected', code: '202', reason: 'MSH-11: processing id "T" (MSH-11) is not taken here (taken: P)' });
    expect(await jobIds()).toEqual([]);
    // Production messages go through.
    const production = await intake(sample('adt-a01-pam-fr', newPerson()), { channel: 'mllp' });
    expect(msa(production).code).toBe('AA');
  });

  it('answers AR to a sending facility no client declares, and records it under the _unassigned tenant', async () => {
    const raw = sample('adt-a01-pam-fr', person, { CH_EXEMPLE: 'CH_INCONNU' });
    const ack = await env.intake(raw, { channel: 'mllp' });

    expect(msa(ack).code).toBe('AR');
    expect(ack.toString('latin1')).toMatch(/\rERR\|\|MSH\^1\^4\|103\^/);
    const record = await onlyRecord(UNASSIGNED);
    expect(record.status).toBe('rejected');
    expect(record.reason).toContain('MSH-4');
    expect(record.raw.equals(raw)).toBe(true);
    expect(record.ack?.equals(ack)).toBe(true);
    expect((await env.messageLog.list({ tenant: env.tenant, limit: 10 })).items).toHaveLength(0);
    expect(await jobIds()).toEqual([]);
  });

  it('answers AR to bytes that are not an HL7 message, and keeps them', async () => {
    const raw = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const ack = await env.intake(raw, { channel: 'mllp' });
    expect(msa(ack).code).toBe('AR');
    const record = await onlyRecord(UNASSIGNED);
    expect(record.raw.equals(raw)).toBe(true);
    expect(record.reason).toMatch(/MSH/);
    expect(await jobIds()).toEqual([]);
  });

  it('answers AR to an unsupported event, recorded for its client', async () => {
    const raw = sample('adt-a01-pam-fr', person, { 'ADT^A01^ADT_A01': 'ADT^A02^ADT_A02' });
    const ack = await env.intake(raw, { channel: 'mllp' });
    expect(msa(ack).code).toBe('AR');
    const record = await onlyRecord();
    expect(record.status).toBe('rejected');
    expect(record.code).toBe('201');
    expect(await jobIds()).toEqual([]);
  });

  it('answers AE when the message parses but names no patient, keeping the raw message and the reason', async () => {
    const raw = sample('adt-a01-pam-fr', person, {
      [`${person.ipp}^^^CH_EXEMPLE&1.2.250.1.999.1.1&ISO^PI~${person.ins}^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS`]: '',
    });
    const ack = await env.intake(raw, { channel: 'mllp' });
    expect(msa(ack).code).toBe('AE');
    const record = await onlyRecord();
    expect(record.status).toBe('rejected');
    expect(record.reason).toContain('PID-3');
    expect(record.raw.equals(raw)).toBe(true);
    expect(await jobIds()).toEqual([]);
  });

  it('acknowledges a resend of the same facility and control id with the stored ACK, queued once', async () => {
    const raw = sample('adt-a01-pam-fr', person);
    const first = await env.intake(raw, { channel: 'mllp' });
    const again = await env.intake(raw, { channel: 'mllp' });
    const changed = await env.intake(Buffer.from(raw.toString('latin1').replace('20250110091500', '20250110091501'), 'latin1'), { channel: 'mllp' });

    expect(again.equals(first)).toBe(true);
    expect(changed.equals(first)).toBe(true);
    const record = await onlyRecord();
    expect(record.duplicateCount).toBe(2);
    expect(await jobIds()).toEqual([makeJobId('hl7-inbound', record.id)]);
  });

  it('queues and answers a resend whose first receipt stopped before its ACK was stored', async () => {
    const raw = sample('adt-a01-pam-fr', person);
    // The first receipt got as far as the message log, then the process died.
    const crashed = await env.messageLog.receive({
      channel: 'mllp', clientId: env.hospital.id, tenant: env.tenant, dedupeKey: 'CH_EXEMPLE|CHEX-000101', raw, summary: {},
    });
    expect(await jobIds()).toEqual([]);

    const ack = await env.intake(raw, { channel: 'mllp' });
    expect(msa(ack).code).toBe('AA');
    const record = await env.messageLog.get(crashed.id);
    expect(record.status).toBe('queued');
    expect(record.ack?.equals(ack)).toBe(true);
    expect(await jobIds()).toEqual([makeJobId('hl7-inbound', crashed.id)]);
    // And once more: now the stored ACK, still one job.
    expect((await env.intake(raw, { channel: 'mllp' })).equals(ack)).toBe(true);
    expect(await jobIds()).toHaveLength(1);
  });

  it('answers CA in enhanced mode (MSH-15 set)', async () => {
    const raw = sample('adt-a01-pam-fr', person, { '|2.5^FRA^2.11|||||FRA|': '|2.5^FRA^2.11|||AL|NE|FRA|' });
    const ack = await env.intake(raw, { channel: 'mllp' });
    expect(msa(ack).code).toBe('CA');
  });

  it('logs no personal data', async () => {
    await env.intake(sample('adt-a01-pam-fr', person), { channel: 'mllp' });
    await env.intake(sample('adt-a03-pam-fr', person, { CH_EXEMPLE: 'CH_INCONNU' }), { channel: 'mllp' });
    const logs = JSON.stringify(env.logs);
    expect(logs).toContain('hl7 message accepted');
    for (const secret of ['PERRIN', 'Marcel', '1952', person.ipp, person.ins, person.visit, 'Moulin']) expect(logs).not.toContain(secret);
  });
});

describe('MLLP listener', () => {
  it('stores, queues and acknowledges two pipelined messages sent in one TCP write, in order', async () => {
    const listener = await startHl7Listener({ host: '127.0.0.1', port: 0, intake: env.intake, logger: env.logger });
    try {
      const a01 = sample('adt-a01-pam-fr', person);
      const a03 = sample('adt-a03-pam-fr', person);
      const acks = await new Promise<Buffer[]>((resolve, reject) => {
        const got: Buffer[] = [];
        const deframer = new MllpDeframer();
        const socket = connect({ host: '127.0.0.1', port: listener.port }, () => {
          socket.write(Buffer.concat([frameMllp(a01), frameMllp(a03)]));
        });
        socket.on('data', (chunk: Buffer) => {
          for (const event of deframer.push(chunk)) if (event.type === 'frame') got.push(event.frame);
          if (got.length === 2) {
            socket.end();
            resolve(got);
          }
        });
        socket.on('error', reject);
      });
      expect(acks.map(msa)).toEqual([{ code: 'AA', controlId: 'CHEX-000101' }, { code: 'AA', controlId: 'CHEX-000187' }]);

      const page = await env.messageLog.list({ tenant: env.tenant, limit: 10 });
      const byControlId = new Map(page.items.map((i) => [i.summary.controlId, i.id]));
      const keys = await personKeys();
      expect(keys).toHaveLength(1);
      // Receipt order is the person's order: A01 first.
      expect(await env.redis.zrange(keys[0]!, '0', '-1')).toEqual([byControlId.get('CHEX-000101'), byControlId.get('CHEX-000187')]);
      expect(await jobIds()).toHaveLength(2);
    } finally {
      await listener.close();
    }
  });

  it('sends over MLLP only the commit ACKs an enhanced-mode sender asks for (MSH-15), and stores every one', async () => {
    const listener = await startHl7Listener({ host: '127.0.0.1', port: 0, intake: env.intake, logger: env.logger });
    try {
      // MSH-15 is empty in the fixture (original mode): set it, with a control id per message.
      const enhanced = (mode: string, controlId: string, replace: Record<string, string> = {}) =>
        sample('adt-a01-pam-fr', newPerson(), { '|CHEX-000101|P|2.5^FRA^2.11|||||FRA|': `|${controlId}|P|2.5^FRA^2.11|||${mode}||FRA|`, ...replace });
      const noVisit = { V25000101: '' };
      const frames = [
        enhanced('NE', 'NE-OK'), enhanced('ER', 'ER-OK'), enhanced('ER', 'ER-BAD', noVisit),
        enhanced('SU', 'SU-OK'), enhanced('SU', 'SU-BAD', noVisit), enhanced('AL', 'AL-OK'),
      ];
      const acks = await new Promise<Buffer[]>((resolve, reject) => {
        const got: Buffer[] = [];
        const deframer = new MllpDeframer();
        const socket = connect({ host: '127.0.0.1', port: listener.port }, () => socket.write(Buffer.concat(frames.map((f) => frameMllp(f)))));
        socket.on('data', (chunk: Buffer) => {
          for (const event of deframer.push(chunk)) if (event.type === 'frame') got.push(event.frame);
          // The last frame always gets its ACK (AL), and ACKs go out in arrival order.
          if (msa(got.at(-1) ?? Buffer.alloc(0)).controlId === 'AL-OK') {
            socket.end();
            resolve(got);
          }
        });
        socket.on('error', reject);
      });
      expect(acks.map(msa)).toEqual([
        { code: 'CE', controlId: 'ER-BAD' }, { code: 'CA', controlId: 'SU-OK' }, { code: 'CA', controlId: 'AL-OK' },
      ]);
      // Not sent is not forgotten: each message is stored with its ACK, for a resend.
      const page = await env.messageLog.list({ tenant: env.tenant, limit: 10 });
      expect(page.items.map((m) => m.summary.controlId).sort()).toEqual(['AL-OK', 'ER-BAD', 'ER-OK', 'NE-OK', 'SU-BAD', 'SU-OK']);
      for (const item of page.items) expect((await env.messageLog.get(item.id)).ack).toBeDefined();
    } finally {
      await listener.close();
    }
  });

  it('answers AR to a frame over the size limit and keeps its head in the message log, under its sender', async () => {
    const listener = await startHl7Listener({ host: '127.0.0.1', port: 0, intake: env.intake, logger: env.logger, maxFrameBytes: 2048 });
    try {
      // An A01 with an OBX carrying a document, as some feeds do: too large for this listener.
      const big = Buffer.concat([sample('adt-a01-pam-fr', person), Buffer.from(`\rOBX|1|ED|DOC||^application^pdf^Base64^${'A'.repeat(5000)}`, 'latin1')]);
      const ack = await new Promise<Buffer>((resolve, reject) => {
        const deframer = new MllpDeframer();
        const socket = connect({ host: '127.0.0.1', port: listener.port }, () => socket.write(frameMllp(big)));
        socket.on('data', (chunk: Buffer) => {
          for (const event of deframer.push(chunk)) if (event.type === 'frame') resolve(event.frame);
        });
        socket.on('error', reject);
      });
      expect(msa(ack)).toEqual({ code: 'AR', controlId: 'CHEX-000101' });
      expect(ack.toString('latin1')).toMatch(/\rERR\|[^\r]*\|207\^[^\r]*message larger than 2048 bytes/);

      const record = await onlyRecord();
      expect(record).toMatchObject({ status: 'rejected', clientId: env.hospital.id, code: '207', truncated: true });
      expect(record.reason).toBe('message larger than 2048 bytes; only its first 2048 bytes are kept');
      expect(record.raw.equals(big.subarray(0, 2048))).toBe(true);
      expect(record.ack?.equals(ack)).toBe(true);
      expect(await jobIds()).toEqual([]);
    } finally {
      await listener.close();
    }
  });
});

describe('POST /v1/hl7v2', () => {
  function app() {
    return createApp({
      logger: env.logger,
      clients: env.clients,
      bodyLimit: 1 << 20,
      checkReadiness: async () => ({ redis: true, fhir: true }),
      routes: [(a) => registerHl7Routes(a, { intake: env.intake })],
    });
  }
  function post(body: Buffer, key: string, contentType = 'x-application/hl7-v2+er7') {
    return app().request('/v1/hl7v2', { method: 'POST', body: new Uint8Array(body), headers: { authorization: `Bearer ${key}`, 'content-type': contentType } });
  }

  it('answers the ACK, with X-Hl7-Ack-Code, once the message is stored and queued', async () => {
    const res = await post(sample('adt-a01-pam-fr', person), env.hospitalKey);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-hl7-ack-code')).toBe('AA');
    expect(res.headers.get('content-type')).toBe('x-application/hl7-v2+er7; charset=utf-8');
    const ack = Buffer.from(await res.arrayBuffer());
    expect(msa(ack)).toEqual({ code: 'AA', controlId: 'CHEX-000101' });
    const record = await onlyRecord();
    expect(record.channel).toBe('http-hl7');
    expect(await jobIds()).toHaveLength(1);
  });

  it('keeps the exact bytes of an ISO-8859-1 message and answers in its charset', async () => {
    const raw = sample('adt-a08-latin1', person);
    expect(raw.some((b) => b >= 0x80)).toBe(true); // really Latin-1 bytes, not UTF-8
    const res = await post(raw, env.hospitalKey, 'text/plain; charset=iso-8859-1');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-hl7-ack-code')).toBe('AA');
    expect(res.headers.get('content-type')).toBe('x-application/hl7-v2+er7; charset=iso-8859-1');
    const record = await onlyRecord();
    expect(record.raw.equals(raw)).toBe(true);
  });

  it('answers AR (200) when the facility is not declared by the calling client, recorded in its tenant', async () => {
    const res = await post(sample('adt-a01-pam-fr', person), env.otherKey);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-hl7-ack-code')).toBe('AR');
    const record = await onlyRecord(env.other.tenant);
    expect(record.clientId).toBe(env.other.id);
    expect(record.reason).toContain(`not declared by client ${env.other.id}`);
    expect(await jobIds()).toEqual([]);
  });

  it('is described in /openapi.json with both ER7 media types', async () => {
    const doc = (await (await app().request('/openapi.json')).json()) as { paths: Record<string, { post?: { requestBody?: { content?: object } } }> };
    expect(Object.keys(doc.paths['/v1/hl7v2']?.post?.requestBody?.content ?? {})).toEqual(['x-application/hl7-v2+er7', 'text/plain']);
  });

  it('refuses a body not declared as ER7 (415) and a client without hl7v2.write (403)', async () => {
    const wrongType = await post(sample('adt-a01-pam-fr', person), env.hospitalKey, 'application/json');
    expect(wrongType.status).toBe(415);
    expect(wrongType.headers.get('content-type')).toContain('application/problem+json');
    const withoutScope = await post(sample('adt-a01-pam-fr', person), env.dacKey);
    expect(withoutScope.status).toBe(403);
    const unauthenticated = await app().request('/v1/hl7v2', { method: 'POST', body: 'MSH|' });
    expect(unauthenticated.status).toBe(401);
    expect((await env.messageLog.list({ tenant: env.tenant, limit: 10 })).items).toHaveLength(0);
  });
});

describe('start-up recovery sweep', () => {
  it('queues the messages a crash left stored but unqueued, and rejects those the intake would refuse', async () => {
    const a01 = sample('adt-a01-pam-fr', person);
    // Two receipts that stopped right after the message log: an accepted one, and one whose
    // facility the calling client does not declare.
    const crashed = await env.messageLog.receive({
      channel: 'mllp', clientId: env.hospital.id, tenant: env.tenant, dedupeKey: 'CH_EXEMPLE|CHEX-000101', raw: a01, summary: {},
    });
    const foreign = await env.messageLog.receive({
      channel: 'http-hl7', clientId: env.other.id, tenant: env.other.tenant, raw: sample('adt-a03-pam-fr', person), summary: {},
    });
    const deps = { clients: env.clients, messageLog: env.messageLog, queues: env.queues, redis: env.redis, logger: env.logger };

    expect(await recoverPendingHl7({ ...deps, olderThanMs: 60_000 })).toEqual({ queued: 0, rejected: 0 }); // too recent: left alone
    expect(await recoverPendingHl7({ ...deps, olderThanMs: 0 })).toEqual({ queued: 1, rejected: 1 });

    expect((await env.messageLog.get(crashed.id)).status).toBe('queued');
    expect(await jobIds()).toEqual([makeJobId('hl7-inbound', crashed.id)]);
    const keys = await personKeys();
    expect(await env.redis.zrange(keys[0]!, '0', '-1')).toEqual([crashed.id]);
    const refused = await env.messageLog.get(foreign.id);
    expect(refused.status).toBe('rejected');
    expect(refused.reason).toContain('MSH-4');
    // Nothing left: a second sweep does nothing.
    expect(await recoverPendingHl7({ ...deps, olderThanMs: 0 })).toEqual({ queued: 0, rejected: 0 });
  });

  it('rejects the head of an oversized frame, even one that reads as a whole message', async () => {
    const head = await env.messageLog.receive({
      channel: 'mllp', clientId: env.hospital.id, tenant: env.tenant, raw: sample('adt-a01-pam-fr', person), summary: {}, truncated: true,
    });
    const deps = { clients: env.clients, messageLog: env.messageLog, queues: env.queues, redis: env.redis, logger: env.logger };
    expect(await recoverPendingHl7({ ...deps, olderThanMs: 0 })).toEqual({ queued: 0, rejected: 1 });
    expect(await env.messageLog.get(head.id)).toMatchObject({ status: 'rejected', code: '207' });
    expect(await jobIds()).toEqual([]);
  });
});
