/**
 * The change feed through the whole product: Passerelle runs against an "external" FHIR server
 * (the embedded store as its own process, FHIR_BASE_URL set), and a real webhook receiver
 * subscribes for the DAC and the EHPAD. A change made directly on the server is announced once
 * to everyone; a change made through the gateway once, never to its writer; changes made while
 * the poller is down arrive once after it restarts.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CarePlan, Task } from '@medplum/fhirtypes';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDED_STORE_SOFTWARE_NAME } from '../gateway/fhir-store/capability.js';
import { CODE_SYSTEM, PASSERELLE_META_SOURCE } from '../profiles/canonical.js';
import { startChangeFeed, startChangeFeedSwitch, type PollResult } from '../workers/change-feed/index.js';
import type { PublishEventInput } from '../workers/events/index.js';
import { FhirClient } from '../workers/fhir-client/index.js';
import { connectRedis } from '../workers/queue/index.js';
import { TEST_REDIS_URL } from '../workers/queue/test-env.js';
import { eventually, startReceiver, type Receipt, type Receiver } from '../workers/webhooks/testing/receiver.js';
import { startFhirStoreProcess, type FhirStoreProcess } from './helpers/fhir-store-process.js';
import { deleteQueueKeys, startGatewayProcess, type GatewayProcess } from './helpers/gateway-process.js';

const KEYS = { dac: 'demo-dac-key', ehpad: 'demo-ehpad-key' } as const;
const SECRET = 'a-secret-of-sixteen-chars-or-more';
/** The external system's own meta.source, as a well-behaved FHIR client sets it. */
const EHR_SOURCE = 'https://ehr.example/fhir-client';
/** Time for a wrongly published event to arrive: several poll intervals plus a delivery. */
const SETTLE_MS = 1500;

let storeDir: string;
let store: FhirStoreProcess;
let gw: GatewayProcess;
let receiver: Receiver;
/** A FHIR client of another system, writing straight to the server (no Passerelle stamp). */
let direct: FhirClient;
let planRef: string;

/** `CHANGE_FEED=on`: the store process stands in for an external server (`auto` would recognise it and stay off). */
const env = (fhirBaseUrl: string) => ({
  FHIR_BASE_URL: fhirBaseUrl, CHANGE_FEED: 'on', ALLOW_PRIVATE_WEBHOOKS: 'true', CHANGE_FEED_INTERVAL_MS: '100', CHANGE_FEED_OVERLAP_MS: '200',
});
const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

