/**
 * Following `next` links against servers that page in odd ways (a real HTTP double). Paging
 * against the embedded store itself is in `client.store.int.test.ts`.
 */
import { OperationOutcomeError } from '@medplum/core';
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FhirClient } from './client.js';
import { statusOf } from './errors.js';
import { startScriptedFhirServer } from './testing/scripted-fhir-server.js';
import type { ScriptedServer } from './testing/scripted-fhir-server.js';

function page(ids: string[], links: Record<string, string>): { status: number; body: Bundle<Patient> } {
  return {
    status: 200,
    body: {
      resourceType: 'Bundle',
      type: 'searchset',
      link: Object.entries(links).map(([relation, url]) => ({ relation, url })),
      entry: ids.map((id) => ({ resource: { resourceType: 'Patient', id }, search: { mode: 'match' } })),
    },
  };
}

let server: ScriptedServer;
let fhir: FhirClient;

beforeEach(async () => {
  server = await startScriptedFhirServer();
  fhir = new FhirClient({ baseUrl: server.baseUrl, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
});

afterEach(async () => {
  await fhir.close();
  await server.close();
});

describe('searchAll', () => {
  it('collects every page in order, re-basing links a server gives under another host', async () => {
    server.script(
      page(['a', 'b'], { self: `${server.baseUrl}/Patient?_count=2`, next: `${server.baseUrl}/Patient?_count=2&_offset=2` }),
      // HAPI behind a proxy advertises its internal address; we keep talking to ours.
      page(['c', 'd'], { next: 'http://hapi.internal:8080/fhir?_getpages=abc&_getpagesoffset=4' }),
      page(['e'], {}),
    );
    const patients = await fhir.searchAll('Patient', { _count: 2 });
    expect(patients.map((p) => p.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(server.requests.map((r) => r.url)).toEqual([
      '/fhir/Patient?_count=2',
      '/fhir/Patient?_count=2&_offset=2',
      '/fhir?_getpages=abc&_getpagesoffset=4',
    ]);
  });

  it('stops with an error when a next link points back to a page already read', async () => {
    const first = `${server.baseUrl}/Patient?_count=1`;
    server.script(
      page(['a'], { next: `${server.baseUrl}/Patient?_count=1&page=2` }),
      page(['b'], { next: first }),
    );
    const err = await fhir.searchAll('Patient', { _count: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationOutcomeError);
    expect((err as OperationOutcomeError).message).toContain('already read');
    expect(statusOf(err)).toBe(502);
    expect(server.requests).toHaveLength(2);
  });

  it('stops when a page names itself as next', async () => {
    const self = `${server.baseUrl}/Patient?_count=1&_offset=1`;
    server.script(page(['a'], { next: self }), page(['b'], { self, next: self }));
    await expect(fhir.searchAll('Patient', { _count: 1 })).rejects.toThrow('already read');
    expect(server.requests).toHaveLength(2);
  });

  it('refuses a next link outside the server base', async () => {
    server.script(page(['a'], { next: 'http://elsewhere.example/other/Patient?page=2' }));
    await expect(fhir.searchAll('Patient')).rejects.toThrow('outside its base URL');
    expect(server.requests).toHaveLength(1);
  });

  it('stops after maxPages pages', async () => {
    server.script(
      page(['a'], { next: `${server.baseUrl}/Patient?p=2` }),
      page(['b'], { next: `${server.baseUrl}/Patient?p=3` }),
    );
    const err = await fhir.searchAll('Patient', {}, { maxPages: 2 }).catch((e: unknown) => e);
    expect((err as OperationOutcomeError).outcome.issue[0]?.code).toBe('too-costly');
    expect(server.requests).toHaveLength(2);
  });

  it('leaves included resources out of the matches', async () => {
    const body = page(['a'], {});
    body.body.entry?.push({ resource: { resourceType: 'Patient', id: 'inc' }, search: { mode: 'include' } });
    server.script(body);
    expect((await fhir.searchAll('Patient', { _include: 'Patient:link' })).map((p) => p.id)).toEqual(['a']);
  });
});

describe('searchPages', () => {
  it('streams pages one request at a time', async () => {
    server.script(page(['a'], { next: `${server.baseUrl}/Patient?p=2` }), page(['b'], {}));
    const pages = fhir.searchPages('Patient');
    const first = await pages.next();
    expect(first.done).toBe(false);
    expect(server.requests).toHaveLength(1);
    await pages.return(undefined);
    expect(server.requests).toHaveLength(1);
  });
});

describe('searchOne', () => {
  it('asks for a single entry and returns it, or undefined when nothing matches', async () => {
    server.script(page(['a'], {}), page([], {}));
    expect((await fhir.searchOne('Patient', { identifier: 'urn:x|1' }))?.id).toBe('a');
    expect(await fhir.searchOne('Patient', { identifier: 'urn:x|2' })).toBeUndefined();
    expect(server.requests[0]?.url).toBe('/fhir/Patient?identifier=urn%3Ax%7C1&_count=1');
  });
});
