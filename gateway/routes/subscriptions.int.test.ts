import type { OpenAPIHono } from '@hono/zod-openapi';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getJobStatus } from '../../workers/queue/index.js';
import { deliveryIdOf, UrlGuard, webhookJobId } from '../../workers/webhooks/index.js';
import { eventually } from '../../workers/webhooks/testing/receiver.js';
import { change, createWebhookTestEnv, type WebhookTestEnv } from '../../workers/webhooks/testing/webhook-env.js';
import { createApp } from '../app.js';
import { ClientRegistry, sha256Hex } from '../auth/client-registry.js';
import type { Client } from '../auth/clients-file.js';
import type { AppEnv } from '../http/app-env.js';
import { createLogger } from '../log.js';
import { registerSubscriptionRoutes } from './subscriptions.js';

function client(id: string, tenant: string, scopes = ['subscriptions.manage']): Client {
  return { id, name: id, tenant, apiKeySha256: sha256Hex(`${id}-key`), scopes, hl7Facilities: [] };
}
const CLIENTS = [client('dac-doubs', 'doubs'), client('ehpad-tilleuls', 'doubs'), client('dac-jura', 'jura'), client('gp-tool', 'doubs', ['cases.write'])];
const as = (id: string) => ({ authorization: `Bearer ${id}-key`, 'content-type': 'application/json' });

function makeApp(env: WebhookTestEnv, allowPrivate: boolean): OpenAPIHono<AppEnv> {
  return createApp({
    logger: createLogger('silent'),
    clients: new ClientRegistry(CLIENTS),
    bodyLimit: 64 * 1024,
    checkReadiness: async () => ({}),
    routes: [(app) => registerSubscriptionRoutes(app, {
      subscriptions: env.subscriptions, deadLetters: env.deadLetters, urlGuard: new UrlGuard({ allowPrivate }),
    })],
  });
}

const SECRET = 'a-long-enough-secret-1234';

async function subscribe(app: OpenAPIHono<AppEnv>, who: string, body: Record<string, unknown>): Promise<Response> {
  return app.request('/v1/subscriptions', { method: 'POST', headers: as(who), body: JSON.stringify(body) });
}

