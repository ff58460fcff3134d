/**
 * Access tokens of SMART Backend Services: opaque random strings, kept in Redis by their SHA-256
 * (a leaked Redis dump holds no usable token) with the client and the granted scopes, expiring on
 * their own. Any gateway process can check a token another issued; none is ever logged.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';

/** Life of an access token: SMART recommends no more than five minutes. */
export const ACCESS_TOKEN_TTL_S = 300;

const grantSchema = z.object({ clientId: z.string(), scopes: z.array(z.string()) });
export type TokenGrant = z.infer<typeof grantSchema>;

function digest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export class AccessTokens {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(token: string): string {
    return `${this.prefix}:smart:token:${digest(token)}`;
  }

  /** Issues a token for `grant`; answers it with its life in seconds. */
  async issue(grant: TokenGrant): Promise<{ token: string; expiresIn: number }> {
    const token = randomBytes(32).toString('base64url');
    await this.redis.set(this.key(token), JSON.stringify(grant), 'EX', ACCESS_TOKEN_TTL_S);
    return { token, expiresIn: ACCESS_TOKEN_TTL_S };
  }

  /** The grant of a live token, or undefined (unknown, expired, or not ours). */
  async lookup(token: string): Promise<TokenGrant | undefined> {
    if (token.length > 128) return undefined;
    const stored = await this.redis.get(this.key(token));
    if (stored === null) return undefined;
    const parsed = grantSchema.safeParse(JSON.parse(stored));
    return parsed.success ? parsed.data : undefined;
  }

  /** Records an assertion's `jti` until `ttlMs`; false when it was already there (a replay). */
  async rememberJti(clientId: string, jti: string, ttlMs: number): Promise<boolean> {
    const answer = await this.redis.set(`${this.prefix}:smart:jti:${digest(`${clientId}\n${jti}`)}`, '1', 'PX', Math.ceil(ttlMs), 'NX');
    return answer === 'OK';
  }
}
