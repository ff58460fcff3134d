/**
 * The operator's surface (SPEC §1, §8): `/metrics`, the queue dashboard, failed jobs, and the
 * inbound message log with replay. Each feature is a `registerXxx(app, deps)` for `createApp`'s
 * `routes`; see README.md for the wiring.
 */
export { httpMetrics, registerHttpMetrics, UNROUTED } from './metrics/http-metrics.js';
export { registerQueueMetrics, QUEUE_STATES, QUEUE_SCRAPE_TIMEOUT_MS, type QueueSource } from './metrics/queue-metrics.js';
export { createMllpMetrics, type AckCode, type MllpMetrics } from './metrics/mllp-metrics.js';
export { registerMetricsRoute } from './metrics/metrics-route.js';
export { createOpsMetrics, type OpsMetrics, type OpsMetricsOptions } from './metrics/create-metrics.js';
export { ADMIN_SCOPE, requireAdmin, noStore, sameOriginWrites } from './admin/admin-guard.js';
export { registerQueueDashboard, DASHBOARD_PATH, type QueueDashboardDeps } from './admin/queue-dashboard.js';
export { REFUSED_DASHBOARD_ACTIONS } from './admin/dashboard-policy.js';
export { registerFailedJobRoutes, MAX_FAILED_PAGE, type FailedJobRoutesDeps } from './admin/failed-jobs-routes.js';
export { registerMessageRoutes, DEFAULT_MESSAGE_PAGE, type MessageRoutesDeps } from './messages/message-routes.js';
export { UNASSIGNED_TENANT, REPLAY_SCOPE, canRead, canReplay, visibleTenants } from './messages/message-access.js';
export { replayMessage, type ReplayFn, type ReplayResult, type SenderResolver } from './messages/replay-message.js';
