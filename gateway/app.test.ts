import { OperationOutcomeError, badRequest } from '@medplum/core';
import { describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import { ClientRegistry, sha256Hex } from './auth/client-registry.js';
import type { Client } from './auth/clients-file.js';
import { createLogger } from './log.js';

const dac: Client = {
  id: 'dac-doubs', name: 'DAC', tenant: 'doubs', apiKeySha256: sha256Hex('dac-key'),
  scopes: ['cases.write'], hl7Facilities: [],
};

function makeApp(checks: Record<string, boolean> = { redis: true, fhir: true }) {
  return createApp({
    logger: createLogger('silent'),
    clients: new ClientRegistry([dac]),
    bodyLimit: 100,
    checkReadiness: async () => checks,
    routes: [
      (app) => {
        app.post('/v1/echo', async (c) => c.json(await c.req.json()));
        app.get('/v1/outcome', () => { throw new OperationOutcomeError(badRequest('bad thing', 'plan.status')); });
        app.get('/fhir/Patient/boom', () => { throw new OperationOutcomeError(badRequest('bad thing')); });
        app.get('/v1/crash', () => { throw new Error('secret internals'); });
      },
    ],
  });
}

const auth = { authorization: 'Bearer dac-key' };

describe('gateway edge', () => {
  it('answers /health without credentials', async () => {
    const res = await makeApp().request('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('reports not-ready with 503 naming the failing dependency', async () => {
    const res = await makeApp({ redis: false, fhir: true }).request('/ready');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'not-ready', checks: { redis: false, fhir: true } });
  });

  it('rejects a request without credentials with 401 problem JSON', async () => {
    const res = await makeApp().request('/v1/echo', { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    expect(await res.json()).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  it('rejects an unknown API key', async () => {
    const res = await makeApp().request('/v1/echo', { method: 'POST', body: '{}', headers: { authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
  });

  it('takes the API key as HTTP Basic password on admin pages only, and asks for it there', async () => {
    const basic = { authorization: `Basic ${Buffer.from('ops:dac-key').toString('base64')}` };
    expect((await makeApp().request('/admin/anything', { headers: basic })).status).toBe(404);
    expect((await makeApp().request('/v1/echo', { method: 'POST', body: '{}', headers: basic })).status).toBe(401);
    const challenge = await makeApp().request('/admin/anything');
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get('www-authenticate')).toMatch(/^Basic /);
  });

  it('lets a known API key through', async () => {
    const res = await makeApp().request('/v1/echo', { method: 'POST', body: '{"a":1}', headers: { ...auth, 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ a: 1 });
  });

  it('answers 413 when the declared body is over the limit', async () => {
    const res = await makeApp().request('/v1/echo', { method: 'POST', body: 'x'.repeat(101), headers: { ...auth, 'content-length': '101' } });
    expect(res.status).toBe(413);
  });

  it('answers 413 when a chunked body grows over the limit', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(30)));
        controller.close();
      },
    });
    const res = await makeApp().request('/v1/echo', { method: 'POST', body: stream, headers: auth, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
  });

  it('turns an OperationOutcomeError into problem JSON on /v1 and an OperationOutcome on /fhir', async () => {
    const v1 = await makeApp().request('/v1/outcome', { headers: auth });
    expect(v1.status).toBe(400);
    expect(await v1.json()).toMatchObject({ status: 400, errors: [{ path: 'plan.status', message: 'bad thing' }] });
    const fhir = await makeApp().request('/fhir/Patient/boom', { headers: auth });
    expect(fhir.status).toBe(400);
    expect(fhir.headers.get('content-type')).toContain('application/fhir+json');
    expect(await fhir.json()).toMatchObject({ resourceType: 'OperationOutcome' });
  });

  it('never shows an unexpected error to the client', async () => {
    const res = await makeApp().request('/v1/crash', { headers: auth });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('secret internals');
    expect(text).toContain(res.headers.get('x-request-id'));
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await makeApp().request('/v1/nothing-here', { headers: auth });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ status: 404 });
  });

  it('publishes an OpenAPI document without credentials', async () => {
    const res = await makeApp().request('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/ready']));
  });
});