describe('subscription routes', () => {
  let env: WebhookTestEnv;
  let app: OpenAPIHono<AppEnv>;
  beforeEach(async () => {
    env = await createWebhookTestEnv();
    app = makeApp(env, true);
  });
  afterEach(async () => {
    await env.cleanup();
  });

  it('creates, lists and deletes a client’s own subscriptions, never answering the secret', async () => {
    const url = env.receiver.url('/dac');
    const created = await subscribe(app, 'dac-doubs', { url, events: ['careplan.updated', 'task.created', 'task.created'], secret: SECRET });
    expect(created.status).toBe(201);
    const text = await created.text();
    expect(text).not.toContain(SECRET);
    const sub = JSON.parse(text) as { id: string };
    expect(sub).toEqual({ id: expect.stringMatching(/^sub_[0-9a-f]{32}$/), url, events: ['careplan.updated', 'task.created'], createdAt: expect.any(String), status: 'active' });
    expect(created.headers.get('location')).toBe(`/v1/subscriptions/${sub.id}`);

    const list = await app.request('/v1/subscriptions', { headers: as('dac-doubs') });
    const listText = await list.text();
    expect(listText).not.toContain(SECRET);
    expect(JSON.parse(listText)).toEqual({ subscriptions: [sub] });
    expect(await (await app.request(`/v1/subscriptions/${sub.id}`, { headers: as('dac-doubs') })).json()).toEqual(sub);

    // Someone else's subscription, in the same tenant or another, is as good as absent.
    for (const other of ['ehpad-tilleuls', 'dac-jura']) {
      expect(await (await app.request('/v1/subscriptions', { headers: as(other) })).json()).toEqual({ subscriptions: [] });
      expect((await app.request(`/v1/subscriptions/${sub.id}`, { headers: as(other) })).status).toBe(404);
      expect((await app.request(`/v1/subscriptions/${sub.id}`, { method: 'DELETE', headers: as(other) })).status).toBe(404);
      expect((await app.request(`/v1/subscriptions/${sub.id}/dead-letters`, { headers: as(other) })).status).toBe(404);
    }

    expect((await app.request(`/v1/subscriptions/${sub.id}`, { method: 'DELETE', headers: as('dac-doubs') })).status).toBe(204);
    expect((await app.request(`/v1/subscriptions/${sub.id}`, { method: 'DELETE', headers: as('dac-doubs') })).status).toBe(404);
    expect(await (await app.request('/v1/subscriptions', { headers: as('dac-doubs') })).json()).toEqual({ subscriptions: [] });
  });

  it('names every faulty field, without echoing the secret', async () => {
    const res = await subscribe(app, 'dac-doubs', { url: env.receiver.url('/x'), events: ['careplan.updated', 'patient.moved'], secret: 'short-secret', extra: 1 });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).not.toContain('short-secret');
    const paths = (JSON.parse(text) as { errors: { path: string }[] }).errors.map((e) => e.path).sort();
    expect(paths).toEqual(['events.1', 'extra', 'secret']);

    const empty = await subscribe(app, 'dac-doubs', { url: env.receiver.url('/x'), events: [], secret: SECRET });
    expect((await empty.json()) as unknown).toMatchObject({ status: 400, errors: [{ path: 'events' }] });
    const ftp = await subscribe(app, 'dac-doubs', { url: 'ftp://files.example.org/', events: ['task.created'], secret: SECRET });
    expect((await ftp.json()) as unknown).toMatchObject({ status: 400, errors: [{ path: 'url' }] });
  });

  it('refuses loopback and plain http URLs at creation when private webhooks are not allowed', async () => {
    const strict = makeApp(env, false);
    const port = new URL(env.receiver.url('/')).port;
    const cases: [string, string][] = [
      [`http://127.0.0.1:${port}/hook`, 'must use https'],
      [`https://127.0.0.1:${port}/hook`, 'loopback'],
      [`https://localhost:${port}/hook`, 'loopback'],
      ['https://[::ffff:7f00:1]/hook', 'loopback'],
      ['https://169.254.169.254/latest/meta-data', 'cloud metadata'],
      ['https://10.20.30.40/hook', 'private'],
    ];
    for (const [url, reason] of cases) {
      const res = await subscribe(strict, 'dac-doubs', { url, events: ['task.created'], secret: SECRET });
      expect(res.status, url).toBe(400);
      const problem = (await res.json()) as { detail: string; errors?: { path: string }[] };
      expect(problem.detail, url).toContain(reason);
    }
    const unresolvable = await subscribe(strict, 'dac-doubs', { url: 'https://no-such-host.invalid/hook', events: ['task.created'], secret: SECRET });
    expect((await unresolvable.json()) as unknown).toMatchObject({ status: 400, detail: expect.stringContaining('does not resolve') });
    expect(await (await strict.request('/v1/subscriptions', { headers: as('dac-doubs') })).json()).toEqual({ subscriptions: [] });
  });

  it('requires the subscriptions.manage scope and publishes its routes in /openapi.json', async () => {
    expect((await app.request('/v1/subscriptions', { headers: as('gp-tool') })).status).toBe(403);
    expect((await app.request('/v1/subscriptions')).status).toBe(401);
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([
      '/v1/subscriptions', '/v1/subscriptions/{id}', '/v1/subscriptions/{id}/dead-letters', '/v1/subscriptions/{id}/dead-letters/{deliveryId}/replay',
    ]));
  });

  it('stops deliveries once a subscription is deleted, including those already queued', async () => {
    await env.startWorker();
    env.receiver.expectSecret('/ehpad', SECRET);
    const sub = (await (await subscribe(app, 'ehpad-tilleuls', { url: env.receiver.url('/ehpad'), events: ['careplan.updated'], secret: SECRET })).json()) as { id: string };

    await env.publisher.publishEvent(change('dac-doubs', 'doubs', 'p1'));
    await eventually('the first delivery', () => env.receiver.delivered().length === 1);
    expect(env.receiver.receipts[0]?.signatureValid).toBe(true);

    env.receiver.answer = () => 503;
    const queued = await env.publisher.publishEvent(change('dac-doubs', 'doubs', 'p1'));
    await eventually('a failed attempt', () => env.receiver.receipts.length >= 2);
    expect((await app.request(`/v1/subscriptions/${sub.id}`, { method: 'DELETE', headers: as('ehpad-tilleuls') })).status).toBe(204);
    env.receiver.answer = () => 200;
    await env.drained();
    expect(await getJobStatus(env.queueEnv.queues, webhookJobId(deliveryIdOf(sub.id, queued.eventId)))).toMatchObject({
      status: 'completed', result: { status: 0, skipped: 'subscription deleted' },
    });

    const later = await env.publisher.publishEvent(change('dac-doubs', 'doubs', 'p1'));
    expect(later.deliveries).toEqual([]);
    expect(env.receiver.delivered()).toHaveLength(1);
  });
});

