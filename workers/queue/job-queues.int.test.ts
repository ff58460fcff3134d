import { OperationOutcomeError } from '@medplum/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeJobId } from './job-id.js';
import { getJobStatus } from './job-status.js';
import { QUEUE_NAMES } from './queue-names.js';
import { createQueueTestEnv, FAST_RETRY, type QueueTestEnv } from './test-env.js';
import { waitForJob } from './wait-for-job.js';

const trace = { requestId: 'req-1', clientId: 'dac-doubs', tenant: 'doubs' };
const document = { patient: { familyName: 'DUPONT', birthDate: '1938-05-12' } };

describe('job queues', () => {
  let env: QueueTestEnv;
  beforeEach(async () => {
    env = await createQueueTestEnv({ cases: FAST_RETRY, import: FAST_RETRY });
  });
  afterEach(async () => {
    await env.cleanup();
  });

  it('runs an enqueued job and reports it completed with its result', async () => {
    await env.worker('cases', async (job) => ({ resources: [`CarePlan/${job.data.payload.caseId}`] }));
    const { jobId, queue } = await env.queues.enqueue('cases', { action: 'upsert', caseId: 'c1', document }, { trace });
    expect(queue).toBe('cases');
    expect(jobId).toMatch(/^cases-[0-9a-f-]{36}$/);

    const status = await waitForJob(env.queues, jobId, 10_000);
    expect(status).toMatchObject({
      jobId,
      queue: 'cases',
      status: 'completed',
      result: { resources: ['CarePlan/c1'] },
      attemptsMade: 1,
      data: { clientId: 'dac-doubs', tenant: 'doubs', requestId: 'req-1' },
    });
    expect(status?.error).toBeUndefined();
    expect(Date.parse(status?.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(status?.createdAt ?? ''));
    // The status never exposes the payload.
    expect(JSON.stringify(status)).not.toContain('DUPONT');
  });

  it('reports the progress a job publishes', async () => {
    await env.worker('import', async (job) => {
      await job.updateProgress({ processed: 2, failed: 1, total: 3 });
      return { processed: 2, failed: 1, total: 3 };
    });
    const { jobId } = await env.queues.enqueue('import', { importId: 'imp-1' }, { trace });
    const status = await waitForJob(env.queues, jobId, 10_000);
    expect(status?.status).toBe('completed');
    expect(status?.progress).toEqual({ processed: 2, failed: 1, total: 3 });
  });

  it('keeps one job when the same job id is enqueued twice', async () => {
    const jobId = makeJobId('cases', 'dac-doubs-c1-digest');
    const first = await env.queues.enqueue('cases', { action: 'revoke', caseId: 'first' }, { trace, jobId });
    const second = await env.queues.enqueue('cases', { action: 'revoke', caseId: 'second' }, { trace, jobId });
    expect(second.jobId).toBe(first.jobId);
    const queue = env.queues.queue('cases');
    expect(await queue.getJobCountByTypes('waiting', 'delayed', 'active', 'prioritized')).toBe(1);
    expect((await queue.getJob(jobId))?.data.payload).toEqual({ action: 'revoke', caseId: 'first' });
  });

  it('gives every queue of the product, under the configured prefix', () => {
    const all = env.queues.all();
    expect(all.map((q) => q.name)).toEqual([...QUEUE_NAMES]);
    expect(all.every((q) => q.qualifiedName === `${env.prefix}:${q.name}`)).toBe(true);
  });

  it('refuses a job id made for another queue', async () => {
    await expect(
      env.queues.enqueue('cases', { action: 'revoke', caseId: 'c' }, { trace, jobId: makeJobId('webhooks') }),
    ).rejects.toBeInstanceOf(OperationOutcomeError);
  });

  it('knows a queued job, and nothing about ids it never made', async () => {
    const { jobId } = await env.queues.enqueue('cases', { action: 'revoke', caseId: 'c' }, { trace });
    expect(await getJobStatus(env.queues, jobId)).toMatchObject({ status: 'queued', attemptsMade: 0 });
    expect(await getJobStatus(env.queues, makeJobId('cases'))).toBeUndefined();
    expect(await getJobStatus(env.queues, 'no-such-queue-1')).toBeUndefined();
    expect(await getJobStatus(env.queues, '42')).toBeUndefined();
  });

  it('logs job ids and the request id, never job data', async () => {
    await env.worker('cases', async () => ({ resources: [] }));
    const { jobId } = await env.queues.enqueue('cases', { action: 'upsert', caseId: 'c2', document }, { trace });
    await waitForJob(env.queues, jobId, 10_000);
    const lines = env.logs.filter((l) => l.jobId === jobId);
    expect(lines.map((l) => l.msg)).toEqual(['job started', 'job completed']);
    expect(lines.every((l) => l.requestId === 'req-1' && l.queue === 'cases')).toBe(true);
    const all = JSON.stringify(env.logs);
    expect(all).not.toContain('DUPONT');
    expect(all).not.toContain('1938');
  });
});
