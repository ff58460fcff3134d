/**
 * Authentication for every endpoint but the public ones (SPEC §7). The client found here is
 * the request's owner and tenant for everything downstream.
 */
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../http/app-env.js';
import { HttpError } from '../http/http-error.js';
import { hasScope, type ClientRegistry } from './client-registry.js';

/** Paths anyone may call: liveness, readiness, the capability statement and the API description. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/health', '/ready', '/fhir/metadata', '/openapi.json']);

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="passerelle"' };

export function authenticate(registry: ClientRegistry) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (PUBLIC_PATHS.has(c.req.path) || c.req.method === 'OPTIONS') return next();
    const header = c.req.header('authorization');
    if (!header) throw new HttpError(401, 'missing Authorization header (Bearer <api key>)', undefined, CHALLENGE);
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) throw new HttpError(401, 'Authorization must be "Bearer <api key>"', undefined, CHALLENGE);
    const client = registry.byApiKey(match[1]);
    if (!client) throw new HttpError(401, 'unknown API key', undefined, CHALLENGE);
    c.set('client', client);
    c.set('log', c.get('log').child({ clientId: client.id, tenant: client.tenant }));
    return next();
  });
}

/** Rejects with 403 unless the authenticated client holds `scope`. */
export function requireScope(scope: string) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const client = c.get('client');
    if (!hasScope(client, scope)) throw new HttpError(403, `this client lacks the "${scope}" scope`);
    return next();
  });
}
