/**
 * The read-only web view in French (SPEC §1): `GET /ui/` and `GET /ui/patients/{id}` serve the
 * same page, whose script asks for the API key and calls `/v1` with it; the scripts and style
 * it loads live under `/ui/` too. These files hold no data, so they need no credential — but
 * the edge authenticates every path outside `PUBLIC_PATHS`, so `/ui/` must be public there
 * (see `isPublicWebPath`).
 *
 * @example
 *   registerWebRoutes(app); // then open http://127.0.0.1:8080/ui/
 */
import type { Context, Env, Hono } from 'hono';
import { PAGE, WEB_HEADERS, webAsset } from './assets.js';

/** Prefix of every web view path. */
export const WEB_PREFIX = '/ui/';

/** Whether a path belongs to the web view: static, credential-free files only. */
export function isPublicWebPath(path: string): boolean {
  return path === '/ui' || path.startsWith(WEB_PREFIX);
}

function serve(c: Context, name: string): Response {
  const asset = webAsset(name);
  if (!asset) return c.body('Not Found', 404, { ...WEB_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
  return c.body(asset.body, 200, { ...WEB_HEADERS, 'Content-Type': asset.contentType });
}

/**
 * Registers the web view on any Hono app (the gateway's, or a bare one in front of it).
 * Paths under `/ui/` that are neither a page nor a listed file answer 404.
 */
export function registerWebRoutes<E extends Env>(app: Hono<E>): void {
  app.get('/ui', (c) => c.redirect('/ui/', 301));
  app.get('/ui/', (c) => serve(c, PAGE));
  app.get('/ui/patients/:id', (c) => serve(c, PAGE));
  app.get('/ui/:file{[a-z-]+\\.(?:js|css)}', (c) => serve(c, c.req.param('file')));
}
