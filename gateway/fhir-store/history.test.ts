import type { Bundle, Patient } from '@medplum/fhirtypes';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore } from './test-fixture.js';
import type { TestStore } from './test-fixture.js';

describe('history', () => {
  let t: TestStore;
  beforeEach(() => {
    t = openTestStore();
  });
  afterEach(() => t.close());

  async function writeVersions(): Promise<string> {
    const created = await t.call<Patient>('POST', '/Patient', { resourceType: 'Patient', name: [{ family: 'V1' }] });
    const id = created.body.id ?? '';
    for (const family of ['V2', 'V3', 'V4']) await t.call('PUT', `/Patient/${id}`, { resourceType: 'Patient', id, name: [{ family }] });
    await t.call('DELETE', `/Patient/${id}`);
    return id;
  }

  it('lists versions newest first, the same way on every call, deletion included', async () => {
    const id = await writeVersions();
    const first = await t.call<Bundle<Patient>>('GET', `/Patient/${id}/_history`);
    expect(first.status).toBe(200);
    expect(first.body.total).toBe(5);
    const describe = (b: Bundle<Patient>): string[] => (b.entry ?? []).map((e) => `${e.request?.method ?? ''}:${e.response?.etag ?? ''}:${e.resource?.name?.[0]?.family ?? '-'}`);
    expect(describe(first.body)).toEqual(['DELETE:W/"5":-', 'PUT:W/"4":V4', 'PUT:W/"3":V3', 'PUT:W/"2":V2', 'POST:W/"1":V1']);
    for (let i = 0; i < 3; i++) {
      expect(describe((await t.call<Bundle<Patient>>('GET', `/Patient/${id}/_history`)).body)).toEqual(describe(first.body));
    }
  });

  it('pages the history', async () => {
    const id = await writeVersions();
    const page = await t.call<Bundle<Patient>>('GET', `/Patient/${id}/_history?_count=2&_offset=2`);
    expect(page.body.entry?.map((e) => e.response?.etag)).toEqual(['W/"3"', 'W/"2"']);
    expect(page.body.link?.map((l) => l.relation).sort()).toEqual(['next', 'previous', 'self']);
  });

  it('reads old versions, and answers 410 for the deletion', async () => {
    const id = await writeVersions();
    const v2 = await t.call<Patient>('GET', `/Patient/${id}/_history/2`);
    expect(v2.status).toBe(200);
    expect(v2.body.name?.[0]?.family).toBe('V2');
    expect(v2.body.meta?.versionId).toBe('2');
    expect((await t.call('GET', `/Patient/${id}/_history/5`)).status).toBe(410);
    expect((await t.call('GET', `/Patient/${id}/_history/9`)).status).toBe(404);
  });

  it('continues the version sequence when a deleted resource is written again', async () => {
    const id = await writeVersions();
    const again = await t.call<Patient>('PUT', `/Patient/${id}`, { resourceType: 'Patient', id, name: [{ family: 'V6' }] });
    expect(again.status).toBe(201);
    expect(again.body.meta?.versionId).toBe('6');
  });
});
