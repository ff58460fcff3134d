import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createQueueTestEnv, type QueueTestEnv } from '../../../workers/queue/test-env.js';
import { createApp } from '../../app.js';
import type { AppEnv } from '../../http/app-env.js';
import { createLogger } from '../../log.js';
import { registerMeRoute } from '../../routes/me.js';
import { ClientRegistry } from '../client-registry.js';
import type { Client } from '../clients-file.js';
import { AccessTokens } from './access-tokens.js';
import { AssertionVerifier } from './client-assertion.js';
import { registerSmartRoutes, TOKEN_PATH } from './token-route.js';

const ORIGIN = 'https://passerelle.example';
const TOKEN_URL = `${ORIGIN}${TOKEN_PATH}`;

interface KeyPair { privateKey: CryptoKey; publicJwk: JWK }

async function keyPair(alg: 'ES384' | 'RS384', kid: string): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg } };
}

/** A client assertion as a SMART backend client builds it; `overrides` break one rule at a time. */
async function assertion(key: KeyPair, alg: string, claims: { iss: string; sub?: string; aud?: string; jti?: string; expIn?: number }): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ jti: claims.jti ?? crypto.randomUUID() })
    .setProtectedHeader({ alg, kid: key.publicJwk.kid ?? '', typ: 'JWT' })
    .setIssuer(claims.iss)
    .setSubject(claims.sub ?? claims.iss)
    .setAudience(claims.aud ?? TOKEN_URL)
    .setExpirationTime(now + (claims.expIn ?? 240))
    .sign(key.privateKey);
}

function form(fields: Record<string, string>): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() };
}

function tokenRequest(clientAssertion: string, scope: string): RequestInit {
  return form({
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: clientAssertion,
    scope,
  });
}

