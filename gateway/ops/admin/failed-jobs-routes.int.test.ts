import { OperationOutcomeError, badRequest } from '@medplum/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitForJob } from '../../../workers/queue/index.js';
import { createQueueTestEnv, type QueueTestEnv } from '../../../workers/queue/test-env.js';
import { bearer, CLIENTS, makeApp } from '../test-fixture.js';
import { registerFailedJobRoutes } from './failed-jobs-routes.js';

const admin = bearer(CLIENTS.dacDoubs);
const trace = { requestId: 'req-ops', clientId: 'chu-besancon', tenant: 'doubs' };

describe('/admin/jobs', () => {
  let env: QueueTestEnv;
  let app: ReturnType<typeof makeApp>;

  beforeEach(async () => {
    env = await createQueueTestEnv();
    app = makeApp([(a) => registerFailedJobRoutes(a, { queues: env.queues })]);
  });
  afterEach(async () => {
    await env.cleanup();
  });

  async function failOne(messageId: string): Promise<string> {
    const { jobId } = await env.queues.enqueue('hl7-inbound', { messageId }, { trace });
    expect((await waitForJob(env.queues, jobId, 10_000))?.status).toBe('failed');
    return jobId;
  }

  it('needs the admin scope', async () => {
    expect((await app.request('/admin/jobs/failed?queue=cases')).status).toBe(401);
    expect((await app.request('/admin/jobs/failed?queue=cases', { headers: bearer(CLIENTS.chuBesancon) })).status).toBe(403);
    const retry = await app.request('/admin/jobs/cases-x/retry', { method: 'POST', headers: bearer(CLIENTS.chuBesancon) });
    expect(retry.status).toBe(403);
  });

  it('names the faulty query field of a bad request', async () => {
    const res = await app.request('/admin/jobs/failed?queue=nope&limit=0', { headers: admin });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = (await res.json()) as { errors: { path: string }[] };
    expect(body.errors.map((e) => e.path).sort()).toEqual(['limit', 'queue']);
  });

  it('lists failed jobs with their error and trace, then retries one after the fix', async () => {
    const broken = await env.worker('hl7-inbound', async () => {
      throw new OperationOutcomeError(badRequest('unknown facility', 'MSH-4'));
    });
    const first = await failOne('m1');
    const second = await failOne('m2');

    const res = await app.request('/admin/jobs/failed?queue=hl7-inbound&limit=1', { headers: admin });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const page = (await res.json()) as { total: number; jobs: Record<string, unknown>[] };
    expect(page.total).toBe(2);
    expect(page.jobs).toHaveLength(1);
    expect(page.jobs[0]).toMatchObject({
      jobId: second,
      status: 'failed',
      error: { status: 400, outcome: { resourceType: 'OperationOutcome' } },
      trace,
    });
    expect(JSON.stringify(page.jobs[0])).not.toContain('payload');
    const next = (await (await app.request('/admin/jobs/failed?queue=hl7-inbound&start=1&limit=1', { headers: admin })).json()) as { jobs: { jobId: string }[] };
    expect(next.jobs.map((j) => j.jobId)).toEqual([first]);

    await broken.close();
    const retried = await app.request(`/admin/jobs/${first}/retry`, { method: 'POST', headers: admin });
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ jobId: first, attemptsMade: 0 });
    // The fixed worker starts after the retry is answered, so the answer shows the job as queued.
    await env.worker('hl7-inbound', async (job) => ({ resources: [`Encounter/${job.data.payload.messageId}`] }));
    expect(await waitForJob(env.queues, first, 10_000)).toMatchObject({ status: 'completed' });

    const again = await app.request(`/admin/jobs/${first}/retry`, { method: 'POST', headers: admin });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect((await again.json()).detail).toContain('completed');
  });

  it('answers 404 problem JSON for a job that is not kept', async () => {
    const res = await app.request('/admin/jobs/hl7-inbound-gone/retry', { method: 'POST', headers: admin });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ status: 404, detail: 'no job hl7-inbound-gone is kept' });
  });
});
