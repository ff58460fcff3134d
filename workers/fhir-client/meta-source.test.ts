/**
 * The `meta.source` stamp against the embedded store as a process: kept on every kind of write,
 * and a write repeated unchanged is still a no-op. Also the type-level history read page by page.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, CarePlan } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFhirStoreProcess } from '../../test/helpers/fhir-store-process.js';
import { FhirClient } from './client.js';

const SOURCE = 'https://passerelle.test/gateway';
const SYSTEM = `urn:uuid:${crypto.randomUUID()}`;

let dataDir: string;
let store: Awaited<ReturnType<typeof startFhirStoreProcess>>;
let stamped: FhirClient;
let plain: FhirClient;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'passerelle-meta-source-'));
  store = await startFhirStoreProcess({ dataDir });
  stamped = new FhirClient({ baseUrl: store.baseUrl, metaSource: SOURCE });
  plain = new FhirClient({ baseUrl: store.baseUrl });
});

afterAll(async () => {
  await stamped?.close();
  await plain?.close();
  await store?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function plan(value: string, title: string, source?: string): CarePlan {
  return {
    resourceType: 'CarePlan', status: 'active', intent: 'plan', title,
    identifier: [{ system: SYSTEM, value }], subject: { reference: 'Patient/p1' },
    ...(source ? { meta: { source } } : {}),
  };
}

describe('meta.source stamp', () => {
  it('is stored on creates, updates, conditional updates and transaction entries, replacing another source', async () => {
    const created = await stamped.create(plan('s1', 'v1', 'https://other.example/ehr'));
    expect(created.meta?.source).toBe(SOURCE);
    const updated = await stamped.update({ ...created, title: 'v2' });
    expect(updated.meta?.source).toBe(SOURCE);
    const conditional = await stamped.conditionalUpdate(plan('s2', 'v1'), { identifier: `${SYSTEM}|s2` });
    expect(conditional.resource.meta?.source).toBe(SOURCE);
    const response = await stamped.transaction({
      resourceType: 'Bundle', type: 'transaction',
      entry: [{ resource: plan('s3', 'v1'), request: { method: 'PUT', url: `CarePlan?identifier=${SYSTEM}|s3` } }],
    });
    const ref = response.entry?.[0]?.response?.location?.split('/_history')[0] ?? '';
    const [type, id] = ref.split('/');
    expect((await plain.read(type as 'CarePlan', id ?? '')).meta?.source).toBe(SOURCE);
  });

  it('keeps a write repeated unchanged a no-op (same versionId)', async () => {
    const first = await stamped.conditionalUpdate(plan('s4', 'same'), { identifier: `${SYSTEM}|s4` });
    const again = await stamped.conditionalUpdate(plan('s4', 'same'), { identifier: `${SYSTEM}|s4` });
    expect(again.resource.meta?.versionId).toBe(first.resource.meta?.versionId);
  });

  it('leaves resources as given when the client has no metaSource', async () => {
    const created = await plain.create(plan('s5', 'v1', 'https://other.example/ehr'));
    expect(created.meta?.source).toBe('https://other.example/ehr');
  });
});

describe('historyPages', () => {
  it('follows the next links of a type-level history to its end', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    for (let i = 0; i < 5; i++) await plain.create(plan(`h${i}`, 'paged'));
    const pages: Bundle[] = [];
    for await (const page of plain.historyPages('CarePlan', { _since: since, _count: 2 })) pages.push(page);
    const titles = pages.flatMap((p) => (p.entry ?? []).map((e) => (e.resource as CarePlan | undefined)?.title));
    expect(pages.length).toBeGreaterThan(2);
    expect(titles.filter((t) => t === 'paged')).toHaveLength(5);
  });
});
