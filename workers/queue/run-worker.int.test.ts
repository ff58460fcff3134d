import { OperationOutcomeError, badRequest, conflict, serverError } from '@medplum/core';
import { afterEach, describe, expect, it } from 'vitest';
import { CAPPED_EXPONENTIAL } from './backoff-strategy.js';
import { getJobStatus } from './job-status.js';
import { createQueueTestEnv, FAST_RETRY, type QueueTestEnv } from './test-env.js';
import { waitForJob } from './wait-for-job.js';

const trace = { requestId: 'req-w', clientId: 'dac-doubs', tenant: 'doubs' };

describe('runWorker', () => {
  let env: QueueTestEnv | undefined;
  afterEach(async () => {
    await env?.cleanup();
    env = undefined;
  });

  it('fails a job after one attempt when the processor throws a permanent 4xx outcome', async () => {
    env = await createQueueTestEnv({ cases: FAST_RETRY });
    let calls = 0;
    await env.worker('cases', async () => {
      calls++;
      throw new OperationOutcomeError(badRequest('birthDate is not a date', 'patient.birthDate'));
    });
    const { jobId } = await env.queues.enqueue('cases', { action: 'revoke', caseId: 'c' }, { trace });
    const status = await waitForJob(env.queues, jobId, 10_000);

    expect(status).toMatchObject({ status: 'failed', attemptsMade: 1 });
    expect(status?.error?.status).toBe(400);
    expect(status?.error?.outcome?.issue?.[0]?.expression).toEqual(['patient.birthDate']);
    expect(calls).toBe(1);
    const lines = env.logs.filter((l) => l.jobId === jobId && l.msg === 'job failed');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      status: 400,
      permanent: true,
      willRetry: false,
      error: { name: 'OperationOutcomeError', issues: [{ code: 'invalid', expression: ['patient.birthDate'] }] },
    });
    // The outcome's text may echo input values: logs keep codes and paths only.
    expect(JSON.stringify(env.logs)).not.toContain('birthDate is not a date');
  });

  it('retries a transient failure, then completes', async () => {
    env = await createQueueTestEnv({ cases: FAST_RETRY });
    let calls = 0;
    await env.worker('cases', async () => {
      calls++;
      if (calls === 1) throw new OperationOutcomeError(serverError(new Error('FHIR server down')));
      if (calls === 2) throw new Error('socket hang up');
      return { resources: ['Patient/p1'] };
    });
    const { jobId } = await env.queues.enqueue('cases', { action: 'revoke', caseId: 'c' }, { trace });
    const status = await waitForJob(env.queues, jobId, 10_000);

    expect(status).toMatchObject({ status: 'completed', result: { resources: ['Patient/p1'] }, attemptsMade: 3 });
    expect(calls).toBe(3);
    const attempts = env.logs.filter((l) => l.jobId === jobId && l.msg === 'job attempt failed, will retry');
    expect(attempts.map((l) => l.attempt)).toEqual([1, 2]);
  });

  it('treats a 409 conflict as transient, and fails once the attempts are spent', async () => {
    env = await createQueueTestEnv({ cases: FAST_RETRY });
    let calls = 0;
    await env.worker('cases', async () => {
      calls++;
      throw new OperationOutcomeError(conflict('version changed'));
    });
    const { jobId } = await env.queues.enqueue('cases', { action: 'revoke', caseId: 'c' }, { trace });
    const status = await waitForJob(env.queues, jobId, 10_000);

    expect(status).toMatchObject({ status: 'failed', attemptsMade: FAST_RETRY.attempts, error: { status: 409 } });
    expect(calls).toBe(FAST_RETRY.attempts);
  });

  it('retries with the capped exponential backoff of webhooks', async () => {
    env = await createQueueTestEnv({ webhooks: { attempts: 3, backoff: { type: CAPPED_EXPONENTIAL, delay: 20 } } });
    let calls = 0;
    await env.worker('webhooks', async () => {
      calls++;
      if (calls === 1) throw new Error('subscriber answered 503');
      return { status: 200 };
    });
    const { jobId } = await env.queues.enqueue('webhooks', { subscriptionId: 's', eventId: 'e' }, { trace });
    const status = await waitForJob(env.queues, jobId, 10_000);
    expect(status).toMatchObject({ status: 'completed', result: { status: 200 }, attemptsMade: 2 });
  });

  it('close() waits for the job in flight, which completes', async () => {
    env = await createQueueTestEnv({ cases: FAST_RETRY });
    let release: () => void = () => undefined;
    let started: () => void = () => undefined;
    const isRunning = new Promise<void>((resolve) => (started = resolve));
    const handle = await env.worker('cases', async () => {
      started();
      await new Promise<void>((resolve) => (release = resolve));
      return { resources: ['CarePlan/slow'] };
    });
    const { jobId } = await env.queues.enqueue('cases', { action: 'revoke', caseId: 'c' }, { trace });
    await isRunning;
    expect((await getJobStatus(env.queues, jobId))?.status).toBe('active');

    let closed = false;
    const closing = handle.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(closed).toBe(false);
    release();
    await closing;
    expect((await getJobStatus(env.queues, jobId))?.status).toBe('completed');
  });

  it('close() past its deadline aborts the job in flight, which is retried later', async () => {
    env = await createQueueTestEnv({ cases: { attempts: 3, backoff: { type: 'fixed', delay: 60_000 } } });
    let started: () => void = () => undefined;
    const isRunning = new Promise<void>((resolve) => (started = resolve));
    const handle = await env.worker('cases', async (_job, signal) => {
      started();
      await new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
      return { resources: [] };
    });
    const { jobId } = await env.queues.enqueue('cases', { action: 'revoke', caseId: 'c' }, { trace });
    await isRunning;

    const before = Date.now();
    await handle.close({ timeoutMs: 200 });
    expect(Date.now() - before).toBeLessThan(5_000);
    // Back in line for a later attempt, with the reason of this one.
    expect(await getJobStatus(env.queues, jobId)).toMatchObject({
      status: 'queued',
      attemptsMade: 1,
      error: { message: 'aborted' },
    });
  });
});
