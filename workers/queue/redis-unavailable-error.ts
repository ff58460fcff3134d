/**
 * Redis did not answer at start-up. Its message is one line meant for the person starting the
 * process: where we looked (password masked), why it failed, and what to do.
 */
export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';

  constructor(
    /** The URL with its password masked: safe to log. */
    readonly safeUrl: string,
    reason: string,
  ) {
    super(
      `Redis is not reachable at ${safeUrl} (${reason}) — start one with "redis-server --daemonize yes" or set REDIS_URL`,
    );
  }
}
