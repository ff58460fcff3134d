/**
 * FHIR subscriptions in the delivery worker (R4 Subscriptions Backport): notification Bundles
 * on the same fan-out, line and retry path as webhooks, numbered once per event.
 */
import type { Bundle, Parameters } from '@medplum/fhirtypes';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TOPICS } from '../../mappings/subscriptions/index.js';
import { EventNumbers } from './event-numbers.js';
import type { Receipt } from './testing/receiver.js';
import { change, createWebhookTestEnv, type WebhookTestEnv } from './testing/webhook-env.js';
import type { FhirChannel, Subscription } from './subscription.js';

const dac = { clientId: 'dac-doubs', tenant: 'doubs' };
const ehpad = { clientId: 'ehpad-tilleuls', tenant: 'doubs' };
const BASE = 'https://passerelle.example/fhir';

function eventNumberOf(receipt: Receipt): string | undefined {
  const params = ((receipt.body as unknown as Bundle).entry?.[0]?.resource as Parameters).parameter ?? [];
  return params.find((p) => p.name === 'notification-event')?.part?.find((p) => p.name === 'event-number')?.valueString;
}

describe('FHIR notifications', () => {
  let env: WebhookTestEnv;
  beforeEach(async () => {
    env = await createWebhookTestEnv();
  });
  afterEach(async () => {
    await env.cleanup();
  });

  async function subscribeFhir(path: string, fhir: Partial<FhirChannel> = {}): Promise<Subscription> {
    return env.subscriptions.create({
      ...ehpad, url: env.receiver.url(path), events: ['careplan.updated'], secret: 'unused-secret-0123456789',
      fhir: { baseUrl: BASE, topic: TOPICS['careplan.updated'].url, content: 'id-only', headers: ['Authorization: Bearer t0k3n'], ...fhir },
    });
  }

  it('sends an unsigned id-only Bundle with the subscriber\'s headers, and keeps its number and id on a retry', async () => {
    const sub = await subscribeFhir('/fhir');
    let refused = 0;
    env.receiver.answer = () => (refused++ === 0 ? 503 : 200);
    await env.startWorker();
    await env.publisher.publishEvent(change(dac.clientId, 'doubs', 'p1'));
    await env.drained();
    await env.publisher.publishEvent(change(dac.clientId, 'doubs', 'p1'));
    await env.drained();

    const [failed, retried, next] = env.receiver.receipts;
    expect(env.receiver.receipts.map((r) => r.status)).toEqual([503, 200, 200]);
    expect([failed, retried, next].map((r) => eventNumberOf(r!))).toEqual(['1', '1', '2']);
    expect(retried!.body['id']).toBe(failed!.body['id']);
    expect(next!.body['id']).not.toBe(failed!.body['id']);
    expect(retried!.headers).toMatchObject({ authorization: 'Bearer t0k3n', 'content-type': 'application/fhir+json' });
    expect(retried!.headers['x-passerelle-signature']).toBeUndefined();
    expect((retried!.body as unknown as Bundle).entry?.[1]?.fullUrl).toBe(`${BASE}/CarePlan/pps-p1`);
    expect(await new EventNumbers(env.queueEnv.redis, env.prefix).count(sub.id)).toBe(2);
  });

  it('numbers only the events its patient filter lets through', async () => {
    await subscribeFhir('/p1-only', { patientFilter: 'Patient/p1' });
    await env.startWorker();
    for (const patient of ['p2', 'p1', 'p2', 'p1']) await env.publisher.publishEvent(change(dac.clientId, 'doubs', patient));
    await env.drained();
    const got = env.receiver.delivered('/p1-only');
    expect(got.map((r) => (r.body as unknown as Bundle).entry?.[1]?.fullUrl)).toEqual([`${BASE}/CarePlan/pps-p1`, `${BASE}/CarePlan/pps-p1`]);
    expect(got.map(eventNumberOf).sort()).toEqual(['1', '2']);
  });

  it('sends nothing after the subscription\'s end', async () => {
    await subscribeFhir('/ended', { end: new Date(Date.now() + 200).toISOString() });
    await env.startWorker();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await env.publisher.publishEvent(change(dac.clientId, 'doubs', 'p1'));
    await env.drained();
    expect(env.receiver.receipts).toEqual([]);
  });
});
