/**
 * During a Redis outage every queue, worker and event reader reports each failed reconnection.
 * One line per distinct message per minute is enough to see the outage without drowning the log.
 */
import type { Logger } from 'pino';

/** Window during which the same message from the same source is logged once. */
export const ERROR_LOG_WINDOW_MS = 60_000;

/** Returns an `error` listener that logs `{ ...context, err }` at most once per window per message. */
export function throttledErrorLog(
  logger: Logger | undefined,
  context: Record<string, string>,
  windowMs: number = ERROR_LOG_WINDOW_MS,
): (err: Error) => void {
  const lastLogged = new Map<string, number>();
  return (err: Error) => {
    const now = Date.now();
    const last = lastLogged.get(err.message);
    if (last !== undefined && now - last < windowMs) return;
    lastLogged.set(err.message, now);
    // Connection and Redis errors: they carry no job data.
    logger?.error({ ...context, err }, 'queue error');
  };
}
