/**
 * `registerFhirFacade(app, deps)`: the `/fhir` routes (SPEC §4). Handlers parse the request,
 * check the scope, call one use-case (`read.ts`, `search.ts`, `update.ts`), audit, and answer
 * FHIR JSON; errors go to the app's `onError`, which answers OperationOutcomes on `/fhir`.
 *
 * @example
 *   const audit = new FhirAuditSink({ fhir, logger });
 *   createApp({ …, routes: [(app) => registerFhirFacade(app, { fhir, audit, publicBaseUrl: () => 'https://passerelle.example/fhir' })] });
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { badRequest, notFound, OperationOutcomeError } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import type { Context } from 'hono';
import type { FhirClient } from '../../workers/fhir-client/index.js';
import type { AppEnv } from '../http/app-env.js';
import { HttpError } from '../http/http-error.js';
import type { AuditSink } from './audit.js';
import { audited } from './audited.js';
import type { Caller } from './caller.js';
import { capabilityStatement } from './capability-statement.js';
import { fhirJson, versionHeaders } from './fhir-response.js';
import { readResource } from './read.js';
import { isFacadeType, RESOURCES, type FacadeType } from './resource-table.js';
import { requireAccess } from './scopes.js';
import { searchType } from './search.js';
import { ifMatchVersion, updateResource } from './update.js';

/** A change written through `/fhir`, for whoever turns it into events (SPEC §5). */
export interface FacadeWrite {
  readonly type: FacadeType;
  readonly id: string;
  readonly versionId: string;
  readonly clientId: string;
  readonly tenant: string;
  /** `Patient/<id>` the resource is about (CarePlan.subject, Task.for), when it names one. */
  readonly patientRef?: string;
  /** Status of the written resource (CarePlan.status, Task.status). */
  readonly status?: string;
  /** Request id of the write, carried into the event's trace. */
  readonly requestId?: string;
  /** When the write was committed (ISO 8601 with offset). */
  readonly occurredAt: string;
}

/** The patient a written resource is about, as `Patient/<id>`. */
function patientOf(resource: Resource): string | undefined {
  const ref = resource.resourceType === 'CarePlan' ? resource.subject?.reference
    : resource.resourceType === 'Task' ? resource.for?.reference
      : undefined;
  return ref !== undefined && /^Patient\/[A-Za-z0-9.-]{1,64}$/.test(ref) ? ref : undefined;
}

export interface FhirFacadeDeps {
  readonly fhir: FhirClient;
  /** Public base URL of the facade for a request URL (behind a proxy); default: the request's origin + `/fhir`. */
  readonly publicBaseUrl?: (requestUrl: string) => string;
  /** Where reads and writes of personal data are reported (SPEC §7); e.g. a `FhirAuditSink`. */
  readonly audit?: AuditSink;
  /**
   * Called after each successful write, before the answer. It should only enqueue (durably):
   * the write is committed either way, so a failure here is logged, not answered.
   */
  readonly onWrite?: (change: FacadeWrite) => Promise<void>;
  /** SMART Backend Services token endpoint (for a request URL) to advertise in the CapabilityStatement. */
  readonly smartTokenUrl?: (requestUrl: string) => string;
}

const TYPE = ':type{[A-Z][A-Za-z]+}';
const ID = ':id{[A-Za-z0-9\\-.]{1,64}}';
const VID = ':vid{[A-Za-z0-9\\-.]{1,64}}';
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPES = ['application/fhir+json', 'application/json'];

type Ctx = Context<AppEnv>;

function defaultPublicBase(requestUrl: string): string {
  return `${new URL(requestUrl).origin}/fhir`;
}

function facadeType(c: Ctx): FacadeType {
  const type = c.req.param('type') ?? '';
  if (!isFacadeType(type)) {
    throw new OperationOutcomeError({ ...notFound, issue: [{ severity: 'error', code: 'not-found', details: { text: `${type} is not served by this facade (see /fhir/metadata)` } }] });
  }
  return type;
}

function methodNotAllowed(c: Ctx, type: FacadeType): HttpError {
  const allow = RESOURCES[type].updatable ? 'GET, PUT' : 'GET';
  return new HttpError(405, `${c.req.method} is not offered on ${type} through /fhir`, undefined, { allow });
}

