/**
 * Liveness and readiness. `/ready` answers 503 until Redis and the FHIR server both answer,
 * so an orchestrator sends no traffic to a gateway that could not store it.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/app-env.js';

export type ReadinessCheck = () => Promise<Record<string, boolean>>;

const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  tags: ['operations'],
  summary: 'Liveness: the process answers',
  responses: { 200: { description: 'alive', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } } },
});

const readySchema = z.object({ status: z.enum(['ready', 'not-ready']), checks: z.record(z.string(), z.boolean()) });
const readyRoute = createRoute({
  method: 'get',
  path: '/ready',
  tags: ['operations'],
  summary: 'Readiness: Redis and the FHIR server are reachable',
  responses: {
    200: { description: 'ready', content: { 'application/json': { schema: readySchema } } },
    503: { description: 'a dependency is unreachable', content: { 'application/json': { schema: readySchema } } },
  },
});

export function registerHealthRoutes(app: OpenAPIHono<AppEnv>, checkReadiness: ReadinessCheck): void {
  app.openapi(healthRoute, (c) => c.json({ status: 'ok' as const }, 200));
  app.openapi(readyRoute, async (c) => {
    const checks = await checkReadiness();
    const ready = Object.values(checks).every(Boolean);
    return ready ? c.json({ status: 'ready' as const, checks }, 200) : c.json({ status: 'not-ready' as const, checks }, 503);
  });
}
