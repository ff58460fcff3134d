import type { Bundle, CapabilityStatement, CarePlan, OperationOutcome } from '@medplum/fhirtypes';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore, TEST_BASE } from './test-fixture.js';
import type { TestStore } from './test-fixture.js';

const plan = (title: string): CarePlan => ({ resourceType: 'CarePlan', status: 'active', intent: 'plan', title, subject: { reference: 'Patient/p1' } });

/** `Type/id@version` of each entry, in the order given. */
const versions = (b: Bundle): string[] => (b.entry ?? []).map((e) => `${e.request?.url ?? ''}@${e.response?.etag ?? ''}`);

/** The path and query of a link, relative to the store's base. */
const relative = (url: string | undefined): string => (url ?? '').slice(TEST_BASE.length);

describe('type-level history', () => {
  let t: TestStore;
  beforeEach(() => {
    t = openTestStore();
  });
  afterEach(() => t.close());

  async function create(title: string): Promise<string> {
    const created = await t.call<CarePlan>('POST', '/CarePlan', plan(title));
    return created.body.id ?? '';
  }

  it('lists every version of every resource of the type, newest first, deletions included, no other type', async () => {
    const a = await create('A1');
    const b = await create('B1');
    await t.call('PUT', `/CarePlan/${a}`, { ...plan('A2'), id: a });
    await t.call('POST', '/Patient', { resourceType: 'Patient' });
    await t.call('DELETE', `/CarePlan/${b}`);
    const answer = await t.call<Bundle<CarePlan>>('GET', '/CarePlan/_history');
    expect(answer.status).toBe(200);
    expect(answer.body.type).toBe('history');
    expect(versions(answer.body)).toEqual([`CarePlan/${b}@W/"2"`, `CarePlan/${a}@W/"2"`, `CarePlan/${b}@W/"1"`, `CarePlan/${a}@W/"1"`]);
    expect(answer.body.entry?.map((e) => e.request?.method)).toEqual(['DELETE', 'PUT', 'POST', 'POST']);
    expect(answer.body.entry?.[1]?.resource?.title).toBe('A2');
  });

  it('keeps only versions written at or after _since', async () => {
    const a = await create('A1');
    const first = await t.call<CarePlan>('GET', `/CarePlan/${a}`);
    const since = first.body.meta?.lastUpdated ?? '';
    await new Promise((resolve) => setTimeout(resolve, 5));
    const later = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const b = await create('B1');
    await t.call('PUT', `/CarePlan/${a}`, { ...plan('A2'), id: a });

    const fromFirst = await t.call<Bundle>('GET', `/CarePlan/_history?_since=${encodeURIComponent(since)}`);
    expect(versions(fromFirst.body)).toEqual([`CarePlan/${a}@W/"2"`, `CarePlan/${b}@W/"1"`, `CarePlan/${a}@W/"1"`]);
    const fromLater = await t.call<Bundle>('GET', `/CarePlan/_history?_since=${encodeURIComponent(later)}`);
    expect(versions(fromLater.body)).toEqual([`CarePlan/${a}@W/"2"`, `CarePlan/${b}@W/"1"`]);
  });

  it('pages with next links that neither skip nor repeat a version written meanwhile', async () => {
    for (let i = 1; i <= 5; i++) await create(`P${i}`);
    const all = versions((await t.call<Bundle>('GET', '/CarePlan/_history')).body);
    const first = await t.call<Bundle>('GET', '/CarePlan/_history?_count=2');
    const seen = versions(first.body);
    expect(seen).toEqual(all.slice(0, 2));
    await create('written while paging');
    let next = first.body.link?.find((l) => l.relation === 'next')?.url;
    while (next) {
      const page = await t.call<Bundle>('GET', relative(next));
      expect(page.status).toBe(200);
      seen.push(...versions(page.body));
      next = page.body.link?.find((l) => l.relation === 'next')?.url;
    }
    expect(seen).toEqual(all);
  });

  it('refuses an unknown parameter or a malformed _since, naming it', async () => {
    const unknown = await t.call<OperationOutcome>('GET', '/CarePlan/_history?status=active');
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('status');
    const badSince = await t.call<OperationOutcome>('GET', '/CarePlan/_history?_since=yesterday');
    expect(badSince.status).toBe(400);
    expect(JSON.stringify(badSince.body)).toContain('_since');
  });

  it('is announced in the CapabilityStatement', async () => {
    const metadata = await t.call<CapabilityStatement>('GET', '/metadata');
    const carePlan = metadata.body.rest?.[0]?.resource?.find((r) => r.type === 'CarePlan');
    expect(carePlan?.interaction?.map((i) => i.code)).toContain('history-type');
  });
});
