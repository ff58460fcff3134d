/**
 * `GET /admin/jobs/failed?queue=…` and `POST /admin/jobs/{jobId}/retry`: the dead letters of every
 * queue (SPEC §6, §9), listed and put back in line after a fix. Admin scope; errors are problem
 * JSON. A failed job is shown with its error and trace, never its payload.
 *
 * Like the dashboard, this is the installation operator's view: queues are shared by all tenants.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { QUEUE_NAMES, listFailed, retryFailed, type JobQueues, type JobStatus } from '../../../workers/queue/index.js';
import type { AppEnv } from '../../http/app-env.js';
import { HttpError } from '../../http/http-error.js';
import { noStore, requireAdmin } from './admin-guard.js';

/** Largest page of failed jobs: each is a Redis read of its own. */
export const MAX_FAILED_PAGE = 200;

const problemContent = { 'application/problem+json': { schema: z.object({ status: z.number(), title: z.string(), detail: z.string().optional() }) } };

const failedJobSchema = z
  .object({
    jobId: z.string(),
    queue: z.enum(QUEUE_NAMES),
    status: z.enum(['queued', 'active', 'completed', 'failed']),
    attemptsMade: z.number().int(),
    createdAt: z.string(),
    finishedAt: z.string().optional(),
    error: z
      .object({
        message: z.string(),
        status: z.number().int().optional(),
        outcome: z.record(z.string(), z.unknown()).optional().meta({ description: 'the OperationOutcome, issues and paths included' }),
      })
      .optional(),
    trace: z.object({ clientId: z.string(), tenant: z.string(), requestId: z.string() }),
  })
  .meta({ id: 'FailedJob' });
type FailedJobView = z.infer<typeof failedJobSchema>;

const listRoute = createRoute({
  method: 'get',
  path: '/admin/jobs/failed',
  tags: ['operations'],
  summary: 'Failed jobs of a queue, newest first (admin scope)',
  middleware: [requireAdmin(), noStore()] as const,
  request: {
    query: z.object({
      queue: z.enum(QUEUE_NAMES),
      start: z.coerce.number().int().min(0).default(0).meta({ description: 'index of the first job (0 = newest)' }),
      limit: z.coerce.number().int().min(1).max(MAX_FAILED_PAGE).default(50),
    }),
  },
  responses: {
    200: {
      description: 'one page of failed jobs',
      content: { 'application/json': { schema: z.object({ queue: z.enum(QUEUE_NAMES), total: z.number().int(), start: z.number().int(), jobs: z.array(failedJobSchema) }) } },
    },
    400: { description: 'unknown queue or bad paging', content: problemContent },
    401: { description: 'no or unknown credential', content: problemContent },
    403: { description: 'the client lacks the admin scope', content: problemContent },
  },
});

const retryRoute = createRoute({
  method: 'post',
  path: '/admin/jobs/{jobId}/retry',
  tags: ['operations'],
  summary: 'Put a failed job back in its queue with fresh attempts (admin scope)',
  middleware: [requireAdmin(), noStore()] as const,
  request: { params: z.object({ jobId: z.string().min(1).max(256) }) },
  responses: {
    200: { description: 'the job, queued again', content: { 'application/json': { schema: failedJobSchema } } },
    401: { description: 'no or unknown credential', content: problemContent },
    403: { description: 'the client lacks the admin scope', content: problemContent },
    404: { description: 'no such job kept', content: problemContent },
    409: { description: 'the job is not failed (running or completed)', content: problemContent },
  },
});

/** Deps: the process's queues. */
export interface FailedJobRoutesDeps {
  queues: JobQueues;
}

export function registerFailedJobRoutes(app: OpenAPIHono<AppEnv>, deps: FailedJobRoutesDeps): void {
  app.openapi(listRoute, async (c) => {
    const { queue, start, limit } = c.req.valid('query');
    const page = await listFailed(deps.queues, queue, { start, end: start + limit - 1 });
    return c.json({ queue, total: page.total, start, jobs: page.jobs.map(toFailedJobView) }, 200);
  });

  app.openapi(retryRoute, async (c) => {
    const { jobId } = c.req.valid('param');
    // 409 (not failed) comes as an OperationOutcomeError and becomes problem JSON in onError.
    const status = await retryFailed(deps.queues, jobId);
    if (!status) throw new HttpError(404, `no job ${jobId} is kept`);
    c.get('log').info({ jobId, queue: status.queue }, 'failed job retried by operator');
    return c.json(toFailedJobView(status), 200);
  });
}

function toFailedJobView(status: JobStatus): FailedJobView {
  return {
    jobId: status.jobId,
    queue: status.queue,
    status: status.status,
    attemptsMade: status.attemptsMade,
    createdAt: status.createdAt,
    ...(status.finishedAt ? { finishedAt: status.finishedAt } : {}),
    ...(status.error
      ? {
          error: {
            message: status.error.message,
            ...(status.error.status !== undefined ? { status: status.error.status } : {}),
            ...(status.error.outcome ? { outcome: status.error.outcome as unknown as Record<string, unknown> } : {}),
          },
        }
      : {}),
    trace: status.data,
  };
}
