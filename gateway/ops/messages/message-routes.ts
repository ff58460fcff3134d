/**
 * The inbound message log over HTTP (SPEC §3 "replay after a fix", §9 "kept, listed and
 * replayable"; OpenHIM's audit-and-replay model):
 *
 * - `GET  /v1/messages?status=&limit=&cursor=&clientId=` — newest first, what the caller may see
 *   (`message-access.ts`); `clientId` filters, for admins.
 * - `GET  /v1/messages/{id}` — metadata and status history; `?raw=true` answers the raw bytes.
 * - `GET  /v1/messages/{id}/raw` — the bytes exactly as received, with their content type.
 * - `POST /v1/messages/{id}/replay` — re-enqueue after a fix; `202`, or `409` when not replayable.
 *
 * Messages a caller may not see answer 404, like unknown ones.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { OperationOutcomeError, notFound } from '@medplum/core';
import type { Context } from 'hono';
import { MAX_LIST_LIMIT, MESSAGE_STATUSES, type MessageLog } from '../../../workers/message-log/index.js';
import { hasScope } from '../../auth/client-registry.js';
import type { AppEnv } from '../../http/app-env.js';
import { HttpError } from '../../http/http-error.js';
import { ADMIN_SCOPE } from '../admin/admin-guard.js';
import { listVisibleMessages } from './list-messages.js';
import { canRead, visibleTenants } from './message-access.js';
import { messageDetailSchema, messagePageSchema, replayAcceptedSchema, toDetailView, toItemView } from './message-views.js';
import { rawPayloadHeaders } from './raw-payload.js';
import { replayMessage, type ReplayFn, type SenderResolver } from './replay-message.js';

/** Page size when the caller gives none. */
export const DEFAULT_MESSAGE_PAGE = 50;

const problemContent = {
  'application/problem+json': {
    schema: z.object({
      status: z.number(),
      title: z.string(),
      detail: z.string().optional(),
      errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  },
};
const rawContent = {
  'application/octet-stream': {
    schema: z.string().meta({ format: 'binary', description: 'the bytes as received; the real Content-Type (e.g. x-application/hl7-v2+er7; charset=ISO-8859-1) is the stored one' }),
  },
};
const idParam = z.object({ id: z.string().min(1).max(64).meta({ description: 'message id (msg-…)' }) });
const errors = {
  401: { description: 'no or unknown credential', content: problemContent },
  404: { description: 'no such message for this client', content: problemContent },
};

const listRoute = createRoute({
  method: 'get',
  path: '/v1/messages',
  tags: ['messages'],
  summary: 'Inbound messages (HL7 v2, FHIR notifications), newest first',
  description: 'A client sees the messages it sent; an admin sees its tenant\'s and the rejected messages of undeclared senders (tenant `_unassigned`).',
  request: {
    query: z.object({
      status: z.enum(MESSAGE_STATUSES).optional(),
      limit: z.coerce.number().int().min(1).max(MAX_LIST_LIMIT).default(DEFAULT_MESSAGE_PAGE),
      cursor: z.string().min(1).max(512).optional(),
      clientId: z.string().min(1).max(64).optional().meta({ description: 'sending client (admins only)' }),
    }),
  },
  responses: {
    200: { description: 'one page', content: { 'application/json': { schema: messagePageSchema } } },
    400: { description: 'bad status, limit or cursor', content: problemContent },
    401: errors[401],
    403: { description: 'clientId filter without the admin scope', content: problemContent },
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/v1/messages/{id}',
  tags: ['messages'],
  summary: 'One inbound message: metadata and status history (or its raw bytes with ?raw=true)',
  request: { params: idParam, query: z.object({ raw: z.enum(['true', 'false']).optional() }) },
  responses: {
    200: { description: 'the message', content: { 'application/json': { schema: messageDetailSchema }, ...rawContent } },
    ...errors,
  },
});

const rawRoute = createRoute({
  method: 'get',
  path: '/v1/messages/{id}/raw',
  tags: ['messages'],
  summary: 'The raw bytes of an inbound message, exactly as received',
  request: { params: idParam },
  responses: { 200: { description: 'the bytes', content: rawContent }, ...errors },
});

const replayRoute = createRoute({
  method: 'post',
  path: '/v1/messages/{id}/replay',
  tags: ['messages'],
  summary: 'Process a stored message again, after a fix',
  description: 'Admin scope, or the sending client with hl7v2.write. Accepted for rejected, failed and written messages.',
  request: { params: idParam },
  responses: {
    202: { description: 'queued again', content: { 'application/json': { schema: replayAcceptedSchema } } },
    ...errors,
    403: { description: 'the client may see the message but not replay it', content: problemContent },
    409: { description: 'the message is being processed (received, queued or mapped), or no client declares its sender yet', content: problemContent },
  },
});

/**
 * Deps: the message log, the function that re-enqueues a stored message, and the one that tells
 * who declares a stored message's sender today (to replay an undeclared sender's message).
 */
export interface MessageRoutesDeps {
  messageLog: Pick<MessageLog, 'list' | 'get' | 'markReplayed' | 'transition' | 'reassign'>;
  replay: ReplayFn;
  resolveSender: SenderResolver;
}

export function registerMessageRoutes(app: OpenAPIHono<AppEnv>, deps: MessageRoutesDeps): void {
  const log = deps.messageLog;

  app.openapi(listRoute, async (c) => {
    const { status, limit, cursor, clientId } = c.req.valid('query');
    const client = c.get('client');
    const admin = hasScope(client, ADMIN_SCOPE);
    if (clientId !== undefined && !admin && clientId !== client.id) {
      throw new HttpError(403, 'only admins list the messages of other clients');
    }
    const page = await listVisibleMessages(log, {
      tenants: visibleTenants(client),
      status,
      clientId: admin ? clientId : client.id,
      limit,
      cursor,
    });
    c.header('cache-control', 'no-store');
    return c.json({ items: page.items.map(toItemView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) }, 200);
  });

  // A plain Response: bytes with the stored content type, not JSON.
  const sendRaw = async (c: Context<AppEnv>, id: string): Promise<Response> => {
    const record = await readVisible(log, c, id);
    return c.body(new Uint8Array(record.raw), 200, rawPayloadHeaders(record));
  };

  app.openapi(getRoute, async (c) => {
    const { id } = c.req.valid('param');
    if (c.req.valid('query').raw === 'true') return sendRaw(c, id);
    const record = await readVisible(log, c, id);
    c.header('cache-control', 'no-store');
    return c.json(toDetailView(record), 200);
  });

  app.openapi(rawRoute, async (c) => sendRaw(c, c.req.valid('param').id));

  app.openapi(replayRoute, async (c) => {
    const { id } = c.req.valid('param');
    const result = await replayMessage({ log, replay: deps.replay, resolveSender: deps.resolveSender }, { id, client: c.get('client'), requestId: c.get('requestId') });
    c.get('log').info({ messageId: result.messageId, jobId: result.jobId, replayCount: result.replayCount }, 'message replay queued');
    return c.json({ ...result, status: 'queued' as const }, 202);
  });
}

/** The record, when the caller may read it; 404 otherwise (same answer as an unknown id). */
async function readVisible(log: Pick<MessageLog, 'get'>, c: Context<AppEnv>, id: string) {
  const record = await log.get(id);
  if (!canRead(c.get('client'), record)) throw new OperationOutcomeError(notFound);
  return record;
}
