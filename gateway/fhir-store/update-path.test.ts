/**
 * The update hot path: conditional updates answer as Medplum's did (ids-only lookup), and an
 * update rewrites only the index rows of the parameters whose properties changed — while the
 * index always ends up exactly as a full re-extraction would make it.
 */
import type { Bundle, OperationOutcome, Patient, Resource } from '@medplum/fhirtypes';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { changedProperties } from './engine.js';
import { extractIndexRows } from './search-params.js';
import { openTestStore } from './test-fixture.js';
import type { TestStore } from './test-fixture.js';

const INS = 'urn:oid:1.2.250.1.213.1.4.8';

function patient(value: string, changes: Partial<Patient> = {}): Patient {
  return {
    resourceType: 'Patient',
    identifier: [{ system: INS, value }],
    name: [{ family: 'Martin', given: ['Claire'] }],
    gender: 'female',
    telecom: [{ system: 'phone', value: '0600000001' }],
    ...changes,
  };
}

describe('conditional update', () => {
  let t: TestStore;
  beforeEach(() => {
    t = openTestStore();
  });
  afterEach(() => t.close());

  it('creates when nothing matches, updates the one match, and keeps its id', async () => {
    const first = await t.call<Patient>('PUT', `/Patient?identifier=${INS}|1`, patient('1'));
    expect(first.status).toBe(201);
    const second = await t.call<Patient>('PUT', `/Patient?identifier=${INS}|1`, patient('1', { gender: 'male' }));
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    expect(second.body.meta?.versionId).toBe('2');
    expect(second.body.gender).toBe('male');
  });

  it('answers 412 when several resources match, and writes nothing', async () => {
    await t.call('POST', '/Patient', patient('dup'));
    await t.call('POST', '/Patient', patient('dup'));
    const res = await t.call<OperationOutcome>('PUT', `/Patient?identifier=${INS}|dup`, patient('dup', { gender: 'male' }));
    expect(res.status).toBe(412);
    expect(res.body.issue?.[0]?.code).toBe('multiple-matches');
    const males = await t.call<Bundle>('GET', '/Patient?gender=male');
    expect(males.body.total).toBe(0);
  });

  it('answers 400 naming the id when the body id is not the matched one, or would create with a client id', async () => {
    await t.call('PUT', `/Patient?identifier=${INS}|2`, patient('2'));
    const mismatch = await t.call<OperationOutcome>('PUT', `/Patient?identifier=${INS}|2`, { ...patient('2'), id: 'other' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.issue?.[0]?.expression).toEqual(['Patient.id']);
    const clientId = await t.call<OperationOutcome>('PUT', `/Patient?identifier=${INS}|3`, { ...patient('3'), id: 'mine' });
    expect(clientId.status).toBe(400);
    expect(clientId.body.issue?.[0]?.expression).toEqual(['Patient.id']);
  });

  it('answers 400 to an unknown search parameter, a body of another type and no body', async () => {
    expect((await t.call('PUT', '/Patient?unknown=1', patient('4'))).status).toBe(400);
    expect((await t.call('PUT', `/Patient?identifier=${INS}|4`)).status).toBe(400);
    expect((await t.call('PUT', `/Patient?identifier=${INS}|4`, { resourceType: 'Organization', name: 'x' })).status).toBe(400);
  });

  it('still refuses invalid content with a 400 naming the path', async () => {
    await t.call('PUT', `/Patient?identifier=${INS}|5`, patient('5'));
    const res = await t.call<OperationOutcome>('PUT', `/Patient?identifier=${INS}|5`, patient('5', { gender: 'femme' as Patient['gender'] }));
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.issue)).toContain('Patient.gender');
  });
});