describe('dead letters', () => {
  let env: WebhookTestEnv;
  let app: OpenAPIHono<AppEnv>;
  beforeEach(async () => {
    env = await createWebhookTestEnv({ attempts: 3, backoff: { type: 'fixed', delay: 20 } });
    app = makeApp(env, true);
    await env.startWorker();
  });
  afterEach(async () => {
    await env.cleanup();
  });

  it('lists a delivery whose attempts are exhausted, lets the person’s later events through, and replays it', async () => {
    env.receiver.expectSecret('/ehpad', SECRET);
    const sub = (await (await subscribe(app, 'ehpad-tilleuls', { url: env.receiver.url('/ehpad'), events: ['careplan.updated'], secret: SECRET })).json()) as { id: string };
    let receiverFixed = false;
    const broken = change('dac-doubs', 'doubs', 'p1', { data: { plan: { id: 'PPS-42', makesReceiverFail: true } } });
    env.receiver.answer = (r) => ((r.body.data as { plan: { makesReceiverFail?: boolean } }).plan.makesReceiverFail && !receiverFixed ? 500 : 200);

    const dead = await env.publisher.publishEvent(broken);
    const next = await env.publisher.publishEvent(change('dac-doubs', 'doubs', 'p1'));
    const deadId = deliveryIdOf(sub.id, dead.eventId);
    await eventually('the later event of the same person', () => env.receiver.delivered().length === 1);
    expect(env.receiver.delivered()[0]?.body.id).toBe(next.eventId);
    expect(env.receiver.receipts.filter((r) => r.deliveryId === deadId).map((r) => r.status)).toEqual([500, 500, 500]);

    const listed = await app.request(`/v1/subscriptions/${sub.id}/dead-letters`, { headers: as('ehpad-tilleuls') });
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual({
      deadLetters: [{
        deliveryId: deadId, eventId: dead.eventId, type: 'careplan.updated', patient: 'Patient/p1', resource: 'CarePlan/pps-p1',
        occurredAt: broken.occurredAt, failedAt: expect.any(String), attemptsMade: 3, error: 'receiver answered HTTP 500',
      }],
    });

    const replayPath = `/v1/subscriptions/${sub.id}/dead-letters/${deadId}/replay`;
    expect((await app.request(replayPath, { method: 'POST', headers: as('dac-doubs') })).status).toBe(404);
    expect((await app.request(`/v1/subscriptions/${sub.id}/dead-letters/${deliveryIdOf(sub.id, next.eventId)}/replay`, { method: 'POST', headers: as('ehpad-tilleuls') })).status).toBe(404);

    receiverFixed = true;
    const replayed = await app.request(replayPath, { method: 'POST', headers: as('ehpad-tilleuls') });
    expect(replayed.status).toBe(202);
    expect(await replayed.json()).toMatchObject({ deliveryId: deadId });
    await eventually('the replayed delivery', () => env.receiver.delivered().length === 2);
    await env.drained();

    const redelivered = env.receiver.delivered()[1];
    expect(redelivered).toMatchObject({ deliveryId: deadId, signatureValid: true, body: { id: dead.eventId } });
    expect(await (await app.request(`/v1/subscriptions/${sub.id}/dead-letters`, { headers: as('ehpad-tilleuls') })).json()).toEqual({ deadLetters: [] });
    expect((await app.request(replayPath, { method: 'POST', headers: as('ehpad-tilleuls') })).status).toBe(404);
  });
});
