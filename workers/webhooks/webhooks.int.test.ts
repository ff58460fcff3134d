import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventIdOf, EventStore, type PublishResult } from '../events/index.js';
import { getJobStatus } from '../queue/index.js';
import { deliveryIdOf, webhookJobId } from './delivery-id.js';
import { DeliveryLine } from './delivery-line.js';
import { eventually } from './testing/receiver.js';
import { change, createWebhookTestEnv, type WebhookTestEnv } from './testing/webhook-env.js';

const dac = { clientId: 'dac-doubs', tenant: 'doubs' };
const ehpad = { clientId: 'ehpad-tilleuls', tenant: 'doubs' };
const jura = { clientId: 'dac-jura', tenant: 'jura' };

describe('webhook delivery', () => {
  let env: WebhookTestEnv;
  beforeEach(async () => {
    env = await createWebhookTestEnv();
  });
  afterEach(async () => {
    await env.cleanup();
  });

  it('delivers one signed event per change to the other clients of the tenant, none to the writer or another tenant', async () => {
    await env.startWorker();
    const toWriter = await env.subscribe(dac, ['careplan.updated'], '/dac');
    const toEhpad = await env.subscribe(ehpad, ['careplan.updated', 'task.created'], '/ehpad');
    const otherType = await env.subscribe(ehpad, ['task.created'], '/ehpad-tasks');
    const otherTenant = await env.subscribe(jura, ['careplan.updated'], '/jura');

    const published: PublishResult[] = [];
    for (const patient of ['p1', 'p2', 'p1']) published.push(await env.publisher.publishEvent(change(dac.clientId, 'doubs', patient)));
    for (const result of published) {
      expect(result.duplicate).toBe(false);
      expect(result.deliveries).toEqual([deliveryIdOf(toEhpad.id, result.eventId)]);
    }
    await env.drained();

    const received = env.receiver.receipts;
    expect(received.map((r) => r.path)).toEqual(['/ehpad', '/ehpad', '/ehpad']);
    expect(received.map((r) => r.deliveryId).sort()).toEqual(published.map((p) => deliveryIdOf(toEhpad.id, p.eventId)).sort());
    for (const receipt of received) {
      expect(receipt.signatureValid).toBe(true);
      expect(Math.abs(receipt.signedAt - Date.now() / 1000)).toBeLessThan(60);
      expect(receipt.eventType).toBe('careplan.updated');
      expect(receipt.headers['content-type']).toBe('application/json');
      expect(Object.keys(receipt.body).sort()).toEqual(['data', 'id', 'occurredAt', 'patient', 'resource', 'tenant', 'type']);
      expect(receipt.body).toMatchObject({ type: 'careplan.updated', tenant: 'doubs', data: { plan: { id: 'PPS-42' } } });
    }
    const first = received.find((r) => r.body.id === published[0]?.eventId);
    expect(first?.body).toMatchObject({ patient: 'Patient/p1', resource: 'CarePlan/pps-p1', occurredAt: expect.any(String) });
    for (const sub of [toWriter, otherType, otherTenant]) expect(env.receiver.receipts.filter((r) => r.path === new URL(sub.url).pathname)).toEqual([]);
  });

  it('publishes an eventKey once, also when the publisher is retried after a crash', async () => {
    await env.startWorker();
    await env.subscribe(ehpad, ['patient.discharged'], '/ehpad');
    const input = change('chu-besancon', 'doubs', 'p1', { type: 'patient.discharged', resourceRef: 'Encounter/e1' });

    const first = await env.publisher.publishEvent(input);
    const again = await env.publisher.publishEvent(input);
    expect(again).toEqual({ eventId: first.eventId, duplicate: true, deliveries: [] });

    // A crash after storing the event but before the fan-out: the retry finds the event, fans out once.
    const crashed = change('chu-besancon', 'doubs', 'p2', { type: 'patient.discharged', resourceRef: 'Encounter/e2' });
    const eventId = eventIdOf('doubs', crashed.eventKey);
    await new EventStore(env.queueEnv.redis, env.prefix).put({
      id: eventId, type: 'patient.discharged', tenant: 'doubs', sourceClientId: 'chu-besancon',
      patient: 'Patient/p2', resource: 'Encounter/e2', data: crashed.data, occurredAt: crashed.occurredAt,
    });
    const retried = await env.publisher.publishEvent(crashed);
    expect(retried).toMatchObject({ eventId, duplicate: true });
    expect(retried.deliveries).toHaveLength(1);

    // A crash after the fan-out but before its marker: the retry enqueues the same job ids again, which dedupe.
    const marker = `${env.prefix}:ev:${first.eventId}:f`;
    expect(await env.queueEnv.redis.del(marker)).toBe(1);
    await env.publisher.publishEvent(input);

    await env.drained();
    const ids = env.receiver.delivered().map((r) => r.body.id);
    expect(ids.sort()).toEqual([first.eventId, eventId].sort());
  });

  it('rides out a receiver outage (503, then connection refused): every event arrives once, in order per patient', async () => {
    await env.startWorker({ concurrency: 4 });
    const sub = await env.subscribe(ehpad, ['careplan.updated'], '/ehpad');
    let phase: 'failing' | 'up' = 'failing';
    env.receiver.answer = () => (phase === 'failing' ? 503 : 200);

    const order: Record<string, string[]> = { a: [], b: [] };
    for (const patient of ['a', 'b', 'a', 'a', 'b', 'a', 'b']) {
      const { eventId } = await env.publisher.publishEvent(change(dac.clientId, 'doubs', patient));
      order[patient]?.push(eventId);
    }
    await eventually('a few failed attempts', () => env.receiver.receipts.length >= 6);
    await env.receiver.stop();
    await new Promise((resolve) => setTimeout(resolve, 400)); // attempts now meet ECONNREFUSED
    phase = 'up';
    await env.receiver.restart();
    await eventually('every event delivered', () => env.receiver.delivered().length >= 7, 20_000);
    await env.drained();

    const delivered = env.receiver.delivered();
    expect(delivered.map((r) => r.deliveryId).sort()).toEqual(
      [...(order.a ?? []), ...(order.b ?? [])].map((e) => deliveryIdOf(sub.id, e)).sort(),
    );
    for (const [patient, eventIds] of Object.entries(order)) {
      const seen = delivered.filter((r) => r.body.patient === `Patient/${patient}`).map((r) => r.body.id);
      expect(seen).toEqual(eventIds);
      // Only the head of a line is ever sent: no attempt of event k before event k-1 was delivered.
      for (let k = 1; k < eventIds.length; k++) {
        const previousDone = delivered.find((r) => r.body.id === eventIds[k - 1])?.seq ?? Infinity;
        const firstTry = env.receiver.receipts.find((r) => r.body.id === eventIds[k])?.seq ?? -1;
        expect(firstTry).toBeGreaterThan(previousDone);
      }
    }
    expect(env.receiver.receipts.filter((r) => r.status === 503).length).toBeGreaterThan(0);
    expect(env.receiver.receipts.every((r) => r.signatureValid)).toBe(true);
  });

  it('disables a subscription whose receiver answers 410 Gone', async () => {
    await env.startWorker();
    const sub = await env.subscribe(ehpad, ['task.created'], '/gone');
    env.receiver.answer = () => 410;
    const { eventId } = await env.publisher.publishEvent(change(dac.clientId, 'doubs', 'p1', { type: 'task.created', resourceRef: 'Task/t1' }));
    await env.drained();
    expect(await getJobStatus(env.queueEnv.queues, webhookJobId(deliveryIdOf(sub.id, eventId)))).toMatchObject({
      status: 'completed', result: { status: 410 },
    });
    expect(await env.subscriptions.get(sub.id)).toMatchObject({ status: 'disabled' });
    const later = await env.publisher.publishEvent(change(dac.clientId, 'doubs', 'p1', { type: 'task.created', resourceRef: 'Task/t2' }));
    expect(later.deliveries).toEqual([]);
    expect(env.receiver.receipts).toHaveLength(1);
  });

  it('refuses at delivery a loopback URL when private webhooks are not allowed: dead letter at once, nothing sent', async () => {
    await env.startWorker({ allowPrivate: false });
    // Stored as if created while ALLOW_PRIVATE_WEBHOOKS was on, or while the host resolved elsewhere.
    // https, so the scheme passes and the address is what gets refused; `localhost` goes through DNS.
    const port = new URL(env.receiver.url('/')).port;
    const sub = await env.subscriptions.create({
      ...ehpad, url: `https://localhost:${port}/loopback`, events: ['careplan.updated'], secret: 'a-secret-of-16-chars',
    });
    const { eventId } = await env.publisher.publishEvent(change(dac.clientId, 'doubs', 'p1'));
    const jobId = webhookJobId(deliveryIdOf(sub.id, eventId));
    await eventually('the delivery to fail', async () => (await getJobStatus(env.queueEnv.queues, jobId))?.status === 'failed');

    const status = await getJobStatus(env.queueEnv.queues, jobId);
    expect(status?.attemptsMade).toBe(1);
    expect(status?.error?.message).toContain('loopback');
    const letters = await env.deadLetters.list(sub.id);
    expect(letters).toEqual([
      expect.objectContaining({ deliveryId: deliveryIdOf(sub.id, eventId), type: 'careplan.updated', patient: 'Patient/p1' }),
    ]);
    expect(env.receiver.receipts).toEqual([]);
  });

  it('does not let a ticket whose job never came (a fan-out that crashed) block the line for longer than the grace', async () => {
    await env.startWorker({ ticketGraceMs: 400 });
    const sub = await env.subscribe(ehpad, ['careplan.updated'], '/ehpad');
    await new DeliveryLine(env.queueEnv.redis, env.prefix).takeTicket(sub.id, 'Patient/p1', `evt_${'0'.repeat(32)}`);
    const started = Date.now();
    const { eventId } = await env.publisher.publishEvent(change(dac.clientId, 'doubs', 'p1'));
    await eventually('the delivery behind the orphan ticket', () => env.receiver.delivered().length === 1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(env.receiver.delivered()[0]?.body.id).toBe(eventId);
  });

  it('refuses a malformed event as a caller bug, storing and sending nothing', async () => {
    await env.subscribe(ehpad, ['careplan.updated'], '/ehpad');
    const bad = change(dac.clientId, 'doubs', 'p1', { patientRef: 'DUPONT Jeanne' });
    await expect(env.publisher.publishEvent(bad)).rejects.toMatchObject({
      outcome: { issue: [{ code: 'invalid', expression: ['patientRef'] }] },
    });
    expect(await new EventStore(env.queueEnv.redis, env.prefix).get(eventIdOf('doubs', bad.eventKey))).toBeUndefined();
    expect(await env.queueEnv.queues.queue('webhooks').count()).toBe(0);
  });
});
