/**
 * `/admin/queues`: the BullMQ dashboard (bull-board), for operators (SPEC §8).
 *
 * Admin-only, and never cached: jobs of the `cases` and `directory` queues carry the case
 * documents themselves (names, birth dates, INS — personal health data), and the dashboard shows
 * job data in full. Its static files (HTML template, JS, CSS) come from `@bull-board/ui` in
 * node_modules and are served behind the same guard.
 *
 * Browsers cannot add a Bearer header to page and script loads: until the edge accepts a
 * browser-friendly credential on `/admin` (see gateway/ops/README.md), the dashboard is reached
 * through a proxy that adds the header, or an SSH tunnel with one.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Queue } from 'bullmq';
import type { AppEnv } from '../../http/app-env.js';
import { noStore, requireAdmin, sameOriginWrites } from './admin-guard.js';
import { refusedDashboardAction } from './dashboard-policy.js';

/** Where the dashboard is mounted (SPEC §8). */
export const DASHBOARD_PATH = '/admin/queues';

export interface QueueDashboardDeps {
  /** The queues to show: `jobQueues.all()`. */
  queues: readonly Queue[];
}

/**
 * Mounts the dashboard at `/admin/queues` (UI, its static files and its JSON API).
 *
 * @example
 *   createApp({ ..., routes: [(a) => registerQueueDashboard(a, { queues: jobQueues.all() })] });
 */
export function registerQueueDashboard(app: OpenAPIHono<AppEnv>, deps: QueueDashboardDeps): void {
  const serverAdapter = new HonoAdapter(serveStatic).setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: deps.queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: false, allowRetries: true })),
    serverAdapter,
    options: {
      uiConfig: { boardTitle: 'Passerelle', hideDocsLink: true },
      handlerHooks: {
        before: ({ method, route }) => {
          const reason = refusedDashboardAction(method, route);
          return reason ? { allow: false, status: 403, message: reason } : { allow: true };
        },
      },
    },
  });
  // '/admin/queues/*' also matches '/admin/queues' itself.
  app.use(`${DASHBOARD_PATH}/*`, requireAdmin(), noStore(), sameOriginWrites());
  // The page's <base href> ends with '/', and operators type it either way.
  app.get(`${DASHBOARD_PATH}/`, (c) => c.redirect(DASHBOARD_PATH, 308));
  app.route(DASHBOARD_PATH, serverAdapter.registerPlugin());
}
