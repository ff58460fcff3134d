import type { Bundle, BundleEntry, OperationOutcome, Patient, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, TEST_BASE } from './test-fixture.js';
import type { TestStore } from './test-fixture.js';

const SYS = 'urn:oid:1.2.250.1.213.1.4.8';

function ids(bundle: Bundle): string[] {
  return (bundle.entry ?? []).filter((e) => e.search?.mode !== 'include').map((e) => e.resource?.id ?? '');
}

function link(bundle: Bundle, relation: string): string | undefined {
  return bundle.link?.find((l) => l.relation === relation)?.url;
}

describe('search', () => {
  let t: TestStore;
  const patients: Patient[] = [];

  beforeAll(async () => {
    t = openTestStore();
    const families = ['Dupont', 'Durand', 'Dubois', 'Hélène', 'Martin'];
    const entry: BundleEntry[] = families.map((family, i) => ({
      resource: {
        resourceType: 'Patient',
        identifier: [{ system: SYS, value: `9${i}` }, { system: 'urn:local', value: `L${i}` }],
        name: [{ family, given: ['Anne'] }],
        gender: i % 2 === 0 ? 'female' : 'male',
        birthDate: `19${50 + i}-06-15`,
        managingOrganization: { reference: i < 3 ? 'Organization/dac-1' : 'Organization/dac-2' },
      },
      request: { method: 'POST', url: 'Patient' },
    }));
    const res = await t.call<Bundle>('POST', '', { resourceType: 'Bundle', type: 'transaction', entry });
    patients.push(...(res.body.entry ?? []).map((e) => e.resource as Patient));
  });
  afterAll(() => t.close());

  async function search(query: string): Promise<Bundle> {
    const res = await t.call<Bundle>('GET', `/Patient?${query}`);
    expect(res.status).toBe(200);
    return res.body;
  }

  it('finds by identifier system|value, by value alone, and not across systems', async () => {
    expect(ids(await search(`identifier=${SYS}|92`))).toEqual([patients[2]?.id]);
    expect(ids(await search('identifier=L3'))).toEqual([patients[3]?.id]);
    expect((await search('identifier=urn:local|92')).total).toBe(0);
    expect((await search(`identifier=${SYS}|`)).total).toBe(5);
  });

  it('finds by token, reference and their negation', async () => {
    expect((await search('gender=female')).total).toBe(3);
    expect((await search('gender:not=female')).total).toBe(2);
    expect((await search('organization=Organization/dac-2')).total).toBe(2);
    expect((await search('organization=dac-1')).total).toBe(3);
    expect((await search('organization=Organization/dac-1&gender=male')).total).toBe(1);
  });

  it('matches strings by case- and accent-insensitive prefix, :exact and :contains', async () => {
    expect((await search('family=du')).total).toBe(3);
    expect((await search('name=helene')).total).toBe(1);
    expect((await search('family:exact=Dupont')).total).toBe(1);
    expect((await search('family:exact=dupont')).total).toBe(0);
    expect((await search('family:contains=bo')).total).toBe(1);
  });

  it('compares dates with prefixes', async () => {
    expect((await search('birthdate=1952')).total).toBe(1);
    expect((await search('birthdate=ge1953-01-01')).total).toBe(2);
    expect((await search('birthdate=lt1951-06-15')).total).toBe(1);
    expect((await search('birthdate=le1951-06-15')).total).toBe(2);
    expect((await search('_lastUpdated=gt2000-01-01')).total).toBe(5);
    expect((await search('_lastUpdated=lt2000-01-01')).total).toBe(0);
  });

  it('finds by _id', async () => {
    expect(ids(await search(`_id=${patients[0]?.id ?? ''},${patients[4]?.id ?? ''}`)).sort()).toEqual([patients[0]?.id, patients[4]?.id].sort());
  });

  it('pages with absolute self/next/previous links that lead through every result once', async () => {
    const first = await search('_count=2&_sort=birthdate');
    expect(first.total).toBe(5);
    expect(link(first, 'self')?.startsWith(`${TEST_BASE}/Patient?`)).toBe(true);
    expect(link(first, 'previous')).toBeUndefined();
    const seen = [...ids(first)];
    let next = link(first, 'next');
    let pages = 1;
    while (next) {
      const res = await t.call<Bundle>('GET', next.slice(TEST_BASE.length));
      expect(link(res.body, 'previous')).toBeDefined();
      seen.push(...ids(res.body));
      next = link(res.body, 'next');
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(patients.map((p) => p.id));
  });

  it('sorts by a parameter and by _lastUpdated, both directions', async () => {
    const desc = ids(await search('_sort=-birthdate'));
    expect(desc).toEqual([...patients].reverse().map((p) => p.id));
    const byFamily = ids(await search('_sort=family'));
    expect(byFamily[0]).toBe(patients[2]?.id); // Dubois
    expect(ids(await search('_sort=_lastUpdated')).length).toBe(5);
  });

  it('answers _summary=count and _total=none', async () => {
    const count = await search('_summary=count');
    expect(count.total).toBe(5);
    expect(count.entry ?? []).toHaveLength(0);
    const none = await search('_total=none&_count=2');
    expect(none.total).toBeUndefined();
    expect(link(none, 'next')).toBeDefined();
  });

  it('includes referenced and referencing resources', async () => {
    await t.call('PUT', '/Organization/dac-1', { resourceType: 'Organization', id: 'dac-1', name: 'DAC 1' });
    const included = await search(`identifier=${SYS}|90&_include=Patient:organization`);
    const inc = (included.entry ?? []).filter((e) => e.search?.mode === 'include').map((e) => e.resource as Resource);
    expect(inc.map((r) => `${r.resourceType}/${r.id ?? ''}`)).toEqual(['Organization/dac-1']);
    const rev = await t.call<Bundle>('GET', '/Organization?_id=dac-1&_revinclude=Patient:organization');
    expect((rev.body.entry ?? []).filter((e) => e.search?.mode === 'include')).toHaveLength(3);
  });

  it('refuses what it cannot answer exactly with a 400', async () => {
    for (const query of ['unknown=1', 'general-practitioner.name=x', '_has:Observation:patient:code=1', 'identifier:text=x', 'birthdate=notadate']) {
      const res = await t.call<OperationOutcome>('GET', `/Patient?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.resourceType).toBe('OperationOutcome');
    }
  });

  it('does not find deleted resources', async () => {
    const created = await t.call<Patient>('POST', '/Patient', { resourceType: 'Patient', identifier: [{ system: SYS, value: 'gone' }] });
    await t.call('DELETE', `/Patient/${created.body.id ?? ''}`);
    expect((await search(`identifier=${SYS}|gone`)).total).toBe(0);
  });
});
