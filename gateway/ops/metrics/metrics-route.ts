/**
 * `GET /metrics` (SPEC §8), Prometheus text format, `admin` scope only (SPEC §7): queue depths and
 * route names are operational details, not for every API client.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Registry } from 'prom-client';
import { requireScope } from '../../auth/authenticate.js';
import type { AppEnv } from '../../http/app-env.js';

const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['operations'],
  summary: 'Prometheus metrics (admin scope)',
  middleware: [requireScope('admin')] as const,
  responses: {
    200: { description: 'metrics in the Prometheus text format', content: { 'text/plain': { schema: z.string() } } },
    401: { description: 'no or unknown credential' },
    403: { description: 'the client lacks the admin scope' },
  },
});

/** Serves `registry` at `GET /metrics`. */
export function registerMetricsRoute(app: OpenAPIHono<AppEnv>, deps: { registry: Registry }): void {
  app.openapi(metricsRoute, async (c) => {
    const text = await deps.registry.metrics();
    return c.body(text, 200, { 'content-type': deps.registry.contentType, 'cache-control': 'no-store' });
  });
}
