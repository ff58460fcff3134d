import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeJobId } from './job-id.js';
import { createQueueTestEnv, FAST_RETRY, type QueueTestEnv } from './test-env.js';
import { waitForJob } from './wait-for-job.js';

const trace = { requestId: 'req-wait', clientId: 'dac-doubs', tenant: 'doubs' };

describe('waitForJob', () => {
  let env: QueueTestEnv;
  beforeEach(async () => {
    env = await createQueueTestEnv({ cases: FAST_RETRY });
  });
  afterEach(async () => {
    await env.cleanup();
  });

  it('returns as soon as the job completes, even when it completes before the event reader is up', async () => {
    // An instant job on a fresh queue: it may finish before the new reader's first XREAD.
    await env.worker('cases', async () => ({ resources: ['CarePlan/w'] }));
    const { jobId } = await env.queues.enqueue('cases', { action: 'revoke', caseId: 'c' }, { trace });
    const started = Date.now();
    // A poll period longer than the timeout: only the completion event can end the wait early.
    const status = await waitForJob(env.queues, jobId, 20_000, { pollMs: 60_000 });
    expect(status).toMatchObject({ status: 'completed', result: { resources: ['CarePlan/w'] } });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('returns the status as it stands when the timeout comes first', async () => {
    // No worker: the job stays queued.
    const { jobId } = await env.queues.enqueue('cases', { action: 'revoke', caseId: 'c' }, { trace });
    const started = Date.now();
    const status = await waitForJob(env.queues, jobId, 500);
    const waited = Date.now() - started;
    expect(status).toMatchObject({ jobId, status: 'queued', attemptsMade: 0 });
    expect(waited).toBeGreaterThanOrEqual(450);
    expect(waited).toBeLessThan(5_000);
  });

  it('returns the current status of a job that ended before the wait began', async () => {
    await env.worker('cases', async () => ({ resources: [] }));
    const { jobId } = await env.queues.enqueue('cases', { action: 'revoke', caseId: 'c' }, { trace });
    await waitForJob(env.queues, jobId, 10_000);
    const started = Date.now();
    expect((await waitForJob(env.queues, jobId, 10_000))?.status).toBe('completed');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('returns undefined at once for a job that does not exist', async () => {
    const started = Date.now();
    expect(await waitForJob(env.queues, makeJobId('cases'), 10_000)).toBeUndefined();
    expect(await waitForJob(env.queues, 'not-a-job', 10_000)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('serves many waits on the same queue with one reader', async () => {
    await env.worker('cases', async (job) => ({ resources: [job.data.payload.caseId] }), 8);
    const jobs = await Promise.all(
      Array.from({ length: 30 }, (_, i) => env.queues.enqueue('cases', { action: 'revoke', caseId: `c${i}` }, { trace })),
    );
    const statuses = await Promise.all(jobs.map(({ jobId }) => waitForJob(env.queues, jobId, 20_000)));
    expect(statuses.map((s) => s?.result)).toEqual(jobs.map((_, i) => ({ resources: [`c${i}`] })));
  });
});
