/**
 * `/fhir/Subscription` (R4 Subscriptions Backport, issue #5): FHIR clients subscribe to the same
 * event stream as webhook subscribers (SPEC §6), one SubscriptionTopic per event type, and are
 * notified on a rest-hook with `id-only` (or `empty`) notification Bundles.
 *
 * Create, read, search, delete and `$status`, with the `subscriptions.manage` scope, on the
 * caller's own subscriptions in its tenant only (anyone else's answers 404 like an unknown id).
 * They are stored with the webhook subscriptions (`SubscriptionStore`, with a `fhir` part), so
 * fan-out, no-echo, per-person order, retries, dead letters and replay are the same; they also
 * show in `/v1/subscriptions` under their internal id (`sub_…`), where dead letters are replayed.
 *
 * A new subscription is `active` at once: no handshake is sent (optional in the backport for
 * R4). Register these routes before the facade's generic `/fhir/{type}` routes.
 *
 * @example
 *   registerFhirSubscriptions(app, { subscriptions, eventNumbers, urlGuard, publicBaseUrl: (url) => `${origin(url)}/fhir` });
 */
import { randomBytes } from 'node:crypto';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { badRequest, conflict, OperationOutcomeError } from '@medplum/core';
import type { OperationOutcome } from '@medplum/fhirtypes';
import type { Context } from 'hono';
import {
  readSubscriptionRequest, statusSearchset, subscriptionResource, type StoredFhirSubscription,
} from '../../mappings/subscriptions/index.js';
import {
  fhirIdOf, isLive, subscriptionIdOfFhirId, uuidFrom, type EventNumbers, type Subscription, type SubscriptionStore, type UrlGuard,
} from '../../workers/webhooks/index.js';
import { requireScope } from '../auth/authenticate.js';
import type { AppEnv } from '../http/app-env.js';
import { HttpError } from '../http/http-error.js';
import { MAX_SUBSCRIPTIONS_PER_CLIENT } from '../routes/subscriptions.js';
import { fhirJson, FHIR_JSON } from './fhir-response.js';
import { searchset } from './searchset.js';

export interface FhirSubscriptionDeps {
  readonly subscriptions: SubscriptionStore;
  /** Counts answered by `$status` (the delivery worker numbers the events). */
  readonly eventNumbers: EventNumbers;
  /** The same guard as webhooks and the delivery worker (`ALLOW_PRIVATE_WEBHOOKS`). */
  readonly urlGuard: UrlGuard;
  /** Public base URL of the facade for a request URL; default: the request's origin + `/fhir`. */
  readonly publicBaseUrl?: (requestUrl: string) => string;
  readonly now?: () => Date;
}

type Ctx = Context<AppEnv>;
type FhirSub = Subscription & { fhir: NonNullable<Subscription['fhir']> };

const ID = ':id{[A-Za-z0-9\\-.]{1,64}}';
/** `$status` after a parameter: Hono's router needs it as a parameter of its own to match it. */
const STATUS_OP = ':op{\\$status}';
const JSON_TYPES = ['application/fhir+json', 'application/json'];
const SEARCH_PARAMS = ['_id', 'status', 'url'];

function invalid(issues: readonly { expression: string; message: string }[]): OperationOutcomeError {
  return new OperationOutcomeError({
    resourceType: 'OperationOutcome',
    id: 'bad-request',
    issue: issues.map((i) => ({ severity: 'error', code: 'invalid', details: { text: i.message }, expression: [i.expression] })),
  });
}

function notFound(id: string): OperationOutcomeError {
  const outcome: OperationOutcome = {
    resourceType: 'OperationOutcome',
    id: 'not-found',
    issue: [{ severity: 'error', code: 'not-found', details: { text: `Subscription/${id} is not known` } }],
  };
  return new OperationOutcomeError(outcome);
}

