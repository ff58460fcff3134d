/**
 * Authentication for every endpoint but the public ones (SPEC §7). The client found here is
 * the request's owner and tenant for everything downstream.
 */
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../http/app-env.js';
import { isPublicWebPath } from '../web/routes.js';
import { HttpError } from '../http/http-error.js';
import { hasScope, type ClientRegistry } from './client-registry.js';
import type { Client } from './clients-file.js';
import type { AccessTokens } from './smart/access-tokens.js';
import { SMART_CONFIGURATION_PATH, TOKEN_PATH } from './smart/token-route.js';

/** Paths anyone may call: liveness, readiness, the capability statement and the API description. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/health', '/ready', '/fhir/metadata', '/openapi.json', TOKEN_PATH, SMART_CONFIGURATION_PATH]);

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="passerelle"' };
// Browsers cannot add a Bearer header to page loads: the operator's pages also take the API key
// as the password of HTTP Basic (any user name), and ask for it.
const ADMIN_CHALLENGE = { 'WWW-Authenticate': 'Basic realm="passerelle admin", charset="UTF-8"' };

function isAdminPage(path: string): boolean {
  return path === '/admin' || path.startsWith('/admin/');
}

/** The API key of an `Authorization` header: `Bearer <key>`, or on admin pages `Basic base64(user:key)`. */
function apiKeyOf(header: string, path: string): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer?.[1]) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (basic?.[1] && isAdminPage(path)) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : undefined;
  }
  return undefined;
}

/**
 * The client a Bearer credential stands for: an API key, else a SMART access token, whose client
 * acts with the scopes granted to the token only.
 */
async function clientOf(credential: string, registry: ClientRegistry, tokens: AccessTokens | undefined): Promise<Client | undefined> {
  const byKey = registry.byApiKey(credential);
  if (byKey || !tokens) return byKey;
  const grant = await tokens.lookup(credential);
  const client = grant === undefined ? undefined : registry.byClientId(grant.clientId);
  return client && grant ? { ...client, scopes: grant.scopes } : undefined;
}

export function authenticate(registry: ClientRegistry, tokens?: AccessTokens) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (PUBLIC_PATHS.has(c.req.path) || isPublicWebPath(c.req.path) || c.req.method === 'OPTIONS') return next();
    const challenge = isAdminPage(c.req.path) ? ADMIN_CHALLENGE : CHALLENGE;
    const header = c.req.header('authorization');
    if (!header) throw new HttpError(401, 'missing Authorization header (Bearer <api key or access token>)', undefined, challenge);
    const apiKey = apiKeyOf(header, c.req.path);
    if (!apiKey) throw new HttpError(401, 'Authorization must be "Bearer <api key>"', undefined, challenge);
    const client = await clientOf(apiKey, registry, tokens);
    if (!client) throw new HttpError(401, tokens ? 'unknown API key or access token (expired?)' : 'unknown API key', undefined, challenge);
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
