/**
 * `GET /v1/me`: who the credential belongs to. Lets a vendor check its set-up before sending data.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/app-env.js';

const meRoute = createRoute({
  method: 'get',
  path: '/v1/me',
  tags: ['operations'],
  summary: 'The calling client, its tenant and scopes',
  responses: {
    200: {
      description: 'the authenticated client',
      content: { 'application/json': { schema: z.object({ clientId: z.string(), name: z.string(), tenant: z.string(), scopes: z.array(z.string()) }) } },
    },
  },
});

export function registerMeRoute(app: OpenAPIHono<AppEnv>): void {
  app.openapi(meRoute, (c) => {
    const client = c.get('client');
    return c.json({ clientId: client.id, name: client.name, tenant: client.tenant, scopes: client.scopes }, 200);
  });
}
