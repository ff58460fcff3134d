/**
 * What operators may do in the queue dashboard. Retry, clean, promote, pause and resume are
 * theirs (SPEC §1: replay after a fix). Refused are the actions that lose accepted work or forge
 * it, which no fix needs and a slip of the mouse should not do: a `202` was already answered for
 * every queued job, and a job's data is a case document or a pointer written by the edge.
 */

/** bull-board API route (`METHOD pattern`) → why it is refused. */
export const REFUSED_DASHBOARD_ACTIONS: ReadonlyMap<string, string> = new Map([
  ['put /api/queues/:queueName/obliterate', 'obliterating a queue deletes every job, failed ones (dead letters) included'],
  ['put /api/queues/:queueName/empty', 'emptying a queue drops writes already accepted with 202'],
  ['post /api/queues/:queueName/add', 'jobs are created by the API only, validated and traced'],
  ['patch /api/queues/:queueName/:jobId/update-data', 'editing job data would bypass validation and leave no trace'],
]);

/** The reason `method route` is refused, or `undefined` when allowed. */
export function refusedDashboardAction(method: string, route: string): string | undefined {
  return REFUSED_DASHBOARD_ACTIONS.get(`${method.toLowerCase()} ${route}`);
}
