/**
 * The case API (SPEC §2): coordination case files and directory entries in the vocabulary of
 * coordination software, validated by the same zod schemas that produce `/openapi.json`.
 * Handlers validate, enqueue and answer; the writes happen in the `cases` / `directory` workers.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { codeListsDocument } from '../../mappings/case/code-lists.js';
import {
  CaseDocumentSchema, ClientIdSchema, OrganizationEntrySchema, PractitionerEntrySchema,
} from '../../mappings/case/schema.js';
import { requireScope } from '../auth/authenticate.js';
import type { AppEnv } from '../http/app-env.js';
import { jobView } from './jobs.js';
import { submitJob, type JobSubmitter } from './job-submission.js';

const queuedJob = z.object({ jobId: z.string(), status: z.literal('queued') }).meta({ id: 'QueuedJob' });
const problemJson = z
  .object({
    type: z.string(), title: z.string(), status: z.number(), detail: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

const writeResponses = {
  200: { description: 'with `?wait=true`: written (every resource written or matched)', content: { 'application/json': { schema: jobView } } },
  202: { description: 'accepted and queued; poll `GET /v1/jobs/{jobId}`', content: { 'application/json': { schema: queuedJob } } },
  400: { description: 'invalid document: each faulty field named by path', content: { 'application/problem+json': { schema: problemJson } } },
  422: { description: 'with `?wait=true`: the write failed', content: { 'application/problem+json': { schema: problemJson } } },
} as const;

const waitQuery = z.object({
  wait: z.enum(['true', 'false']).optional().meta({ description: 'wait (bounded) for the write and answer 200 with the FHIR references' }),
});

function jsonBody<T extends z.ZodType>(schema: T, description: string) {
  return { body: { required: true, description, content: { 'application/json': { schema } } } };
}

const putCase = createRoute({
  method: 'put',
  path: '/v1/cases/{caseId}',
  tags: ['cases'],
  summary: 'Create or replace a coordination case file (dossier de coordination)',
  middleware: [requireScope('cases.write')] as const,
  request: { params: z.object({ caseId: ClientIdSchema }), query: waitQuery, ...jsonBody(CaseDocumentSchema, 'the case document') },
  responses: writeResponses,
});

const deleteCase = createRoute({
  method: 'delete',
  path: '/v1/cases/{caseId}',
  tags: ['cases'],
  summary: 'Close a case: the plan becomes revoked and the team inactive (never a hard delete)',
  middleware: [requireScope('cases.write')] as const,
  request: { params: z.object({ caseId: ClientIdSchema }), query: waitQuery },
  responses: writeResponses,
});

const putOrganization = createRoute({
  method: 'put',
  path: '/v1/organizations/{id}',
  tags: ['directory'],
  summary: 'Create or replace an organization of the caller’s directory',
  middleware: [requireScope('cases.write')] as const,
  request: { params: z.object({ id: ClientIdSchema }), query: waitQuery, ...jsonBody(OrganizationEntrySchema, 'the organization') },
  responses: writeResponses,
});

const putPractitioner = createRoute({
  method: 'put',
  path: '/v1/practitioners/{id}',
  tags: ['directory'],
  summary: 'Create or replace a professional of the caller’s directory',
  middleware: [requireScope('cases.write')] as const,
  request: { params: z.object({ id: ClientIdSchema }), query: waitQuery, ...jsonBody(PractitionerEntrySchema, 'the professional') },
  responses: writeResponses,
});

const codeListEntry = z.object({ system: z.string(), title: z.string(), codes: z.array(z.object({ code: z.string(), display: z.string() })) });
const getCodeLists = createRoute({
  method: 'get',
  path: '/v1/code-lists',
  tags: ['cases'],
  summary: 'The closed code lists of the case document, with their French display names',
  responses: { 200: { description: 'code lists by name', content: { 'application/json': { schema: z.record(z.string(), codeListEntry) } } } },
});

export interface CaseRouteDeps {
  jobs: JobSubmitter;
  waitTimeoutMs: number;
}

export function registerCaseRoutes(app: OpenAPIHono<AppEnv>, deps: CaseRouteDeps): void {
  app.openapi(putCase, async (c) => {
    const { caseId } = c.req.valid('param');
    const document = c.req.valid('json');
    return submitJob(c, deps, 'cases', { action: 'upsert', caseId, document }, c.req.valid('query').wait === 'true') as never;
  });
  app.openapi(deleteCase, async (c) => {
    const { caseId } = c.req.valid('param');
    return submitJob(c, deps, 'cases', { action: 'revoke', caseId }, c.req.valid('query').wait === 'true') as never;
  });
  app.openapi(putOrganization, async (c) => {
    const { id } = c.req.valid('param');
    return submitJob(c, deps, 'directory', { kind: 'organization', id, document: c.req.valid('json') }, c.req.valid('query').wait === 'true') as never;
  });
  app.openapi(putPractitioner, async (c) => {
    const { id } = c.req.valid('param');
    return submitJob(c, deps, 'directory', { kind: 'practitioner', id, document: c.req.valid('json') }, c.req.valid('query').wait === 'true') as never;
  });
  const codeLists = codeListsDocument();
  app.openapi(getCodeLists, (c) => c.json(codeLists, 200));
}
