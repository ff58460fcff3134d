/**
 * Webhook subscriptions (SPEC §6): a client registers URLs for the events it wants, lists and
 * deletes its own, and lists and replays its dead letters. Every route needs the
 * `subscriptions.manage` scope and sees only the caller's subscriptions in the caller's tenant;
 * someone else's subscription answers the same 404 as an unknown one.
 *
 * The secret is write-only: it signs deliveries and is never answered.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { OperationOutcomeError, badRequest, conflict } from '@medplum/core';
import type { OperationOutcome } from '@medplum/fhirtypes';
import { EVENT_TYPES } from '../../workers/events/index.js';
import {
  MAX_DEAD_LETTER_PAGE, MAX_URL_LENGTH, type DeadLetters, type Subscription, type SubscriptionStore, type UrlGuard,
} from '../../workers/webhooks/index.js';
import { requireScope } from '../auth/authenticate.js';
import type { AppEnv } from '../http/app-env.js';

/** Subscriptions one client may hold: each is a fan-out target of every matching event. */
export const MAX_SUBSCRIPTIONS_PER_CLIENT = 20;

/** Shortest secret: 16 characters leave no room for guessing an HMAC key. */
export const MIN_SECRET_LENGTH = 16;

const eventType = z.enum(EVENT_TYPES);

const subscriptionRequest = z
  .strictObject({
    url: z.string().min(1).max(MAX_URL_LENGTH).meta({
      description: 'where events are POSTed: https (http only when the operator allows private webhooks); checked after DNS resolution',
      example: 'https://dac.example.org/passerelle/events',
    }),
    events: z.array(eventType).min(1).max(50).meta({ description: 'event types to receive (repeats are ignored)' }),
    secret: z.string().min(MIN_SECRET_LENGTH).max(256).meta({
      description: 'HMAC-SHA256 key of the X-Passerelle-Signature header; never answered back',
    }),
  })
  .meta({ id: 'SubscriptionRequest' });

const subscriptionView = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(eventType),
    createdAt: z.string(),
    status: z.enum(['active', 'disabled']).meta({ description: '`disabled` once the receiver answered 410 Gone' }),
  })
  .meta({ id: 'Subscription' });

const deadLetterView = z
  .object({
    deliveryId: z.string().meta({ description: 'the X-Passerelle-Delivery of the failed delivery' }),
    eventId: z.string(),
    type: eventType.optional(),
    patient: z.string().optional(),
    resource: z.string().optional(),
    occurredAt: z.string().optional(),
    failedAt: z.string(),
    attemptsMade: z.number().int(),
    error: z.string().meta({ description: 'why the last attempt failed' }),
  })
  .meta({ id: 'DeadLetter' });