describe('SMART Backend Services', () => {
  let ecKey: KeyPair;
  let rsaKey: KeyPair;
  let jwksServer: Server;
  let jwksUrl: string;
  let env: QueueTestEnv;
  let app: OpenAPIHono<AppEnv>;

  beforeAll(async () => {
    ecKey = await keyPair('ES384', 'ec-1');
    rsaKey = await keyPair('RS384', 'rsa-1');
    // The vendor's key set, published over HTTP as jwksUrl clients do.
    jwksServer = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [rsaKey.publicJwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(async () => {
    await new Promise((resolve) => jwksServer.close(resolve));
  });

  beforeEach(async () => {
    env = await createQueueTestEnv();
    const clients: Client[] = [
      { id: 'ehpad-tilleuls', name: 'EHPAD', tenant: 'doubs', publicKeys: [ecKey.publicJwk], scopes: ['system/*.rs', 'system/Task.u'], hl7Facilities: [] },
      { id: 'dpi-vendor', name: 'Vendor', tenant: 'jura', jwksUrl, scopes: ['fhir.read'], hl7Facilities: [] },
      { id: 'keyless', name: 'No key', tenant: 'doubs', scopes: ['fhir.read'], hl7Facilities: [] },
    ];
    const registry = new ClientRegistry(clients);
    const tokens = new AccessTokens(env.redis, env.prefix);
    const verifier = new AssertionVerifier({ clientById: (id) => registry.byClientId(id), rememberJti: (c, j, t) => tokens.rememberJti(c, j, t) });
    app = createApp({
      logger: createLogger('silent'),
      clients: registry,
      accessTokens: tokens,
      bodyLimit: 64 * 1024,
      checkReadiness: async () => ({}),
      routes: [registerMeRoute, (a) => registerSmartRoutes(a, { verifier, tokens, tokenUrl: () => TOKEN_URL })],
    });
  });
  afterEach(async () => {
    await env.cleanup();
  });

  const token = (init: RequestInit) => app.request(`${ORIGIN}${TOKEN_PATH}`, init);
  const me = (accessToken: string) => app.request(`${ORIGIN}/v1/me`, { headers: { authorization: `Bearer ${accessToken}` } });

  it('exchanges a signed assertion for a token that acts with the granted scopes only', async () => {
    const res = await token(tokenRequest(await assertion(ecKey, 'ES384', { iss: 'ehpad-tilleuls' }), 'system/CarePlan.rs system/Task.u system/Task.d'));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number; scope: string };
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 300, scope: 'system/CarePlan.rs system/Task.u' });

    const who = await me(body.access_token);
    expect(who.status).toBe(200);
    expect(await who.json()).toEqual({ clientId: 'ehpad-tilleuls', name: 'EHPAD', tenant: 'doubs', scopes: ['system/CarePlan.rs', 'system/Task.u'] });
    expect((await me(`${body.access_token}x`)).status).toBe(401);
  });

  it('verifies against a key set published at the client’s jwksUrl', async () => {
    const res = await token(tokenRequest(await assertion(rsaKey, 'RS384', { iss: 'dpi-vendor' }), 'fhir.read'));
    expect(res.status).toBe(200);
    const { access_token } = (await res.json()) as { access_token: string };
    expect(await (await me(access_token)).json()).toMatchObject({ clientId: 'dpi-vendor', tenant: 'jura', scopes: ['fhir.read'] });
  });

  it('refuses a replayed assertion: each jti is used once', async () => {
    const signed = await assertion(ecKey, 'ES384', { iss: 'ehpad-tilleuls', jti: 'once-only' });
    expect((await token(tokenRequest(signed, 'system/CarePlan.rs'))).status).toBe(200);
    const again = await token(tokenRequest(signed, 'system/CarePlan.rs'));
    expect(again.status).toBe(401);
    expect(await again.json()).toEqual({ error: 'invalid_client', error_description: 'client_assertion: this jti was already used' });
  });

  it.each([
    ['another audience', { iss: 'ehpad-tilleuls', aud: 'https://elsewhere.example/token' }, 'claim aud does not match'],
    ['sub other than iss', { iss: 'ehpad-tilleuls', sub: 'dpi-vendor' }, 'claim sub does not match'],
    ['an expired assertion', { iss: 'ehpad-tilleuls', expIn: -120 }, 'expired'],
    ['an assertion living more than five minutes', { iss: 'ehpad-tilleuls', expIn: 3600 }, 'more than 300 s ahead'],
    ['an unknown client', { iss: 'nobody' }, 'iss names no registered client'],
    ['a client without a registered key', { iss: 'keyless' }, 'no registered public key'],
  ])('answers invalid_client for %s', async (_case, claims, reason) => {
    const res = await token(tokenRequest(await assertion(ecKey, 'ES384', claims), 'system/CarePlan.rs'));
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: string; error_description: string };
    expect(body.error).toBe('invalid_client');
    expect(body.error_description).toContain(reason);
  });

  it('answers invalid_client when the signature is not the registered key’s', async () => {
    const impostor = await keyPair('ES384', 'ec-1'); // same kid, other key
    const res = await token(tokenRequest(await assertion(impostor, 'ES384', { iss: 'ehpad-tilleuls' }), 'system/CarePlan.rs'));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error_description: string }).error_description).toContain('signature');
  });

  it('names what is wrong in a malformed request', async () => {
    const signed = await assertion(ecKey, 'ES384', { iss: 'ehpad-tilleuls' });
    const cases: [RequestInit, number, string, string][] = [
      [form({ grant_type: 'password', client_assertion: signed, scope: 'fhir.read' }), 400, 'unsupported_grant_type', 'client_credentials'],
      [form({ grant_type: 'client_credentials', client_assertion: signed, scope: 'fhir.read' }), 400, 'invalid_request', 'client_assertion_type is missing'],
      [tokenRequest(signed, ''), 400, 'invalid_request', 'scope is missing'],
      [tokenRequest('not-a-jwt', 'fhir.read'), 401, 'invalid_client', 'not a JWT'],
      [{ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, 400, 'invalid_request', 'x-www-form-urlencoded'],
    ];
    for (const [init, status, error, description] of cases) {
      const res = await token(init);
      expect(res.status).toBe(status);
      const body = (await res.json()) as { error: string; error_description: string };
      expect(body.error).toBe(error);
      expect(body.error_description).toContain(description);
    }
  });

  it('answers invalid_scope when nothing asked for is allowed', async () => {
    const res = await token(tokenRequest(await assertion(ecKey, 'ES384', { iss: 'ehpad-tilleuls' }), 'system/CarePlan.u admin'));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_scope' });
  });

  it('publishes the SMART configuration without authentication', async () => {
    const res = await app.request(`${ORIGIN}/fhir/.well-known/smart-configuration`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      token_endpoint: TOKEN_URL,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      capabilities: ['client-confidential-asymmetric'],
    });
  });
});