describe('index rows after updates', () => {
  let t: TestStore;
  beforeEach(() => {
    t = openTestStore();
  });
  afterEach(() => t.close());

  const total = async (query: string): Promise<number | undefined> => (await t.call<Bundle>('GET', `/Patient?${query}`)).body.total;

  it('follow the properties that changed and keep the others', async () => {
    await t.call('PUT', `/Patient?identifier=${INS}|10`, patient('10'));
    await t.call('PUT', `/Patient?identifier=${INS}|10`, patient('10', { telecom: [{ system: 'phone', value: '0699999999' }] }));
    expect(await total('phone=0699999999')).toBe(1);
    expect(await total('phone=0600000001')).toBe(0);
    expect(await total('family=martin')).toBe(1);
    expect(await total(`identifier=${INS}|10`)).toBe(1);
    // `deceased` is read through FHIRPath (no compiled extractor): recomputed on every update.
    await t.call('PUT', `/Patient?identifier=${INS}|10`, patient('10', { deceasedBoolean: true }));
    expect(await total('deceased=true')).toBe(1);
    await t.call('PUT', `/Patient?identifier=${INS}|10`, patient('10', { deceasedBoolean: false, name: [{ family: 'Durand' }] }));
    expect(await total('deceased=true')).toBe(0);
    expect(await total('family=martin')).toBe(0);
    expect(await total('family=durand')).toBe(1);
    // Meta tags are indexed too; a new version's versionId alone changes none of them.
    await t.call('PUT', `/Patient?identifier=${INS}|10`, patient('10', { meta: { tag: [{ system: 'urn:t', code: 'a' }] } }));
    expect(await total('_tag=urn:t|a')).toBe(1);
    await t.call('PUT', `/Patient?identifier=${INS}|10`, patient('10', { meta: { tag: [{ system: 'urn:t', code: 'b' }] } }));
    expect(await total('_tag=urn:t|a')).toBe(0);
    expect(await total('_tag=urn:t|b')).toBe(1);
  });

  it('equal a full re-extraction of each current version after many partial updates', async () => {
    const variants: Partial<Patient>[] = [
      { telecom: [{ system: 'email', value: 'a@b.fr' }] },
      { name: [{ family: 'Lefèvre', given: ['Zoé'] }], gender: 'male' },
      { address: [{ city: 'Lyon', postalCode: '69001' }] },
      { birthDate: '1950-02-03', deceasedDateTime: '2020-01-01' },
      { managingOrganization: { reference: 'Organization/o1' }, generalPractitioner: [{ reference: 'Practitioner/p1' }] },
      { managingOrganization: { identifier: { system: 'urn:org', value: 'O2' } } },
      {},
    ];
    for (let round = 0; round < 3 * variants.length; round++) {
      for (let i = 0; i < 4; i++) {
        const changes = variants[(round + i) % variants.length] ?? {};
        const res = await t.call('PUT', `/Patient?identifier=${INS}|${i}`, patient(String(i), changes));
        expect(res.status).toBeLessThan(300);
      }
    }
    await t.store.close();
    const db = openDatabase(t.dataDir);
    try {
      const current = db.prepare('SELECT r.rid, v.content FROM res r JOIN ver v ON v.vrow = r.vrow').all() as { rid: number; content: string }[];
      expect(current).toHaveLength(4);
      for (const { rid, content } of current) {
        const key = (r: { code: string; a: string; b: string }): string => `${r.code}|${r.a}|${r.b}`;
        const stored = (db.prepare('SELECT code, a, b FROM idx WHERE rid = ?').all(rid) as { code: string; a: string; b: string }[]).map(key).sort();
        expect(stored).toEqual(extractIndexRows(JSON.parse(content) as Resource).map(key).sort());
      }
    } finally {
      db.close();
    }
  });
});

describe('changedProperties', () => {
  it('names the top-level properties that differ, store-managed meta and empty values aside', () => {
    const a: Patient = { resourceType: 'Patient', id: 'x', meta: { versionId: '3', lastUpdated: '2026-01-01T00:00:00Z' }, gender: 'male', name: [{ family: 'A' }] };
    expect([...changedProperties(a, { resourceType: 'Patient', id: 'x', gender: 'male', name: [{ family: 'A' }], telecom: [] })]).toEqual([]);
    expect([...changedProperties(a, { resourceType: 'Patient', id: 'x', gender: 'female', name: [{ family: 'A' }] })]).toEqual(['gender']);
    expect([...changedProperties(a, { resourceType: 'Patient', id: 'x', meta: { tag: [{ code: 't' }] }, gender: 'male' })].sort()).toEqual(['meta', 'name']);
  });
});
