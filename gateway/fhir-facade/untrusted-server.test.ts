/**
 * The facade in front of a FHIR server that does not do what it is asked: it ignores `_tag`,
 * adds includes of its own, pages in ways the facade cannot follow, or fails. The server is
 * a real HTTP double (`scripted-fhir-server.ts`); nothing of another tenant, and nothing of
 * the server's URL, may reach the client.
 */
import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CODE_SYSTEM } from '../../profiles/canonical.js';
import { FhirClient } from '../../workers/fhir-client/index.js';
import { startScriptedFhirServer, type ScriptedServer } from '../../workers/fhir-client/testing/scripted-fhir-server.js';
import { createApp } from '../app.js';
import { ClientRegistry, sha256Hex } from '../auth/client-registry.js';
import { createLogger } from '../log.js';
import { registerFhirFacade } from './routes.js';

let server: ScriptedServer;
let fhir: FhirClient;
let app: ReturnType<typeof createApp>;

const tag = (tenant: string) => ({ meta: { tag: [{ system: CODE_SYSTEM.tenant, code: tenant }] } });
const plan = (id: string, tenant?: string): Resource => ({ resourceType: 'CarePlan', id, status: 'active', intent: 'plan', subject: { reference: 'Patient/p1' }, ...(tenant ? tag(tenant) : {}) });

beforeEach(async () => {
  server = await startScriptedFhirServer();
  fhir = new FhirClient({ baseUrl: server.baseUrl, retry: { attempts: 1 } });
  app = createApp({
    logger: createLogger('silent'),
    clients: new ClientRegistry([{ id: 'dac-doubs', name: 'DAC', tenant: 'doubs', apiKeySha256: sha256Hex('k'), scopes: ['fhir.read'], hl7Facilities: [] }]),
    bodyLimit: 1 << 20,
    checkReadiness: async () => ({}),
    routes: [(a) => registerFhirFacade(a, { fhir, publicBaseUrl: () => 'https://passerelle.example/fhir/' })],
  });
});

afterEach(async () => {
  await fhir.close();
  await server.close();
});

async function get(path: string): Promise<{ status: number; body: Bundle; outcome: OperationOutcome; text: string }> {
  const res = await app.request(path, { headers: { authorization: 'Bearer k' } });
  const text = await res.text();
  const parsed = JSON.parse(text) as unknown;
  return { status: res.status, body: parsed as Bundle, outcome: parsed as OperationOutcome, text };
}

describe('a server that ignores the tenant tag', () => {
  it('drops what is not the tenant\'s, leaves out its total, and resolves includes itself', async () => {
    server.script(
      {
        status: 200,
        body: {
          resourceType: 'Bundle', type: 'searchset', total: 4,
          link: [{ relation: 'next', url: 'http://internal.example:8080/fhir/CarePlan?_count=4&_offset=4&_tag=x' }],
          entry: [
            { resource: plan('a1', 'doubs'), search: { mode: 'match' } },
            { resource: plan('b1', 'jura'), search: { mode: 'match' } },
            { resource: plan('u1'), search: { mode: 'match' } },
            { resource: { resourceType: 'Patient', id: 'pb', ...tag('jura') }, search: { mode: 'include' } },
          ],
        },
      },
      // The include search: the server again ignores the tag.
      { status: 200, body: { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { resourceType: 'Patient', id: 'p1', ...tag('doubs') } }, { resource: { resourceType: 'Patient', id: 'p1x', ...tag('jura') } }] } },
    );
    const { status, body, text } = await get('/fhir/CarePlan?status=active&_include=CarePlan:subject');
    expect(status).toBe(200);
    expect(body.entry?.map((e) => [e.search?.mode, `${e.resource?.resourceType}/${e.resource?.id}`])).toEqual([['match', 'CarePlan/a1'], ['include', 'Patient/p1']]);
    expect(body.total).toBeUndefined();
    expect(text).not.toContain('internal.example');
    expect(body.link?.find((l) => l.relation === 'next')?.url).toMatch(/^https:\/\/passerelle\.example\/fhir\/CarePlan\?_page=/);
    expect(body.entry?.[0]?.fullUrl).toBe('https://passerelle.example/fhir/CarePlan/a1');

    const sent = new URL(server.requests[0]!.url, 'http://x').searchParams;
    expect(sent.getAll('_tag')).toEqual([`${CODE_SYSTEM.tenant}|doubs`]);
    expect(sent.has('_include')).toBe(false);
    const includeSearch = new URL(server.requests[1]!.url, 'http://x');
    expect(includeSearch.pathname).toBe('/fhir/Patient');
    expect(includeSearch.searchParams.get('_id')).toBe('p1');
    expect(includeSearch.searchParams.get('_tag')).toBe(`${CODE_SYSTEM.tenant}|doubs`);
  });

  it('answers 404 to a read of a resource of another tenant', async () => {
    server.script({ status: 200, body: plan('b1', 'jura') });
    const { status, outcome } = await get('/fhir/CarePlan/b1');
    expect(status).toBe(404);
    expect(outcome.resourceType).toBe('OperationOutcome');
  });
});

describe('server failures', () => {
  it('answers 502 rather than silently drop a next page it cannot follow', async () => {
    server.script({ status: 200, body: { resourceType: 'Bundle', type: 'searchset', link: [{ relation: 'next', url: 'http://hapi/fhir?_getpages=abc&_getpagesoffset=20' }], entry: [] } });
    const { status, outcome } = await get('/fhir/CarePlan?status=active');
    expect(status).toBe(502);
    expect(outcome.resourceType).toBe('OperationOutcome');
  });

  it('turns a server error into 502 and a server refusal into 400 with its reason', async () => {
    server.script({ status: 503 });
    expect((await get('/fhir/CarePlan/a1')).status).toBe(502);
    server.script({ status: 400, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', details: { text: 'Invalid date 2026-13' } }] } });
    const refused = await get('/fhir/CarePlan?date=2026-13');
    expect(refused.status).toBe(400);
    expect(refused.outcome.issue[0]?.details?.text).toBe('Invalid date 2026-13');
  });

  it('answers 404 for a deleted resource, as for an unknown one', async () => {
    server.script({ status: 410 }, { status: 404 });
    const gone = await get('/fhir/CarePlan/a1');
    const unknown = await get('/fhir/CarePlan/a2');
    expect([gone.status, unknown.status]).toEqual([404, 404]);
    expect(gone.outcome).toEqual(unknown.outcome);
  });
});