const problem = {
  'application/problem+json': {
    schema: z.object({
      type: z.string(), title: z.string(), status: z.number(), detail: z.string().optional(),
      errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  },
};

const idParam = z.object({ id: z.string().min(1).max(64).meta({ description: 'subscription id' }) });

const createSubscription = createRoute({
  method: 'post',
  path: '/v1/subscriptions',
  tags: ['subscriptions'],
  summary: 'Subscribe a URL to events',
  middleware: [requireScope('subscriptions.manage')] as const,
  request: { body: { required: true, content: { 'application/json': { schema: subscriptionRequest } } } },
  responses: {
    201: { description: 'subscribed', content: { 'application/json': { schema: subscriptionView } } },
    400: { description: 'invalid field, or URL refused (scheme, unresolvable host, private address)', content: problem },
    409: { description: `the client already holds ${MAX_SUBSCRIPTIONS_PER_CLIENT} subscriptions`, content: problem },
  },
});

const listSubscriptions = createRoute({
  method: 'get',
  path: '/v1/subscriptions',
  tags: ['subscriptions'],
  summary: 'The caller’s subscriptions',
  middleware: [requireScope('subscriptions.manage')] as const,
  responses: {
    200: { description: 'oldest first', content: { 'application/json': { schema: z.object({ subscriptions: z.array(subscriptionView) }) } } },
  },
});

const getSubscription = createRoute({
  method: 'get',
  path: '/v1/subscriptions/{id}',
  tags: ['subscriptions'],
  summary: 'One of the caller’s subscriptions',
  middleware: [requireScope('subscriptions.manage')] as const,
  request: { params: idParam },
  responses: {
    200: { description: 'the subscription', content: { 'application/json': { schema: subscriptionView } } },
    404: { description: 'no such subscription for this client', content: problem },
  },
});

const deleteSubscription = createRoute({
  method: 'delete',
  path: '/v1/subscriptions/{id}',
  tags: ['subscriptions'],
  summary: 'Unsubscribe: nothing more is sent, not even deliveries already queued',
  middleware: [requireScope('subscriptions.manage')] as const,
  request: { params: idParam },
  responses: {
    204: { description: 'deleted' },
    404: { description: 'no such subscription for this client', content: problem },
  },
});

const listDeadLetters = createRoute({
  method: 'get',
  path: '/v1/subscriptions/{id}/dead-letters',
  tags: ['subscriptions'],
  summary: 'Deliveries that failed for good (after ≥ 24 h of retries), newest first',
  middleware: [requireScope('subscriptions.manage')] as const,
  request: {
    params: idParam,
    query: z.object({
      offset: z.coerce.number().int().min(0).optional(),
      limit: z.coerce.number().int().min(1).max(MAX_DEAD_LETTER_PAGE).optional(),
    }),
  },
  responses: {
    200: { description: 'dead letters', content: { 'application/json': { schema: z.object({ deadLetters: z.array(deadLetterView) }) } } },
    404: { description: 'no such subscription for this client', content: problem },
  },
});

const replayDeadLetter = createRoute({
  method: 'post',
  path: '/v1/subscriptions/{id}/dead-letters/{deliveryId}/replay',
  tags: ['subscriptions'],
  summary: 'Send a dead letter again, with a fresh set of retries and the same delivery id',
  middleware: [requireScope('subscriptions.manage')] as const,
  request: { params: idParam.extend({ deliveryId: z.string().min(1).max(128) }) },
  responses: {
    202: {
      description: 'queued for delivery',
      content: { 'application/json': { schema: z.object({ deliveryId: z.string(), status: z.enum(['queued', 'active', 'completed', 'failed']) }) } },
    },
    404: { description: 'no such dead letter', content: problem },
    409: { description: 'already being replayed', content: problem },
  },
});

export interface SubscriptionRouteDeps {
  subscriptions: SubscriptionStore;
  /** Built from `ALLOW_PRIVATE_WEBHOOKS`; the same rules as the delivery worker's. */
  urlGuard: UrlGuard;
  deadLetters: DeadLetters;
}

function toView(sub: Subscription): z.infer<typeof subscriptionView> {
  return { id: sub.id, url: sub.url, events: sub.events, createdAt: sub.createdAt, status: sub.status };
}

function notFound(text: string): OperationOutcomeError {
  // Medplum derives the HTTP status from the outcome's id.
  const outcome: OperationOutcome = {
    resourceType: 'OperationOutcome',
    id: 'not-found',
    issue: [{ severity: 'error', code: 'not-found', details: { text } }],
  };
  return new OperationOutcomeError(outcome);
}

/** The guard's check, with DNS failures answered as a bad URL (the client can fix its host name). */
async function checkUrl(guard: UrlGuard, url: string): Promise<void> {
  try {
    await guard.check(url);
  } catch (err) {
    if (err instanceof OperationOutcomeError) throw err;
    const code = (err as { code?: unknown }).code;
    throw new OperationOutcomeError(badRequest(`the host of the URL does not resolve${typeof code === 'string' ? ` (${code})` : ''}`, 'url'));
  }
}

export function registerSubscriptionRoutes(app: OpenAPIHono<AppEnv>, deps: SubscriptionRouteDeps): void {
  app.openapi(createSubscription, async (c) => {
    const client = c.get('client');
    const owner = { clientId: client.id, tenant: client.tenant };
    const body = c.req.valid('json');
    await checkUrl(deps.urlGuard, body.url);
    if ((await deps.subscriptions.countOwned(owner)) >= MAX_SUBSCRIPTIONS_PER_CLIENT) {
      throw new OperationOutcomeError(conflict(`a client may hold at most ${MAX_SUBSCRIPTIONS_PER_CLIENT} subscriptions: delete one first`));
    }
    const sub = await deps.subscriptions.create({ ...owner, url: body.url, events: body.events, secret: body.secret });
    c.get('log').info({ subscriptionId: sub.id, events: sub.events }, 'subscription created');
    return c.json(toView(sub), 201, { Location: `/v1/subscriptions/${sub.id}` });
  });

  app.openapi(listSubscriptions, async (c) => {
    const client = c.get('client');
    const subs = await deps.subscriptions.listOwned({ clientId: client.id, tenant: client.tenant });
    return c.json({ subscriptions: subs.map(toView) }, 200);
  });

  app.openapi(getSubscription, async (c) => {
    const { id } = c.req.valid('param');
    const client = c.get('client');
    const sub = await deps.subscriptions.getOwned(id, { clientId: client.id, tenant: client.tenant });
    if (!sub) throw notFound(`no subscription ${id}`);
    return c.json(toView(sub), 200);
  });

  app.openapi(deleteSubscription, async (c) => {
    const { id } = c.req.valid('param');
    const client = c.get('client');
    if (!(await deps.subscriptions.remove(id, { clientId: client.id, tenant: client.tenant }))) throw notFound(`no subscription ${id}`);
    c.get('log').info({ subscriptionId: id }, 'subscription deleted');
    return c.body(null, 204);
  });

  app.openapi(listDeadLetters, async (c) => {
    const { id } = c.req.valid('param');
    const client = c.get('client');
    if (!(await deps.subscriptions.getOwned(id, { clientId: client.id, tenant: client.tenant }))) throw notFound(`no subscription ${id}`);
    const { offset, limit } = c.req.valid('query');
    const deadLetters = await deps.deadLetters.list(id, { ...(offset !== undefined ? { offset } : {}), ...(limit !== undefined ? { limit } : {}) });
    return c.json({ deadLetters }, 200);
  });

  app.openapi(replayDeadLetter, async (c) => {
    const { id, deliveryId } = c.req.valid('param');
    const client = c.get('client');
    if (!(await deps.subscriptions.getOwned(id, { clientId: client.id, tenant: client.tenant }))) throw notFound(`no subscription ${id}`);
    const status = await deps.deadLetters.replay(id, deliveryId);
    if (!status) throw notFound(`no dead letter ${deliveryId} for subscription ${id}`);
    c.get('log').info({ subscriptionId: id, deliveryId }, 'dead letter replayed');
    return c.json({ deliveryId, status: status.status }, 202);
  });
}