/** The stored subscription as the mapping's view. */
function storedView(sub: FhirSub, now: Date): StoredFhirSubscription {
  const eventType = sub.events[0] ?? 'careplan.updated';
  const { fhir } = sub;
  return {
    id: fhirIdOf(sub.id) ?? sub.id,
    status: isLive(sub, now) ? 'active' : 'off',
    createdAt: sub.createdAt,
    eventType,
    topic: fhir.topic,
    endpoint: sub.url,
    content: fhir.content,
    headers: fhir.headers,
    ...(fhir.patientFilter ? { patientFilter: fhir.patientFilter } : {}),
    ...(fhir.end ? { end: fhir.end } : {}),
    ...(fhir.reason ? { reason: fhir.reason } : {}),
  };
}

function isFhirSub(sub: Subscription | undefined): sub is FhirSub {
  return sub?.fhir !== undefined;
}

/** The guard's verdict on the endpoint, named as the Subscription field it came from. */
async function checkEndpoint(guard: UrlGuard, url: string): Promise<void> {
  try {
    await guard.check(url);
  } catch (err) {
    const text = err instanceof OperationOutcomeError
      ? err.outcome.issue?.[0]?.details?.text ?? 'refused'
      : `the host of the URL does not resolve${typeof (err as { code?: unknown }).code === 'string' ? ` (${(err as { code: string }).code})` : ''}`;
    throw invalid([{ expression: 'Subscription.channel.endpoint', message: text }]);
  }
}

