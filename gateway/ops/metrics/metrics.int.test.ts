import { OperationOutcomeError, badRequest } from '@medplum/core';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJobQueues } from '../../../workers/queue/index.js';
import { createQueueTestEnv, type QueueTestEnv } from '../../../workers/queue/test-env.js';
import { registerFailedJobRoutes } from '../admin/failed-jobs-routes.js';
import { bearer, CLIENTS, makeApp } from '../test-fixture.js';
import { createOpsMetrics, type OpsMetrics } from './create-metrics.js';
import { registerHttpMetrics } from './http-metrics.js';
import { registerMetricsRoute } from './metrics-route.js';
import { registerQueueMetrics } from './queue-metrics.js';

/** The value of one series in Prometheus text, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  let env: QueueTestEnv;
  let metrics: OpsMetrics;
  let app: ReturnType<typeof makeApp>;

  beforeEach(async () => {
    env = await createQueueTestEnv();
    metrics = createOpsMetrics({ queues: env.queues });
    app = makeApp([
      (a) => registerHttpMetrics(a, metrics),
      (a) => registerMetricsRoute(a, metrics),
      (a) => registerFailedJobRoutes(a, { queues: env.queues }),
    ]);
  });
  afterEach(async () => {
    await env.cleanup();
  });

  const scrape = async () => {
    const res = await app.request('/metrics', { headers: bearer(CLIENTS.dacDoubs) });
    expect(res.status).toBe(200);
    return res.text();
  };

  it('needs a credential (401) and the admin scope (403)', async () => {
    expect((await app.request('/metrics')).status).toBe(401);
    const res = await app.request('/metrics', { headers: bearer(CLIENTS.chuBesancon) });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await res.json()).detail).toContain('admin');
  });

  it('answers the Prometheus text format with the process metrics', async () => {
    const res = await app.request('/metrics', { headers: bearer(CLIENTS.dacDoubs) });
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
  });

  it('counts requests by route pattern and status, never by raw path', async () => {
    const series = 'passerelle_http_requests_total{method="POST",route="/admin/jobs/:jobId/retry",status="404"}';
    expect(sample(await scrape(), series)).toBeUndefined();

    const jobId = 'cases-0c1e2c2a-4b3f-4c61-9d37-7f3b0f0a1d99';
    const res = await app.request(`/admin/jobs/${jobId}/retry`, { method: 'POST', headers: bearer(CLIENTS.dacDoubs) });
    expect(res.status).toBe(404);
    await app.request('/metrics', { headers: bearer(CLIENTS.ehpad) }); // 403, counted under its route too

    const text = await scrape();
    expect(sample(text, series)).toBe(1);
    expect(sample(text, 'passerelle_http_requests_total{method="GET",route="/metrics",status="403"}')).toBe(1);
    expect(sample(text, 'passerelle_http_request_duration_seconds_count{method="POST",route="/admin/jobs/:jobId/retry",status="404"}')).toBe(1);
    expect(text).not.toContain(jobId);
  });

  it('labels requests that no route answered as unrouted', async () => {
    await app.request('/v1/nothing-here/123', { headers: bearer(CLIENTS.dacDoubs) });
    const text = await scrape();
    expect(sample(text, 'passerelle_http_requests_total{method="GET",route="unrouted",status="404"}')).toBe(1);
    expect(text).not.toContain('nothing-here');
  });

  it('reports queue depths read from Redis at scrape time', async () => {
    const before = await scrape();
    expect(sample(before, 'passerelle_queue_jobs{queue="cases",state="waiting"}')).toBe(0);
    expect(sample(before, 'passerelle_queue_metrics_up')).toBe(1);

    await env.queues.enqueue('cases', { action: 'revoke', caseId: 'C-1' }, { trace: { requestId: 'r1', clientId: 'dac-doubs', tenant: 'doubs' } });
    await env.worker('directory', async () => {
      throw new OperationOutcomeError(badRequest('unusable entry'));
    });
    const { jobId } = await env.queues.enqueue('directory', { kind: 'organization', id: 'O-1', document: {} }, { trace: { requestId: 'r2', clientId: 'dac-doubs', tenant: 'doubs' } });
    await expect.poll(async () => (await env.queues.queue('directory').getJobState(jobId))).toBe('failed');

    const after = await scrape();
    expect(sample(after, 'passerelle_queue_jobs{queue="cases",state="waiting"}')).toBe(1);
    expect(sample(after, 'passerelle_queue_jobs{queue="directory",state="failed"}')).toBe(1);
    expect(sample(after, 'passerelle_queue_jobs{queue="webhooks",state="active"}')).toBe(0);
  });

  it('reports up 0 and no stale depths when Redis cannot be read, without failing the scrape', async () => {
    const registry = new Registry();
    const closed = await createJobQueues({ connection: env.redis, prefix: env.prefix });
    await closed.close();
    registerQueueMetrics(registry, { queues: closed });
    const text = await registry.metrics();
    expect(sample(text, 'passerelle_queue_metrics_up')).toBe(0);
    expect(text).not.toContain('passerelle_queue_jobs{');
  });

  it('counts MLLP acknowledgements through its small API, every code from 0', async () => {
    expect(sample(await scrape(), 'passerelle_mllp_messages_total{ack="AR"}')).toBe(0);
    metrics.mllp.record('AA');
    metrics.mllp.record('AA');
    metrics.mllp.record('AR');
    const text = await scrape();
    expect(sample(text, 'passerelle_mllp_messages_total{ack="AA"}')).toBe(2);
    expect(sample(text, 'passerelle_mllp_messages_total{ack="AR"}')).toBe(1);
    expect(sample(text, 'passerelle_mllp_messages_total{ack="AE"}')).toBe(0);
  });
});
