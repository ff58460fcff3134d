/**
 * `GET /v1/jobs/{jobId}`: the status of an accepted write (SPEC §2). A job is answered only to
 * the client that created it; any other caller gets the same 404 as for an unknown id.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { JobStatus } from '../../workers/queue/index.js';
import type { AppEnv } from '../http/app-env.js';
import { HttpError } from '../http/http-error.js';
import { problemFromOutcome } from '../http/problem.js';

export const jobView = z
  .object({
    jobId: z.string(),
    status: z.enum(['queued', 'active', 'completed', 'failed']),
    resources: z.array(z.string()).optional().meta({ description: 'FHIR references written or matched' }),
    progress: z.record(z.string(), z.number()).optional().meta({ description: 'import: { processed, failed, total }' }),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    lineErrors: z
      .array(z.object({ line: z.number().int(), caseId: z.string().optional(), errors: z.array(z.object({ path: z.string(), message: z.string() })) }))
      .optional()
      .meta({ description: 'import: the failed lines (the first 1,000), each with its faulty fields' }),
    lineErrorsOmitted: z.number().int().optional().meta({ description: 'import: failed lines beyond those listed' }),
    attemptsMade: z.number().int(),
    createdAt: z.string(),
    finishedAt: z.string().optional(),
  })
  .meta({ id: 'Job' });
export type JobView = z.infer<typeof jobView>;

/** The client-facing shape of a job: what it wrote, or why it failed — never its input. */
export function toJobView(status: JobStatus): JobView {
  const result = status.result as { resources?: string[]; lineErrors?: JobView['lineErrors']; lineErrorsOmitted?: number } | undefined;
  const errors = status.error
    ? status.error.outcome
      ? (problemFromOutcome(status.error.outcome).errors ?? [{ path: '', message: status.error.message }])
      : [{ path: '', message: status.error.message }]
    : undefined;
  return {
    jobId: status.jobId,
    status: status.status,
    ...(result?.resources ? { resources: result.resources } : {}),
    ...(status.progress && typeof status.progress === 'object' ? { progress: status.progress as Record<string, number> } : {}),
    ...(result?.lineErrors ? { lineErrors: result.lineErrors, lineErrorsOmitted: result.lineErrorsOmitted ?? 0 } : {}),
    ...(errors && status.status === 'failed' ? { errors } : {}),
    attemptsMade: status.attemptsMade,
    createdAt: status.createdAt,
    ...(status.finishedAt ? { finishedAt: status.finishedAt } : {}),
  };
}

const getJobRoute = createRoute({
  method: 'get',
  path: '/v1/jobs/{jobId}',
  tags: ['jobs'],
  summary: 'Status of an accepted write',
  request: { params: z.object({ jobId: z.string().min(1).max(256) }) },
  responses: {
    200: { description: 'the job', content: { 'application/json': { schema: jobView } } },
    404: { description: 'no such job for this client' },
  },
});

export interface JobsRouteDeps {
  jobStatus: (jobId: string) => Promise<JobStatus | undefined>;
}

export function registerJobRoutes(app: OpenAPIHono<AppEnv>, deps: JobsRouteDeps): void {
  app.openapi(getJobRoute, async (c) => {
    const { jobId } = c.req.valid('param');
    const client = c.get('client');
    const status = await deps.jobStatus(jobId);
    if (!status || status.data.clientId !== client.id || status.data.tenant !== client.tenant) {
      throw new HttpError(404, `no job ${jobId}`);
    }
    return c.json(toJobView(status), 200);
  });
}