export function registerFhirSubscriptions(app: OpenAPIHono<AppEnv>, deps: FhirSubscriptionDeps): void {
  const now = deps.now ?? (() => new Date());
  const publicBase = (c: Ctx): string =>
    (deps.publicBaseUrl ? deps.publicBaseUrl(c.req.url) : `${new URL(c.req.url).origin}/fhir`).replace(/\/+$/, '');
  const ownerOf = (c: Ctx) => ({ clientId: c.get('client').id, tenant: c.get('client').tenant });
  const manage = requireScope('subscriptions.manage');

  /** The caller's FHIR subscription with this FHIR id, or 404. */
  const owned = async (c: Ctx): Promise<FhirSub> => {
    const fhirId = c.req.param('id') ?? '';
    const id = subscriptionIdOfFhirId(fhirId);
    const sub = id ? await deps.subscriptions.getOwned(id, ownerOf(c)) : undefined;
    if (!isFhirSub(sub)) throw notFound(fhirId);
    return sub;
  };

  const statusOf = async (c: Ctx, sub: FhirSub) => ({
    id: uuidFrom(`${sub.id}/status/${now().toISOString()}`),
    status: {
      subscriptionUrl: `${publicBase(c)}/Subscription/${fhirIdOf(sub.id) ?? sub.id}`,
      topic: sub.fhir.topic,
      state: isLive(sub, now()) ? 'active' as const : 'off' as const,
      type: 'query-status' as const,
      eventsSinceStart: await deps.eventNumbers.count(sub.id),
    },
  });

  app.post('/fhir/Subscription', manage, async (c) => {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!JSON_TYPES.includes(type)) throw new HttpError(415, 'POST Subscription takes application/fhir+json');
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      throw new OperationOutcomeError(badRequest('The body is not valid JSON'));
    }
    const reading = readSubscriptionRequest(body, now());
    if (!reading.ok) throw invalid(reading.issues);
    const request = reading.value;
    await checkEndpoint(deps.urlGuard, request.endpoint);
    const owner = ownerOf(c);
    if ((await deps.subscriptions.countOwned(owner)) >= MAX_SUBSCRIPTIONS_PER_CLIENT) {
      throw new OperationOutcomeError(conflict(`a client may hold at most ${MAX_SUBSCRIPTIONS_PER_CLIENT} subscriptions (webhooks included): delete one first`));
    }
    const created = await deps.subscriptions.create({
      ...owner,
      url: request.endpoint,
      events: [request.eventType],
      // Unused: FHIR notifications are not signed; the store keeps one secret per subscription.
      secret: randomBytes(24).toString('hex'),
      fhir: {
        baseUrl: publicBase(c),
        topic: request.topic,
        content: request.content,
        headers: [...request.headers],
        ...(request.patientFilter ? { patientFilter: request.patientFilter } : {}),
        ...(request.end ? { end: request.end } : {}),
        ...(request.reason ? { reason: request.reason } : {}),
      },
    });
    const resource = subscriptionResource(storedView(created as FhirSub, now()));
    c.get('log').info({ subscriptionId: created.id, events: created.events }, 'FHIR subscription created');
    return c.body(JSON.stringify(resource), 201, { 'content-type': FHIR_JSON, location: `${publicBase(c)}/Subscription/${resource.id ?? ''}` });
  });

  app.get('/fhir/Subscription/$status', manage, async (c) => {
    const subs = (await deps.subscriptions.listOwned(ownerOf(c))).filter(isFhirSub);
    const wanted = new URL(c.req.url).searchParams.getAll('id').flatMap((v) => v.split(','));
    const chosen = wanted.length === 0 ? subs : subs.filter((s) => wanted.includes(fhirIdOf(s.id) ?? ''));
    const statuses = await Promise.all(chosen.map((s) => statusOf(c, s)));
    return fhirJson(c, statusSearchset(uuidFrom(`${c.get('requestId')}/status`), statuses));
  });

  app.get(`/fhir/Subscription/${ID}/${STATUS_OP}`, manage, async (c) => {
    const sub = await owned(c);
    return fhirJson(c, statusSearchset(uuidFrom(`${c.get('requestId')}/status`), [await statusOf(c, sub)]));
  });

  app.get(`/fhir/Subscription/${ID}`, manage, async (c) => fhirJson(c, subscriptionResource(storedView(await owned(c), now()))));

  app.get('/fhir/Subscription', manage, async (c) => {
    const query = new URL(c.req.url).searchParams;
    const unknown = [...new Set(query.keys())].filter((name) => !SEARCH_PARAMS.includes(name));
    if (unknown.length > 0) {
      throw invalid(unknown.map((name) => ({ expression: name, message: `unknown search parameter ${name}: Subscription takes ${SEARCH_PARAMS.join(', ')}` })));
    }
    const ids = query.getAll('_id').flatMap((v) => v.split(','));
    const statuses = query.getAll('status').flatMap((v) => v.split(','));
    const urls = query.getAll('url').flatMap((v) => v.split(','));
    const resources = (await deps.subscriptions.listOwned(ownerOf(c)))
      .filter(isFhirSub)
      .map((s) => subscriptionResource(storedView(s, now())))
      .filter((r) => (ids.length === 0 || ids.includes(r.id ?? ''))
        && (statuses.length === 0 || statuses.includes(r.status ?? ''))
        && (urls.length === 0 || urls.includes(r.channel?.endpoint ?? '')));
    const base = publicBase(c);
    return fhirJson(c, searchset({ publicBase: base, links: [{ relation: 'self', url: `${base}/Subscription${query.size > 0 ? `?${query.toString()}` : ''}` }], matches: resources, included: [], total: resources.length }));
  });

  app.delete(`/fhir/Subscription/${ID}`, manage, async (c) => {
    const sub = await owned(c);
    await deps.subscriptions.remove(sub.id, ownerOf(c));
    c.get('log').info({ subscriptionId: sub.id }, 'FHIR subscription deleted');
    return c.body(null, 204);
  });

  app.on(['PUT', 'PATCH', 'POST'], `/fhir/Subscription/${ID}`, () => {
    throw new HttpError(405, 'a Subscription is not changed in place: DELETE it and POST a new one', undefined, { allow: 'GET, DELETE' });
  });
  app.on(['PUT', 'PATCH', 'DELETE'], '/fhir/Subscription', () => {
    throw new HttpError(405, 'Subscription takes GET (search) and POST (create) here', undefined, { allow: 'GET, POST' });
  });
}
