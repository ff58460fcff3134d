import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFhirStoreProcess } from '../../test/helpers/fhir-store-process.js';
import type { FhirStoreProcess } from '../../test/helpers/fhir-store-process.js';

const SYS = 'urn:oid:1.2.250.1.213.1.4.8';
const JSON_HEADERS = { 'content-type': 'application/fhir+json' };

async function put(baseUrl: string, value: string, family: string): Promise<Patient> {
  const res = await fetch(`${baseUrl}/Patient?identifier=${SYS}|${value}`, {
    method: 'PUT',
    headers: JSON_HEADERS,
    body: JSON.stringify({ resourceType: 'Patient', identifier: [{ system: SYS, value }], name: [{ family }] }),
  });
  expect(res.status).toBeLessThan(300);
  return (await res.json()) as Patient;
}

async function find(baseUrl: string, value: string): Promise<Patient[]> {
  const res = await fetch(`${baseUrl}/Patient?identifier=${SYS}|${value}`);
  const bundle = (await res.json()) as Bundle<Patient>;
  return (bundle.entry ?? []).map((e) => e.resource as Patient);
}

describe('fhir store process', () => {
  let dataDir: string;
  let running: FhirStoreProcess | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'fhir-store-int-'));
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps everything across a clean restart', { timeout: 90_000 }, async () => {
    running = await startFhirStoreProcess({ dataDir });
    const written = await put(running.baseUrl, '1', 'Avant');
    await put(running.baseUrl, '1', 'Après');
    // In the process, request headers are read from Node's own record: Prefer must still count.
    const minimal = await fetch(`${running.baseUrl}/Patient?identifier=${SYS}|2`, {
      method: 'PUT',
      headers: { ...JSON_HEADERS, prefer: 'return=minimal' },
      body: JSON.stringify({ resourceType: 'Patient', identifier: [{ system: SYS, value: '2' }] }),
    });
    expect(minimal.status).toBe(201);
    expect(minimal.headers.get('etag')).toBe('W/"1"');
    expect(await minimal.text()).toBe('');
    await running.stop();

    running = await startFhirStoreProcess({ dataDir });
    const [read] = await find(running.baseUrl, '1');
    expect(read?.id).toBe(written.id);
    expect(read?.name?.[0]?.family).toBe('Après');
    expect(read?.meta?.versionId).toBe('2');
    const history = (await (await fetch(`${running.baseUrl}/Patient/${written.id ?? ''}/_history`)).json()) as Bundle;
    expect(history.total).toBe(2);
  });

  it('keeps every answered write when killed with SIGKILL', { timeout: 90_000 }, async () => {
    running = await startFhirStoreProcess({ dataDir });
    const baseUrl = running.baseUrl;
    // Concurrent writes, so several share a group commit; every answered one must survive.
    const answered = await Promise.all(Array.from({ length: 40 }, (_, i) => put(baseUrl, `k${i}`, `Nom${i}`)));
    await running.kill('SIGKILL');

    running = await startFhirStoreProcess({ dataDir });
    for (const [i, patient] of answered.entries()) {
      const found = await find(running.baseUrl, `k${i}`);
      expect(found.map((p) => p.id)).toEqual([patient.id]);
    }
  });

  it('fails to start with the child stderr when the data dir is unusable', { timeout: 60_000 }, async () => {
    const file = join(dataDir, 'not-a-dir');
    await import('node:fs').then((fs) => fs.writeFileSync(file, 'x'));
    await expect(startFhirStoreProcess({ dataDir: file })).rejects.toThrow(/exited before it was ready[\s\S]*stderr/);
  });
});