async function subscribe(who: keyof typeof KEYS): Promise<void> {
  receiver.expectSecret(`/${who}`, SECRET);
  const res = await fetch(`${gw.httpUrl}/v1/subscriptions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEYS[who]}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: receiver.url(`/${who}`), events: ['careplan.updated', 'task.created'], secret: SECRET }),
  });
  expect(res.status).toBe(201);
}

/** Deliveries of `type` about the plan to `who`, as `versionId`s in arrival order. */
function planVersions(who: keyof typeof KEYS): string[] {
  return receiver.delivered(`/${who}`)
    .filter((r: Receipt) => r.eventType === 'careplan.updated' && r.body['resource'] === planRef)
    .map((r) => String((r.body['data'] as { versionId?: string }).versionId));
}

/** Changes the plan's title directly on the server; returns the new versionId. */
async function changePlanDirectly(title: string): Promise<string> {
  const [type, id] = planRef.split('/') as ['CarePlan', string];
  const current = await direct.read(type, id);
  const updated = await direct.update<CarePlan>({ ...current, title, meta: { ...current.meta, source: EHR_SOURCE } });
  return updated.meta?.versionId ?? '';
}

beforeAll(async () => {
  storeDir = await mkdtemp(join(tmpdir(), 'passerelle-feed-store-'));
  store = await startFhirStoreProcess({ dataDir: storeDir });
  gw = await startGatewayProcess({ env: env(store.baseUrl) });
  receiver = await startReceiver();
  direct = new FhirClient({ baseUrl: store.baseUrl });
  await subscribe('dac');
  await subscribe('ehpad');
});

afterAll(async () => {
  await direct?.close();
  await receiver?.close();
  await gw?.destroy();
  await store?.stop();
  if (storeDir) await rm(storeDir, { recursive: true, force: true });
});

describe('change feed', () => {
  it('announces a case written through the gateway once, and never to its writer', async () => {
    const body = await readFile(new URL('../mappings/case/__fixtures__/case-dupont.json', import.meta.url), 'utf8');
    const res = await fetch(`${gw.httpUrl}/v1/cases/CASE-FEED?wait=true`, {
      method: 'PUT', headers: { authorization: `Bearer ${KEYS.dac}`, 'content-type': 'application/json' }, body,
    });
    expect(res.status).toBe(200);
    await eventually('the plan event at the EHPAD', () => receiver.delivered('/ehpad').some((r) => r.eventType === 'careplan.updated'), 20_000);
    planRef = String(receiver.delivered('/ehpad').find((r) => r.eventType === 'careplan.updated')?.body['resource']);
    await settle();
    expect(planVersions('ehpad')).toHaveLength(1);
    expect(receiver.receipts.filter((r) => r.path === '/dac')).toHaveLength(0);
  });

  it('announces a plan changed directly on the server once, to every subscriber of the tenant', async () => {
    const before = planVersions('ehpad');
    const version = await changePlanDirectly('Changed in the hospital EHR');
    await eventually('the direct change at both subscribers', () => planVersions('ehpad').includes(version) && planVersions('dac').includes(version), 10_000);
    await settle();
    expect(planVersions('ehpad')).toEqual([...before, version]);
    expect(planVersions('dac')).toEqual([version]);
    const event = receiver.delivered('/dac').find((r) => r.eventType === 'careplan.updated')!;
    expect(event.signatureValid).toBe(true);
    expect(event.body).toMatchObject({ tenant: 'doubs', resource: planRef, patient: expect.stringMatching(/^Patient\//), data: { via: 'fhir-server' } });
  });

  it('announces a Task created directly on the server as task.created', async () => {
    const patient = String(receiver.delivered('/dac')[0]?.body['patient']);
    const task = await direct.create<Task>({
      resourceType: 'Task', status: 'requested', intent: 'order', for: { reference: patient },
      meta: { source: EHR_SOURCE, tag: [{ system: CODE_SYSTEM.tenant, code: 'doubs' }] },
    });
    const taskRef = `Task/${task.id}`;
    await eventually('task.created at the EHPAD', () => receiver.delivered('/ehpad').some((r) => r.eventType === 'task.created' && r.body['resource'] === taskRef), 10_000);
    await direct.update<Task>({ ...task, status: 'in-progress' });
    await settle();
    expect(receiver.delivered('/ehpad').filter((r) => r.body['resource'] === taskRef)).toHaveLength(1);
  });

  it('announces each change made while the poller was down exactly once after it restarts', async () => {
    const before = planVersions('ehpad');
    await gw.stop();
    const missed = [await changePlanDirectly('While down, first'), await changePlanDirectly('While down, second')];
    gw = await startGatewayProcess({ env: env(store.baseUrl), queuePrefix: gw.queuePrefix, dataDir: gw.dataDir });
    await eventually('both changes at the EHPAD', () => missed.every((v) => planVersions('ehpad').includes(v)), 20_000);
    await settle();
    expect(planVersions('ehpad')).toEqual([...before, ...missed]);
  });
});

describe('change feed cost', () => {
  it('reads each new version about once: a poll starts at the cursor, not a whole overlap back', async () => {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const redis = await connectRedis(TEST_REDIS_URL);
    const cycles: PollResult[] = [];
    const published: PublishEventInput[] = [];
    // An overlap longer than the test: the first cycle is the only sweep.
    const feed = startChangeFeed({
      fhir: direct, redis, prefix, passerelleSource: PASSERELLE_META_SOURCE, intervalMs: 50, overlapMs: 600_000, types: ['CarePlan'],
      publish: async (event) => void published.push(event), onCycle: (result) => cycles.push(result),
    });
    try {
      await eventually('the first cycle', () => cycles.length >= 1, 10_000);
      const versions: string[] = [];
      for (let i = 0; i < 5; i++) versions.push(await changePlanDirectly(`Polled cheaply ${i}`));
      const keys = versions.map((v) => `${planRef}/_history/${v}`);
      await eventually('the five changes announced', () => keys.every((k) => published.some((e) => e.eventKey === k)), 10_000);
      // The cycle that published the last one may still be running: count from the one after it.
      const mark = cycles.length + 1;
      await eventually('five more polls', () => cycles.length >= mark + 5, 10_000);
      // Each later poll reads at most the version at the cursor's instant (`_since` is inclusive);
      // reading the overlap every time, it would read all five, and the earlier tests' versions.
      expect(cycles.slice(mark).map((c) => c.read)).toEqual(cycles.slice(mark).map(() => 1));
      expect(published.filter((e) => keys.includes(e.eventKey)).map((e) => e.eventKey)).toEqual(keys);
    } finally {
      await feed.close();
      redis.disconnect();
      await deleteQueueKeys(prefix);
    }
  });

  it("stays off in auto mode when FHIR_BASE_URL is Passerelle's own store, recognised by its CapabilityStatement", async () => {
    const lines: Record<string, unknown>[] = [];
    let started = 0;
    const feed = startChangeFeedSwitch({
      mode: 'auto', externalServer: true, capabilities: () => direct.capabilities(), ownStoreName: EMBEDDED_STORE_SOFTWARE_NAME, retryMs: 50,
      start: () => { started++; return { close: async () => undefined }; },
      logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) }),
    });
    await eventually('the decision', () => lines.length > 0, 10_000);
    await feed.close();
    expect(started).toBe(0);
    expect(lines).toMatchObject([{ msg: 'change feed off', changeFeed: 'off' }]);
  });
});
