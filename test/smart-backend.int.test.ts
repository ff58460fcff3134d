/**
 * SMART Backend Services end to end (SPEC §7): a backend client registered with a public key
 * gets an access token from the running gateway and reads `/fhir` with the scopes granted.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, CapabilityStatement } from '@medplum/fhirtypes';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from './helpers/gateway-process.js';

const PUBLIC_URL = 'https://passerelle.example';

describe('SMART Backend Services through the running gateway', () => {
  let gw: GatewayProcess;
  let dir: string;
  let privateKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES384', { extractable: true });
    privateKey = pair.privateKey;
    const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES384' };
    dir = await mkdtemp(join(tmpdir(), 'passerelle-smart-'));
    const clientsFile = join(dir, 'clients.json');
    await writeFile(clientsFile, JSON.stringify({
      clients: [{ id: 'ehpad-tilleuls', name: 'EHPAD Les Tilleuls', tenant: 'doubs', publicKeys: [publicJwk], scopes: ['system/CarePlan.rs'] }],
    }));
    gw = await startGatewayProcess({ env: { CLIENTS_FILE: clientsFile, PUBLIC_URL, LOG_LEVEL: 'warn' } });
  }, 90_000);
  afterAll(async () => {
    await gw?.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  async function accessToken(audience: string): Promise<Response> {
    const assertion = await new SignJWT({ jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: 'ES384', kid: 'k1' })
      .setIssuer('ehpad-tilleuls').setSubject('ehpad-tilleuls').setAudience(audience)
      .setExpirationTime(Math.floor(Date.now() / 1000) + 120)
      .sign(privateKey);
    return fetch(`${gw.httpUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
        scope: 'system/CarePlan.rs system/Task.rs',
      }),
    });
  }

  it('advertises its token endpoint at PUBLIC_URL in the CapabilityStatement', async () => {
    const statement = (await (await fetch(`${gw.httpUrl}/fhir/metadata`)).json()) as CapabilityStatement;
    const oauth = statement.rest?.[0]?.security?.extension?.[0]?.extension?.find((e) => e.url === 'token');
    expect(oauth?.valueUri).toBe(`${PUBLIC_URL}/oauth/token`);
  });

  it('issues a token for PUBLIC_URL/oauth/token that reads CarePlans and nothing more', async () => {
    expect((await accessToken(`${gw.httpUrl}/oauth/token`)).status).toBe(401); // aud must be the public URL
    const res = await accessToken(`${PUBLIC_URL}/oauth/token`);
    expect(res.status).toBe(200);
    const { access_token: token, scope } = (await res.json()) as { access_token: string; scope: string };
    expect(scope).toBe('system/CarePlan.rs');

    const auth = { authorization: `Bearer ${token}` };
    const plans = await fetch(`${gw.httpUrl}/fhir/CarePlan`, { headers: auth });
    expect(plans.status).toBe(200);
    const bundle = (await plans.json()) as Bundle;
    expect(bundle.type).toBe('searchset');
    expect(bundle.link?.find((l) => l.relation === 'self')?.url).toMatch(new RegExp(`^${PUBLIC_URL}/fhir/CarePlan`));
    expect((await fetch(`${gw.httpUrl}/fhir/Task`, { headers: auth })).status).toBe(403);
    expect((await fetch(`${gw.httpUrl}/fhir/CarePlan`, { headers: { authorization: 'Bearer forged' } })).status).toBe(401);
  });
});