function mediaType(c: Ctx): string {
  return (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

export function registerFhirFacade(app: OpenAPIHono<AppEnv>, deps: FhirFacadeDeps): void {
  const publicBase = (c: Ctx): string => (deps.publicBaseUrl ?? defaultPublicBase)(c.req.url).replace(/\/+$/, '');

  const callerOf = (c: Ctx): Caller => {
    const client = c.get('client');
    return {
      fhir: deps.fhir, clientId: client.id, tenant: client.tenant, scopes: client.scopes,
      publicBase: publicBase(c), requestId: c.get('requestId'), log: c.get('log'),
    };
  };

  const search = async (c: Ctx, query: URLSearchParams): Promise<Response> => {
    const type = facadeType(c);
    requireAccess(c.get('client').scopes, type, 'search');
    const caller = callerOf(c);
    const bundle = await audited(deps.audit, caller, { action: 'R', interaction: 'search-type', type }, async () => {
      const found = await searchType(caller, type, query);
      return { result: found.bundle, disclosed: found.returned };
    });
    return fhirJson(c, bundle);
  };

  const read = async (c: Ctx, versionId?: string): Promise<Response> => {
    const type = facadeType(c);
    const id = c.req.param('id') ?? '';
    requireAccess(c.get('client').scopes, type, 'read');
    const interaction = versionId === undefined ? 'read' : 'vread';
    const caller = callerOf(c);
    const resource = await audited(deps.audit, caller, { action: 'R', interaction, type, requested: `${type}/${id}` }, async () => {
      const found = await readResource(caller, type, id, versionId);
      return { result: found, disclosed: [found] };
    });
    return fhirJson(c, resource, versionHeaders(resource));
  };

  app.get('/fhir/metadata', (c) => fhirJson(c, capabilityStatement({
    publicBase: publicBase(c),
    ...(deps.smartTokenUrl ? { smartTokenUrl: deps.smartTokenUrl(c.req.url) } : {}),
  })));

  app.get(`/fhir/${TYPE}`, (c) => search(c, new URL(c.req.url).searchParams));

  app.post(`/fhir/${TYPE}/_search`, async (c) => {
    if (mediaType(c) !== FORM) throw new HttpError(415, `POST _search takes ${FORM}`);
    // FHIR: parameters may come in the URL and the body; both count.
    const query = new URLSearchParams(new URL(c.req.url).searchParams);
    for (const [name, value] of new URLSearchParams(await c.req.text())) query.append(name, value);
    return search(c, query);
  });

  app.get(`/fhir/${TYPE}/${ID}`, (c) => read(c));
  app.get(`/fhir/${TYPE}/${ID}/_history/${VID}`, (c) => read(c, c.req.param('vid')));

  app.put(`/fhir/${TYPE}/${ID}`, async (c) => {
    const type = facadeType(c);
    const id = c.req.param('id') ?? '';
    if (!RESOURCES[type].updatable) throw methodNotAllowed(c, type);
    requireAccess(c.get('client').scopes, type, 'update');
    const versionId = ifMatchVersion(c.req.header('if-match'));
    if (!JSON_TYPES.includes(mediaType(c))) throw new HttpError(415, 'PUT takes application/fhir+json');
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      throw new OperationOutcomeError(badRequest('The body is not valid JSON'));
    }
    const caller = callerOf(c);
    const updated = await audited(deps.audit, caller, { action: 'U', interaction: 'update', type, requested: `${type}/${id}` }, async () => {
      const written = await updateResource(caller, type, id, versionId, body);
      return { result: written, disclosed: [written] };
    });
    const newVersion = updated.meta?.versionId ?? '';
    if (deps.onWrite) {
      try {
        const patientRef = patientOf(updated);
        const status = (updated as { status?: unknown }).status;
        await deps.onWrite({
          type, id, versionId: newVersion, clientId: caller.clientId, tenant: caller.tenant,
          ...(patientRef ? { patientRef } : {}),
          ...(typeof status === 'string' ? { status } : {}),
          ...(caller.requestId ? { requestId: caller.requestId } : {}),
          occurredAt: updated.meta?.lastUpdated ?? new Date().toISOString(),
        });
      } catch (err) {
        c.get('log').error({ type, err: (err as Error).message }, 'onWrite hook failed: the write is stored but its event may be missing');
      }
    }
    return fhirJson(c, updated, {
      ...versionHeaders(updated),
      'content-location': `${caller.publicBase}/${type}/${id}/_history/${newVersion}`,
    });
  });

  // Known paths, interactions the facade does not offer: 405 says so, rather than a 404.
  app.on(['POST', 'PATCH', 'DELETE'], `/fhir/${TYPE}/${ID}`, (c) => {
    throw methodNotAllowed(c, facadeType(c));
  });
  app.on(['POST', 'PUT', 'PATCH', 'DELETE'], `/fhir/${TYPE}`, (c) => {
    throw methodNotAllowed(c, facadeType(c));
  });
}
