/**
 * A Lua script run with EVALSHA, falling back to EVAL once when Redis does not know it yet
 * (first call, or after a restart / SCRIPT FLUSH). Replies come back as Buffers, because some
 * of ours carry payload bytes that must not go through UTF-8 decoding.
 *
 * We do not use ioredis `defineCommand`: it adds methods to the shared connection object
 * (which other modules also use), and its generated methods are untyped.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script atomically; bulk replies are Buffers, integer replies numbers. */
  async run(redis: Redis, keys: readonly string[], args: readonly (string | Buffer | number)[]): Promise<unknown> {
    const tail = [keys.length, ...keys, ...args];
    try {
      return await redis.callBuffer('EVALSHA', [this.sha, ...tail]);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) {
        throw error;
      }
      return await redis.callBuffer('EVAL', [this.source, ...tail]);
    }
  }
}
