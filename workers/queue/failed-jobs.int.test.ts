import { OperationOutcomeError, badRequest } from '@medplum/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listFailed, retryFailed } from './failed-jobs.js';
import { makeJobId } from './job-id.js';
import { createQueueTestEnv, FAST_RETRY, type QueueTestEnv } from './test-env.js';
import { waitForJob } from './wait-for-job.js';

const trace = { requestId: 'req-ops', clientId: 'chu-besancon', tenant: 'doubs' };

describe('failed jobs', () => {
  let env: QueueTestEnv;
  beforeEach(async () => {
    env = await createQueueTestEnv({ 'hl7-inbound': FAST_RETRY });
  });
  afterEach(async () => {
    await env.cleanup();
  });

  it('lists a failed job, and a retry after the fix completes it', async () => {
    const broken = await env.worker('hl7-inbound', async () => {
      throw new OperationOutcomeError(badRequest('unknown facility', 'MSH-4'));
    });
    const { jobId } = await env.queues.enqueue('hl7-inbound', { messageId: 'm1' }, { trace });
    expect((await waitForJob(env.queues, jobId, 10_000))?.status).toBe('failed');

    const page = await listFailed(env.queues, 'hl7-inbound');
    expect(page.total).toBe(1);
    expect(page.jobs).toHaveLength(1);
    expect(page.jobs[0]).toMatchObject({
      jobId,
      queue: 'hl7-inbound',
      status: 'failed',
      error: { status: 400 },
      data: { clientId: 'chu-besancon', tenant: 'doubs', requestId: 'req-ops' },
    });
    expect(page.jobs[0]).not.toHaveProperty('payload');

    // The operator deploys the fix, then retries.
    await broken.close();
    await env.worker('hl7-inbound', async (job) => ({ resources: [`Encounter/${job.data.payload.messageId}`] }));
    const retried = await retryFailed(env.queues, jobId);
    expect(retried?.jobId).toBe(jobId);
    expect(['queued', 'active', 'completed']).toContain(retried?.status);
    const status = await waitForJob(env.queues, jobId, 10_000);
    expect(status).toMatchObject({ status: 'completed', result: { resources: ['Encounter/m1'] } });
    expect((await listFailed(env.queues, 'hl7-inbound')).total).toBe(0);
  });

  it('pages through failed jobs, newest first', async () => {
    await env.worker('hl7-inbound', async () => {
      throw new OperationOutcomeError(badRequest('bad message'));
    });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { jobId } = await env.queues.enqueue('hl7-inbound', { messageId: `m${i}` }, { trace });
      await waitForJob(env.queues, jobId, 10_000);
      ids.push(jobId);
    }
    const first = await listFailed(env.queues, 'hl7-inbound', { start: 0, end: 1 });
    const second = await listFailed(env.queues, 'hl7-inbound', { start: 2, end: 3 });
    expect(first.total).toBe(3);
    expect([...first.jobs, ...second.jobs].map((j) => j.jobId)).toEqual([...ids].reverse());
  });

  it('refuses to retry a job that did not fail, and ignores unknown ids', async () => {
    await env.worker('hl7-inbound', async () => ({ resources: [] }));
    const { jobId } = await env.queues.enqueue('hl7-inbound', { messageId: 'ok' }, { trace });
    await waitForJob(env.queues, jobId, 10_000);
    const error = await retryFailed(env.queues, jobId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationOutcomeError);
    expect((error as OperationOutcomeError).outcome.issue?.[0]?.code).toBe('conflict');
    expect(await retryFailed(env.queues, makeJobId('hl7-inbound'))).toBeUndefined();
    expect(await retryFailed(env.queues, 'garbage')).toBeUndefined();
  });
});
