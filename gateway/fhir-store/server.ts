/**
 * `createFhirStoreApp(deps)`: the HTTP face of the embedded FHIR store. Every request under
 * `/fhir` goes through Medplum's `FhirRouter` over the injected repository; this module only
 * converts HTTP ⇄ `FhirRequest`/`FhirResponse` and guarantees that every failure is answered
 * with an OperationOutcome (never a stack trace).
 *
 * @example
 *   const app = createFhirStoreApp({ repo: await SqliteRepository.open({ dataDir }), logger });
 *   serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
 */
import { notFound, OperationOutcomeError, serverError } from '@medplum/core';
import type { FhirRepository } from '@medplum/fhir-router';
import type { FhirRouter } from '@medplum/fhir-router';
import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from '../log.js';
import { capabilityStatement } from './capability.js';
import { headerReader, toFhirRequest } from './http-request.js';
import { createStoreRouter } from './store-router.js';
import { FHIR_JSON, toHttpResponse } from './http-response.js';

/** Base path of the FHIR REST API; the base URL is `http://<host>:<port>/fhir`. */
export const FHIR_BASE_PATH = '/fhir';

export interface FhirStoreDeps {
  repo: FhirRepository;
  /** Defaults to `createStoreRouter()` (atomic, unlimited transactions). */
  router?: FhirRouter;
  logger: Logger;
}

function outcomeResponse(err: unknown, logger: Logger): Response {
  if (err instanceof OperationOutcomeError) {
    return toHttpResponse([err.outcome], new Request('http://local/'), '');
  }
  // Unexpected: log the error class and message only (no request data), answer 500 without details.
  const error = err instanceof Error ? err : new Error(String(err));
  logger.error({ err: { name: error.name, message: error.message } }, 'fhir store: unexpected error');
  const outcome = serverError(new Error('unexpected error'));
  return new Response(JSON.stringify(outcome), { status: 500, headers: { 'content-type': FHIR_JSON } });
}

/** Creates the Hono app serving the FHIR R4 REST API under `/fhir`. */
export function createFhirStoreApp(deps: FhirStoreDeps): Hono {
  const { repo, logger } = deps;
  const router = deps.router ?? createStoreRouter();
  const app = new Hono();

  const handle = async (raw: Request, nodeHeaders?: IncomingHttpHeaders): Promise<Response> => {
    const url = new URL(raw.url);
    const baseUrl = `${url.origin}${FHIR_BASE_PATH}`;
    try {
      if (raw.method === 'GET' && url.pathname.replace(/\/+$/, '') === `${FHIR_BASE_PATH}/metadata`) {
        return new Response(JSON.stringify(capabilityStatement(baseUrl)), { headers: { 'content-type': FHIR_JSON } });
      }
      const request = await toFhirRequest(raw, FHIR_BASE_PATH, nodeHeaders, url);
      const answer = await router.handleRequest(request, repo);
      const response = toHttpResponse(answer, raw, baseUrl, headerReader(raw, nodeHeaders));
      if (response.status >= 500) {
        logger.error({ status: response.status, method: raw.method }, 'fhir store: server error outcome');
      }
      return response;
    } catch (err) {
      if (err instanceof OperationOutcomeError) return toHttpResponse([err.outcome], raw, baseUrl);
      return outcomeResponse(err, logger);
    }
  };

  // Under @hono/node-server, `c.env.incoming` is Node's request: its headers are already the
  // record the router wants. `app.request()` (tests) has no env and goes through Web headers.
  const headersOf = (env: unknown): IncomingHttpHeaders | undefined => (env as Partial<HttpBindings> | undefined)?.incoming?.headers;
  app.all(FHIR_BASE_PATH, (c) => handle(c.req.raw, headersOf(c.env)));
  app.all(`${FHIR_BASE_PATH}/*`, (c) => handle(c.req.raw, headersOf(c.env)));
  app.notFound(() => outcomeResponse(new OperationOutcomeError(notFound), logger));
  app.onError((err) => outcomeResponse(err, logger));
  return app;
}
