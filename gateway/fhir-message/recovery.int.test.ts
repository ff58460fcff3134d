/**
 * The start-up sweep of `$process-message` receipts a crash interrupted (stored, never queued):
 * a valid one is queued in its person's order, a broken one recorded rejected; recent ones and
 * other channels are left alone. Real Redis, its own key prefix.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { edit, sampleNotification } from '../../mappings/notification/__fixtures__/sample.js';
import { makeJobId } from '../../workers/queue/index.js';
import { createHl7TestEnv, type Hl7TestEnv } from '../hl7/testing/hl7-test-env.js';
import { recoverPendingFhirMessages } from './recovery.js';

let env: Hl7TestEnv;
beforeEach(async () => {
  env = await createHl7TestEnv();
});
afterEach(async () => {
  await env.cleanup();
});

function stored(body: unknown) {
  return env.messageLog.receive({
    channel: 'fhir-message', clientId: env.hospital.id, tenant: env.tenant, raw: Buffer.from(JSON.stringify(body)), summary: {},
  });
}

describe('recoverPendingFhirMessages', () => {
  it('queues a valid receipt in its person order and rejects a broken one, once', async () => {
    const crashed = await stored(sampleNotification());
    const broken = sampleNotification();
    edit(broken, 'entry.0.resource.eventCoding.code', 'notification-transfer');
    const refused = await stored(broken);
    const hl7 = await env.messageLog.receive({ channel: 'http-hl7', clientId: env.hospital.id, tenant: env.tenant, raw: Buffer.from('MSH|'), summary: {} });
    const deps = { clients: env.clients, messageLog: env.messageLog, queues: env.queues, redis: env.redis, logger: env.logger };

    expect(await recoverPendingFhirMessages({ ...deps, olderThanMs: 60_000 })).toEqual({ queued: 0, rejected: 0 });
    expect(await recoverPendingFhirMessages({ ...deps, olderThanMs: 0 })).toEqual({ queued: 1, rejected: 1 });

    expect((await env.messageLog.get(crashed.id)).status).toBe('queued');
    const jobs = await env.queues.queue('hl7-inbound').getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
    expect(jobs.map((j) => j.id)).toEqual([makeJobId('hl7-inbound', crashed.id)]);
    const orderKeys = await env.redis.keys(`${env.queues.prefix}:hl7:person:*`);
    expect(orderKeys).toHaveLength(1); // one person: the IPP (the INS is not an order key when an IPP exists)
    expect(await env.redis.zrange(orderKeys[0]!, '0', '-1')).toEqual([crashed.id]);
    const rejected = await env.messageLog.get(refused.id);
    expect(rejected.status).toBe('rejected');
    expect(rejected.reason).toContain('Bundle.entry[0].resource.eventCoding.code');
    expect((await env.messageLog.get(hl7.id)).status).toBe('received'); // the HL7 sweep's
    expect(await recoverPendingFhirMessages({ ...deps, olderThanMs: 0 })).toEqual({ queued: 0, rejected: 0 });
  });
});
