/**
 * Webhooks through the whole product: a case written by the DAC reaches the EHPAD's receiver
 * as signed events, never the DAC's own subscription, never another territory's.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startReceiver, type Receiver } from '../workers/webhooks/testing/receiver.js';
import { startGatewayProcess, type GatewayProcess } from './helpers/gateway-process.js';

const KEYS = { dac: 'demo-dac-key', ehpad: 'demo-ehpad-key', jura: 'demo-jura-key' } as const;
const SECRET = 'a-secret-of-sixteen-chars-or-more';

let gw: GatewayProcess;
let receiver: Receiver;
let dupont: string;

async function subscribe(who: keyof typeof KEYS, path: string): Promise<void> {
  receiver.expectSecret(path, SECRET);
  const res = await fetch(`${gw.httpUrl}/v1/subscriptions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEYS[who]}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: receiver.url(path), events: ['careplan.updated', 'careteam.updated', 'supportrequest.updated'], secret: SECRET }),
  });
  expect(res.status).toBe(201);
  expect(JSON.stringify(await res.json())).not.toContain(SECRET);
}

async function putDupont(): Promise<void> {
  const res = await fetch(`${gw.httpUrl}/v1/cases/CASE-HOOKS?wait=true`, {
    method: 'PUT', headers: { authorization: `Bearer ${KEYS.dac}`, 'content-type': 'application/json' }, body: dupont,
  });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  // The receiver listens on loopback: the operator allows private webhook addresses here.
  gw = await startGatewayProcess({ env: { ALLOW_PRIVATE_WEBHOOKS: 'true' } });
  receiver = await startReceiver();
  dupont = await readFile(new URL('../mappings/case/__fixtures__/case-dupont.json', import.meta.url), 'utf8');
  await subscribe('ehpad', '/ehpad');
  await subscribe('dac', '/dac');
  await subscribe('jura', '/jura');
});

afterAll(async () => {
  await receiver?.close();
  await gw?.destroy();
});

describe('webhooks', () => {
  it('delivers one correctly signed event per change to the other clients of the tenant only', async () => {
    await putDupont();
    await eventually('three events at the EHPAD', () => receiver.delivered('/ehpad').length >= 3, 20_000);
    const got = receiver.delivered('/ehpad');
    expect(got.map((r) => r.eventType).sort()).toEqual(['careplan.updated', 'careteam.updated', 'supportrequest.updated']);
    expect(got.every((r) => r.signatureValid)).toBe(true);
    const plan = got.find((r) => r.eventType === 'careplan.updated')!;
    expect(plan.body).toMatchObject({ type: 'careplan.updated', tenant: 'doubs', resource: expect.stringMatching(/^CarePlan\//), patient: expect.stringMatching(/^Patient\//) });
    expect(receiver.receipts.filter((r) => r.path === '/dac')).toHaveLength(0);
    expect(receiver.receipts.filter((r) => r.path === '/jura')).toHaveLength(0);
  });

  it('announces nothing when the same case is sent again unchanged', async () => {
    await putDupont();
    // Give a wrongly published event time to arrive before asserting that none did.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(receiver.delivered('/ehpad')).toHaveLength(3);
  });
});
