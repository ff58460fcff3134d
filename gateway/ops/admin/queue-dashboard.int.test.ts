import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createQueueTestEnv, type QueueTestEnv } from '../../../workers/queue/test-env.js';
import { bearer, CLIENTS, makeApp } from '../test-fixture.js';
import { registerQueueDashboard } from './queue-dashboard.js';

const admin = bearer(CLIENTS.dacDoubs);
const hospital = bearer(CLIENTS.chuBesancon);
const trace = { requestId: 'r1', clientId: 'dac-doubs', tenant: 'doubs' };

describe('/admin/queues dashboard', () => {
  let env: QueueTestEnv;
  let app: ReturnType<typeof makeApp>;

  beforeEach(async () => {
    env = await createQueueTestEnv();
    app = makeApp([(a) => registerQueueDashboard(a, { queues: env.queues.all() })]);
  });
  afterEach(async () => {
    await env.cleanup();
  });

  /** The page, and the path of its main script (content-hashed by bull-board's build). */
  async function page(): Promise<{ html: string; script: string }> {
    const res = await app.request('/admin/queues', { headers: admin });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    const script = /src="(static\/js\/main\.[0-9a-f]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    return { html, script: `/admin/queues/${script}` };
  }

  it('serves the dashboard page and its static assets to an admin', async () => {
    const { html, script } = await page();
    expect(html).toContain('<base href="/admin/queues/" />');
    const js = await app.request(script, { headers: admin });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect((await js.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
    const css = /href="(static\/css\/main\.[0-9a-f]+\.css)"/.exec(html)?.[1];
    expect((await app.request(`/admin/queues/${css}`, { headers: admin })).status).toBe(200);
  });

  it('refuses the page and the assets to a client without the admin scope, and to no client', async () => {
    const { script } = await page();
    for (const path of ['/admin/queues', script, '/admin/queues/api/queues']) {
      const res = await app.request(path, { headers: hospital });
      expect(res.status, path).toBe(403);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect((await app.request(path)).status, path).toBe(401);
    }
  });

  it('lists every queue with its counts through its API, uncached', async () => {
    await env.queues.enqueue('cases', { action: 'revoke', caseId: 'C-1' }, { trace });
    const res = await app.request('/admin/queues/api/queues?activeQueue=cases&status=waiting', { headers: admin });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { queues: { name: string; counts: Record<string, number> }[] };
    expect(body.queues.map((q) => q.name).sort()).toEqual(['cases', 'directory', 'hl7-inbound', 'import', 'webhooks']);
    expect(body.queues.find((q) => q.name === 'cases')?.counts['waiting']).toBe(1);
  });

  it('lets an operator clean a job, but not obliterate a queue', async () => {
    const kept = await env.queues.enqueue('cases', { action: 'revoke', caseId: 'C-1' }, { trace });
    const obliterate = await app.request('/admin/queues/api/queues/cases/obliterate', { method: 'PUT', headers: admin });
    expect(obliterate.status).toBe(403);
    expect(await env.queues.queue('cases').getJob(kept.jobId)).toBeDefined();

    const clean = await app.request(`/admin/queues/api/queues/cases/${kept.jobId}/clean`, { method: 'PUT', headers: admin });
    expect(clean.status).toBe(204);
    expect(await env.queues.queue('cases').getJob(kept.jobId)).toBeUndefined();
  });

  it('refuses a write sent by a browser from another site', async () => {
    const { jobId } = await env.queues.enqueue('cases', { action: 'revoke', caseId: 'C-2' }, { trace });
    const res = await app.request(`http://gateway.example/admin/queues/api/queues/cases/${jobId}/clean`, {
      method: 'PUT',
      headers: { ...admin, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(res.status).toBe(403);
    expect(await env.queues.queue('cases').getJob(jobId)).toBeDefined();
  });

  it('redirects the address with a trailing slash to the dashboard', async () => {
    const res = await app.request('/admin/queues/', { headers: admin });
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe('/admin/queues');
  });
});
