/**
 * `POST /v1/import` (SPEC §2): bulk load of case documents as NDJSON. The body is streamed to
 * disk (never held in memory), counted against IMPORT_BODY_LIMIT as it arrives, made durable,
 * and only then queued: the `202` means the upload survives a crash. The `import` worker does
 * the rest (`workers/processors/import.ts`) and reports `{ processed, failed, total }` on
 * `GET /v1/jobs/{jobId}`.
 *
 * This route enforces its own, larger limit: the global `limitBody` (BODY_LIMIT, 1 MiB) must
 * not run for `IMPORT_PATH`.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { makeJobId, type JobQueues } from '../../workers/queue/index.js';
import { newImportId, removeUpload, storeUpload } from '../../workers/processors/import-files.js';
import { requireScope } from '../auth/authenticate.js';
import type { AppEnv } from '../http/app-env.js';
import { HttpError } from '../http/http-error.js';

/** The path of this route, for the edge to exempt it from the global body limit. */
export const IMPORT_PATH = '/v1/import';

/**
 * Media types accepted for the upload. Anything else (notably `multipart/form-data`, what
 * `curl -F` sends) is refused with 415 rather than imported as lines of garbage.
 */
export const NDJSON_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'text/plain', 'application/octet-stream',
]);

const LINE_FORMAT = [
  'NDJSON: one case per line, each line a JSON object',
  '`{ "caseId": "<your id of the case>", "case": { …the case document of PUT /v1/cases/{caseId}… } }`.',
  'Each line is validated and written exactly like `PUT /v1/cases/{caseId}` with that body (idempotent: importing',
  'the same file again changes nothing). Lines end with `\\n` or `\\r\\n`, are UTF-8, at most 1 MiB each; blank lines',
  'are skipped but counted in line numbers. A bad line fails alone: the job completes, and its result lists each failed',
  'line (`line`, `caseId`, `errors[{ path, message }]`, the first 1,000 lines) while every good line is written.',
  'Progress `{ processed, failed, total }` is shown by `GET /v1/jobs/{jobId}` while it runs.',
].join(' ');

const problemJson = z.object({
  type: z.string(), title: z.string(), status: z.number(), detail: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

const postImport = createRoute({
  method: 'post',
  path: IMPORT_PATH,
  tags: ['cases'],
  summary: 'Bulk load of case files (NDJSON, one case per line), processed in the background',
  description: LINE_FORMAT,
  middleware: [requireScope('cases.write')] as const,
  request: {
    body: {
      required: true,
      description: LINE_FORMAT,
      content: {
        'application/x-ndjson': {
          schema: z.string().meta({
            example: '{"caseId":"CASE-1","case":{"patient":{"id":"USR-1","familyName":"DUPONT"}}}\n{"caseId":"CASE-2","case":{"patient":{"id":"USR-2","familyName":"MARTIN"}}}\n',
          }),
        },
      },
    },
  },
  responses: {
    202: {
      description: 'stored durably and queued; poll `GET /v1/jobs/{jobId}` for `progress` and the result',
      content: { 'application/json': { schema: z.object({ jobId: z.string(), status: z.literal('queued') }) } },
    },
    400: { description: 'empty upload', content: { 'application/problem+json': { schema: problemJson } } },
    413: { description: 'larger than IMPORT_BODY_LIMIT (default 1 GiB); nothing is kept', content: { 'application/problem+json': { schema: problemJson } } },
    415: { description: 'not NDJSON', content: { 'application/problem+json': { schema: problemJson } } },
  },
});

export interface ImportRouteDeps {
  queues: Pick<JobQueues, 'enqueue'>;
  /** DATA_DIR: uploads go to `DATA_DIR/imports/` (shared with the import workers). */
  dataDir: string;
  /** IMPORT_BODY_LIMIT, in bytes. */
  bodyLimit: number;
}

export function registerImportRoutes(app: OpenAPIHono<AppEnv>, deps: ImportRouteDeps): void {
  // `Connection: close`: the rest of the body is never read, so the connection cannot carry
  // another request (Node would otherwise drain up to the declared length to keep it alive).
  const tooLarge = () => new HttpError(413, `import body exceeds ${deps.bodyLimit} bytes (IMPORT_BODY_LIMIT)`, undefined, { Connection: 'close' });

  app.openapi(postImport, async (c) => {
    const mediaType = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
    if (mediaType !== undefined && !NDJSON_MEDIA_TYPES.has(mediaType)) {
      throw new HttpError(415, `expected NDJSON (application/x-ndjson), got ${mediaType}`);
    }
    // Node's parser never reads past a declared length: refuse before reading a byte.
    const declared = c.req.header('content-length');
    if (declared !== undefined && Number(declared) > deps.bodyLimit) throw tooLarge();

    const importId = newImportId();
    const stored = await storeUpload(c.req.raw.body, { dataDir: deps.dataDir, importId, maxBytes: deps.bodyLimit });
    if (stored.outcome === 'too-large') throw tooLarge();
    if (stored.outcome === 'empty') throw new HttpError(400, 'the upload holds no line');
    // Nobody is left to read the answer; it still gets logged as a request like any other.
    if (stored.outcome === 'interrupted') throw new HttpError(400, 'the upload broke off before its end; nothing was kept');

    const client = c.get('client');
    let jobId: string;
    try {
      ({ jobId } = await deps.queues.enqueue('import', { importId }, {
        trace: { requestId: c.get('requestId'), clientId: client.id, tenant: client.tenant },
        jobId: makeJobId('import', importId),
      }));
    } catch (err) {
      // Not queued means not accepted: keep nothing the client will send again.
      await removeUpload(deps.dataDir, importId);
      throw err;
    }
    c.get('log').info({ jobId, bytes: stored.bytes }, 'import upload stored');
    return c.json({ jobId, status: 'queued' as const }, 202, { Location: `/v1/jobs/${jobId}` });
  });
}
