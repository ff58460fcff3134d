/**
 * HTTP request metrics: a counter and a duration histogram by method, route **pattern** and
 * status. The pattern (`/v1/messages/:id`), never the raw path: paths carry identifiers, which
 * would both leak into the metrics store and give every id its own time series.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { createMiddleware } from 'hono/factory';
import { matchedRoutes, routePath } from 'hono/route';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { AppEnv } from '../../http/app-env.js';

/** Label of requests no route answered (404 from `notFound`, or an error in a middleware). */
export const UNROUTED = 'unrouted';

/** Methods kept as labels; anything else is `OTHER`, so a client cannot mint label values. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Seconds. From fast reads to `PUT /v1/cases?wait=true`, which may wait (bounded) for a worker.
 */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const LABELS = ['method', 'route', 'status'] as const;

/**
 * Middleware recording every request that reaches it in `registry`
 * (`passerelle_http_requests_total`, `passerelle_http_request_duration_seconds`).
 * Register it once per registry (prom-client refuses a second metric of the same name).
 *
 * @example
 *   app.use('*', httpMetrics(registry));
 */
export function httpMetrics(registry: Registry) {
  const requests = new Counter({
    name: 'passerelle_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: LABELS,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'passerelle_http_request_duration_seconds',
    help: 'Time to answer an HTTP request (headers ready), by method, route pattern and status',
    labelNames: LABELS,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  return createMiddleware<AppEnv>(async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      // Hono turns handler errors into `c.res` (onError) before we get here; `finally` still
      // counts a request if something below escaped that.
      const labels = {
        method: KNOWN_METHODS.has(c.req.method) ? c.req.method : 'OTHER',
        route: answeringRoute(c),
        status: String(c.res.status),
      };
      requests.inc(labels);
      duration.observe(labels, (performance.now() - started) / 1000);
    }
  });
}

/**
 * The pattern of the handler that answered. After `next()`, Hono's route index points at the
 * last handler that ran: a route (`GET /v1/messages/:id`), or — when none matched — the last
 * middleware, which is registered for `ALL` methods (our routes never are).
 */
function answeringRoute(c: Parameters<typeof routePath>[0]): string {
  const route = matchedRoutes(c).at(c.req.routeIndex);
  if (!route || route.method === 'ALL') return UNROUTED;
  return routePath(c);
}

/** Installs `httpMetrics(registry)` on every path: as a `createApp` route module, put it first. */
export function registerHttpMetrics(app: OpenAPIHono<AppEnv>, deps: { registry: Registry }): void {
  app.use('*', httpMetrics(deps.registry));
}
