/**
 * What write endpoints share: enqueue a job for the calling client, optionally wait (bounded)
 * for it, and answer 202 / 200 / 422 in the shape of SPEC §2.
 */
import type { Context } from 'hono';
import type { JobPayloads, JobStatus, QueueName } from '../../workers/queue/index.js';
import type { AppEnv } from '../http/app-env.js';
import { problem, PROBLEM_CONTENT_TYPE } from '../http/problem.js';
import { toJobView } from './jobs.js';

export interface JobSubmitter {
  enqueue<N extends QueueName>(name: N, payload: JobPayloads[N], trace: { requestId: string; clientId: string; tenant: string }): Promise<{ jobId: string }>;
  /** The job's status once finished, or as it stands when `timeoutMs` runs out. */
  wait(jobId: string, timeoutMs: number): Promise<JobStatus | undefined>;
}

export async function submitJob<N extends QueueName>(
  c: Context<AppEnv>,
  deps: { jobs: JobSubmitter; waitTimeoutMs: number },
  name: N,
  payload: JobPayloads[N],
  wait: boolean,
): Promise<Response> {
  const client = c.get('client');
  const { jobId } = await deps.jobs.enqueue(name, payload, { requestId: c.get('requestId'), clientId: client.id, tenant: client.tenant });
  const queued = { jobId, status: 'queued' as const };
  if (!wait) return c.json(queued, 202, { Location: `/v1/jobs/${jobId}` });
  const status = await deps.jobs.wait(jobId, deps.waitTimeoutMs);
  if (!status) return c.json(queued, 202, { Location: `/v1/jobs/${jobId}` });
  const view = toJobView(status);
  if (status.status === 'completed') return c.json(view, 200);
  if (status.status === 'failed') {
    const body = { ...problem(422, `job ${jobId} failed`, view.errors), jobId };
    return c.body(JSON.stringify(body), 422, { 'content-type': PROBLEM_CONTENT_TYPE });
  }
  // Still queued or running when the wait ran out: the client polls the job.
  return c.json(view, 202, { Location: `/v1/jobs/${jobId}` });
}
