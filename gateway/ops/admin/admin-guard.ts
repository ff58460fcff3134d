/**
 * Guards shared by the operator's endpoints (`/admin/*`, SPEC §7): the `admin` scope, no caching
 * of answers that may hold personal data, and no cross-site writes.
 */
import { createMiddleware } from 'hono/factory';
import { requireScope } from '../../auth/authenticate.js';
import type { AppEnv } from '../../http/app-env.js';
import { HttpError } from '../../http/http-error.js';

/** The scope every `/admin/*` endpoint and `/metrics` need. */
export const ADMIN_SCOPE = 'admin';

/** 403 unless the client holds the `admin` scope. */
export const requireAdmin = () => requireScope(ADMIN_SCOPE);

/**
 * `Cache-Control: no-store` on the answer: job data and raw messages are personal data and must
 * not linger in a browser or proxy cache.
 */
export function noStore() {
  return createMiddleware<AppEnv>(async (c, next) => {
    await next();
    c.res.headers.set('cache-control', 'no-store');
  });
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses a state-changing request a browser sent from another site (CSRF). Only bites when the
 * browser sends its credentials by itself (Basic auth or a cookie on `/admin`): API clients send
 * neither `Sec-Fetch-Site` nor `Origin` and pass; the dashboard's own calls are same-origin.
 */
export function sameOriginWrites() {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (!SAFE_METHODS.has(c.req.method) && isCrossSite(c.req.header('sec-fetch-site'), c.req.header('origin'), c.req.url, c.req.header('host'))) {
      throw new HttpError(403, 'cross-site request refused: use the dashboard from its own origin');
    }
    return next();
  });
}

/** Whether a request comes from another site, by Fetch Metadata first, then by `Origin`. */
export function isCrossSite(fetchSite: string | undefined, origin: string | undefined, url: string, host: string | undefined): boolean {
  if (fetchSite !== undefined) return fetchSite !== 'same-origin' && fetchSite !== 'none';
  if (origin === undefined) return false;
  if (origin === 'null') return true;
  try {
    return new URL(origin).host !== (host ?? new URL(url).host);
  } catch {
    return true;
  }
}
