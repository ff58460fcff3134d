/**
 * `KnownFacilities` against a scripted FHIR server (a real HTTP server standing for HAPI, which
 * checks references): the facility's conditional create is left out once answered, references
 * re-pointed, sent whole again when the server refuses or the knowledge is too old.
 */
import type { Bundle, Encounter } from '@medplum/fhirtypes';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FhirClient } from '../fhir-client/index.js';
import { startScriptedFhirServer, type ScriptedServer } from '../fhir-client/testing/scripted-fhir-server.js';
import { KNOWN_FACILITY_TTL_MS, KnownFacilities } from './hl7-inbound-facilities.js';

const ORG_URL = 'urn:uuid:00000000-0000-5000-8000-000000000001';
const ENC_URL = 'urn:uuid:00000000-0000-5000-8000-000000000002';

/** The shape of an ADT transaction: the facility, and a stay pointing at it. */
const adtBundle = (visit: string): Bundle => ({
  resourceType: 'Bundle',
  type: 'transaction',
  entry: [
    {
      fullUrl: ORG_URL,
      resource: { resourceType: 'Organization', identifier: [{ system: 'urn:x:facility', value: 'CH' }], name: 'CH' },
      request: { method: 'POST', url: 'Organization', ifNoneExist: 'identifier=urn:x:facility|CH' },
    },
    {
      fullUrl: ENC_URL,
      resource: { resourceType: 'Encounter', status: 'finished', class: { code: 'IMP' }, serviceProvider: { reference: ORG_URL } },
      request: { method: 'PUT', url: `Encounter?identifier=urn:x:visit|${visit}` },
    },
  ],
});

/** A transaction-response answering the entries sent, in order. */
function answer(locations: string[]): { status: number; body: Bundle } {
  return { status: 200, body: { resourceType: 'Bundle', type: 'transaction-response', entry: locations.map((location) => ({ response: { status: '200', location } })) } };
}

const sent = (server: ScriptedServer, i: number) => JSON.parse(server.requests[i]!.body) as Bundle;

let server: ScriptedServer;
let fhir: FhirClient;

beforeAll(async () => {
  server = await startScriptedFhirServer();
  fhir = new FhirClient({ baseUrl: server.baseUrl, retry: { attempts: 1 } });
});

afterEach(() => {
  server.requests.length = 0;
});

afterAll(async () => {
  await fhir.close();
  await server.close();
});

describe('KnownFacilities', () => {
  it('sends the facility once, then leaves it out and points the stay at the Organization the server answered', async () => {
    const facilities = new KnownFacilities();
    server.script(answer(['Organization/org1/_history/1', 'Encounter/e1/_history/1']), answer(['Encounter/e2/_history/1']));
    const first = await facilities.transaction(fhir, adtBundle('V1'));
    const second = await facilities.transaction(fhir, adtBundle('V2'));

    expect(sent(server, 0).entry).toHaveLength(2);
    const pruned = sent(server, 1).entry ?? [];
    expect(pruned.map((e) => e.resource?.resourceType)).toEqual(['Encounter']);
    expect((pruned[0]?.resource as Encounter).serviceProvider).toEqual({ reference: 'Organization/org1' });
    expect([first.written(ORG_URL), second.written(ORG_URL)]).toEqual(['Organization/org1', 'Organization/org1']);
    expect(second.written(ENC_URL)).toBe('Encounter/e2');
    expect(second.references).toEqual(['Organization/org1', 'Encounter/e2']);
  });

  it('sends the whole transaction again, and forgets, when the server refuses the one without the facility', async () => {
    const facilities = new KnownFacilities();
    server.script(
      answer(['Organization/org1/_history/1', 'Encounter/e1/_history/1']),
      { status: 400, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'processing', diagnostics: 'Organization/org1 not found' }] } },
      answer(['Organization/org9/_history/1', 'Encounter/e2/_history/1']),
    );
    await facilities.transaction(fhir, adtBundle('V1'));
    const retried = await facilities.transaction(fhir, adtBundle('V2'));
    expect(server.requests.map((r) => (JSON.parse(r.body) as Bundle).entry?.length)).toEqual([2, 1, 2]);
    expect(retried.written(ORG_URL)).toBe('Organization/org9');
  });

  it('does not hide a failure of the whole transaction', async () => {
    const facilities = new KnownFacilities();
    server.script({ status: 422, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid' }] } });
    await expect(facilities.transaction(fhir, adtBundle('V1'))).rejects.toThrow();
    expect(server.requests).toHaveLength(1);
  });

  it('trusts an answer for a bounded time only', async () => {
    let clock = 0;
    const facilities = new KnownFacilities(() => clock);
    server.script(answer(['Organization/org1/_history/1', 'Encounter/e1/_history/1']), answer(['Organization/org1/_history/1', 'Encounter/e2/_history/1']));
    await facilities.transaction(fhir, adtBundle('V1'));
    clock += KNOWN_FACILITY_TTL_MS;
    await facilities.transaction(fhir, adtBundle('V2'));
    expect(sent(server, 1).entry).toHaveLength(2);
  });
});
