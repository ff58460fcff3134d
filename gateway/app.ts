/**
 * `createApp(deps)` wires the HTTP edge: request ids and logs, authentication, body limits,
 * routes, errors. Handlers stay thin; everything they need arrives in `deps`.
 *
 * @example
 *   const app = createApp({ logger, clients: new ClientRegistry(list), bodyLimit: 1 << 20, checkReadiness });
 *   const res = await app.request('/health');
 */
import { randomUUID } from 'node:crypto';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import { authenticate } from './auth/authenticate.js';
import type { ClientRegistry } from './auth/client-registry.js';
import type { AccessTokens } from './auth/smart/access-tokens.js';
import type { AppEnv } from './http/app-env.js';
import { limitBody } from './http/body-limit.js';
import { rateLimit, type RateLimit } from './http/rate-limit.js';
import { onError, send } from './http/on-error.js';
import { problem, problemFromZod } from './http/problem.js';
import type { Logger } from './log.js';
import { registerHealthRoutes, type ReadinessCheck } from './routes/health.js';
import { IMPORT_PATH } from './routes/import.js';

export interface AppDeps {
  logger: Logger;
  clients: ClientRegistry;
  /** SMART Backend Services access tokens, accepted as Bearer credentials besides API keys. */
  accessTokens?: AccessTokens;
  /** The rate limit of a client (SPEC §7); unset: none. */
  rateLimitOf?: (clientId: string) => RateLimit;
  /** Largest accepted request body, in bytes (BODY_LIMIT). */
  bodyLimit: number;
  checkReadiness: ReadinessCheck;
  /** Middleware that must see every request, before authentication (metrics, …). */
  edge?: MiddlewareHandler<AppEnv>[];
  /** Feature routes, registered after the edge middleware (each module brings its own deps). */
  routes?: ((app: OpenAPIHono<AppEnv>) => void)[];
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

function requestContext(logger: Logger) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const log = logger.child({ requestId });
    c.set('requestId', requestId);
    c.set('log', log);
    c.header('X-Request-Id', requestId);
    const started = performance.now();
    await next();
    // The route pattern, not the path: paths hold identifiers, which logs must not.
    c.get('log').info(
      { method: c.req.method, route: c.req.routePath, status: c.res.status, ms: Math.round(performance.now() - started) },
      'request',
    );
  });
}

export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) return send(c as never, problemFromZod(result.error));
      return undefined;
    },
  });
  app.onError(onError);
  app.notFound((c) => send(c, problem(404, `no route for ${c.req.method} ${c.req.path}`)));
  app.use('*', requestContext(deps.logger));
  for (const middleware of deps.edge ?? []) app.use('*', middleware);
  app.use('*', authenticate(deps.clients, deps.accessTokens));
  if (deps.rateLimitOf) app.use('*', rateLimit(deps.rateLimitOf));
  // POST /v1/import streams up to IMPORT_BODY_LIMIT and counts its own bytes (routes/import.ts).
  const limit = limitBody(deps.bodyLimit);
  app.use('*', (c, next) => (c.req.path === IMPORT_PATH ? next() : limit(c, next)));

  registerHealthRoutes(app, deps.checkReadiness);
  for (const register of deps.routes ?? []) register(app);

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Passerelle',
      version: '0.1.0',
      description: 'Interoperability gateway for French care coordination: one shared care plan (PPS) across DAC, hospital, primary care and EHPAD software.',
    },
    security: [{ bearerAuth: [] }],
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', description: 'API key declared in the clients file' });
  return app;
}
