/**
 * Authenticates a SMART Backend Services client by its `private_key_jwt` assertion (SMART App
 * Launch 2, "Backend Services"): a JWT signed with a key the clients file registers for it
 * (`publicKeys`, or `jwksUrl` fetched and cached by jose), `iss` = `sub` = the client id, `aud` =
 * this token endpoint, `exp` at most five minutes ahead, and a `jti` never seen before.
 */
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { Client } from '../clients-file.js';
import { OAuthError } from './oauth-error.js';

/** Algorithms SMART requires servers to support (RS384, ES384), plus their 256-bit siblings. */
export const ASSERTION_ALGORITHMS = ['RS384', 'ES384', 'RS256', 'ES256'] as const;

/** Longest life of an assertion SMART allows: `exp` no more than five minutes after now. */
export const MAX_ASSERTION_LIFETIME_S = 300;

/** Clock difference tolerated between the client and us. */
const CLOCK_TOLERANCE_S = 30;

export interface AssertionVerifierDeps {
  /** The client named by `iss`, from the clients file. */
  clientById: (id: string) => Client | undefined;
  /**
   * Records `jti` for `ttlMs` and says whether it was new; a seen `jti` is a replay.
   * Must be shared by every gateway process (Redis `SET NX PX`).
   */
  rememberJti: (clientId: string, jti: string, ttlMs: number) => Promise<boolean>;
  now?: () => Date;
}

/** Verifies assertions; one remote key set per `jwksUrl`, kept for the process's life. */
export class AssertionVerifier {
  private readonly remoteKeySets = new Map<string, JWTVerifyGetKey>();
  private readonly localKeySets = new Map<string, JWTVerifyGetKey>();

  constructor(private readonly deps: AssertionVerifierDeps) {}

  /**
   * The client the assertion authenticates.
   * @throws OAuthError `invalid_client` naming what is wrong (never echoing the token).
   */
  async verify(assertion: string, tokenUrl: string): Promise<Client> {
    let claimedIssuer: unknown;
    try {
      claimedIssuer = decodeJwt(assertion).iss;
    } catch {
      throw new OAuthError('invalid_client', 'client_assertion is not a JWT');
    }
    const client = typeof claimedIssuer === 'string' ? this.deps.clientById(claimedIssuer) : undefined;
    if (!client) throw new OAuthError('invalid_client', 'client_assertion: iss names no registered client');
    const keys = this.keySetOf(client);
    if (!keys) throw new OAuthError('invalid_client', `client ${client.id} has no registered public key (publicKeys or jwksUrl)`);

    const now = this.deps.now?.() ?? new Date();
    let payload;
    try {
      ({ payload } = await jwtVerify(assertion, keys, {
        algorithms: [...ASSERTION_ALGORITHMS],
        issuer: client.id,
        subject: client.id,
        audience: tokenUrl,
        requiredClaims: ['exp', 'jti'],
        clockTolerance: CLOCK_TOLERANCE_S,
        currentDate: now,
      }));
    } catch (err) {
      throw new OAuthError('invalid_client', `client_assertion: ${describeJoseError(err)}`);
    }
    const nowS = Math.floor(now.getTime() / 1000);
    const exp = payload.exp ?? 0;
    if (exp > nowS + MAX_ASSERTION_LIFETIME_S + CLOCK_TOLERANCE_S) {
      throw new OAuthError('invalid_client', `client_assertion: exp is more than ${MAX_ASSERTION_LIFETIME_S} s ahead`);
    }
    const jti = String(payload.jti);
    if (jti.length > 256) throw new OAuthError('invalid_client', 'client_assertion: jti is longer than 256 characters');
    const ttlMs = (exp - nowS + CLOCK_TOLERANCE_S) * 1000;
    if (!(await this.deps.rememberJti(client.id, jti, Math.max(ttlMs, 1000)))) {
      throw new OAuthError('invalid_client', 'client_assertion: this jti was already used');
    }
    return client;
  }

  private keySetOf(client: Client): JWTVerifyGetKey | undefined {
    if (client.publicKeys && client.publicKeys.length > 0) {
      let set = this.localKeySets.get(client.id);
      if (!set) {
        set = createLocalJWKSet({ keys: client.publicKeys } as unknown as JSONWebKeySet);
        this.localKeySets.set(client.id, set);
      }
      return set;
    }
    if (client.jwksUrl) {
      let set = this.remoteKeySets.get(client.jwksUrl);
      if (!set) {
        set = createRemoteJWKSet(new URL(client.jwksUrl));
        this.remoteKeySets.set(client.jwksUrl, set);
      }
      return set;
    }
    return undefined;
  }
}

/** A verification failure in words fit for the client: which check failed, not the token. */
function describeJoseError(err: unknown): string {
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `claim ${err.claim} ${err.reason === 'check_failed' ? 'does not match' : err.reason.replaceAll('_', ' ')}`;
  if (err instanceof joseErrors.JWTExpired) return 'expired (exp is past)';
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return `alg must be one of ${ASSERTION_ALGORITHMS.join(', ')}`;
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'no registered key matches its kid and alg';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'signature does not verify with the registered key';
  if (err instanceof joseErrors.JWKSTimeout || err instanceof joseErrors.JOSEError && err.code === 'ERR_JWKS_INVALID') return 'the registered jwksUrl could not be read';
  if (err instanceof Error && 'code' in err) return String((err as { code: unknown }).code);
  return 'could not be verified';
}
