import type { Bundle, BundleEntry, OperationOutcome, Patient } from '@medplum/fhirtypes';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore } from './test-fixture.js';
import type { TestStore } from './test-fixture.js';

const SYS = 'urn:oid:1.2.250.1.213.1.4.8';

function put(value: string, family: string): BundleEntry {
  return {
    resource: { resourceType: 'Patient', identifier: [{ system: SYS, value }], name: [{ family }] },
    request: { method: 'PUT', url: `Patient?identifier=${SYS}|${value}` },
  };
}

function get(url: string): BundleEntry {
  return { request: { method: 'GET', url } };
}

function families(entry: BundleEntry | undefined): string[] {
  return ((entry?.resource as Bundle<Patient> | undefined)?.entry ?? []).map((e) => e.resource?.name?.[0]?.family ?? '');
}

describe('GET entries of batch and transaction Bundles', () => {
  let t: TestStore;
  beforeEach(() => {
    t = openTestStore();
  });
  afterEach(() => t.close());

  it("answers a batch's reads with the writes of its earlier entries, and each failing read on its own", async () => {
    await t.call('PUT', `/Patient?identifier=${SYS}|1`, put('1', 'Avant').resource);
    const res = await t.call<Bundle>('POST', '', {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [put('1', 'Après'), get(`Patient?identifier=${SYS}|1`), get('Patient?unknown-parameter=1'), get('Patient/absent'), put('2', 'Second'), get(`Patient?identifier=${SYS}|2`)],
    });
    expect(res.status).toBe(200);
    expect(res.body.entry?.map((e) => e.response?.status)).toEqual(['200', '200', '400', '404', '201', '200']);
    expect(families(res.body.entry?.[1])).toEqual(['Après']);
    expect(families(res.body.entry?.[5])).toEqual(['Second']);
    expect((res.body.entry?.[2]?.response?.outcome as OperationOutcome | undefined)?.issue?.length).toBeGreaterThan(0);
  });

  it("answers a transaction's reads with the transaction's own writes, and rolls back on a failing read", async () => {
    const done = await t.call<Bundle>('POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [get(`Patient?identifier=${SYS}|3`), put('3', 'Dedans')],
    });
    expect(done.status).toBe(200);
    // GET entries run last (FHIR order): the read sees the PUT of the same transaction.
    expect(families(done.body.entry?.[0])).toEqual(['Dedans']);

    const refused = await t.call<OperationOutcome>('POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [put('4', 'Jamais'), get('Patient?unknown-parameter=1')],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.issue.flatMap((i) => i.expression ?? [])).toEqual([expect.stringMatching(/^Bundle\.entry\[1\]/)]);
    expect((await t.call<Bundle>('GET', `/Patient?identifier=${SYS}|4`)).body.entry ?? []).toEqual([]);
  });

  it('answers concurrent batches of reads while writes are in flight, each read seeing a committed state', async () => {
    await Promise.all(Array.from({ length: 10 }, (_, i) => t.call('PUT', `/Patient?identifier=${SYS}|${100 + i}`, put(String(100 + i), 'Initial').resource)));
    const writes = Array.from({ length: 10 }, (_, i) => t.call('PUT', `/Patient?identifier=${SYS}|${100 + i}`, put(String(100 + i), 'Changed').resource));
    const reads = Array.from({ length: 10 }, (_, i) =>
      t.call<Bundle>('POST', '', { resourceType: 'Bundle', type: 'batch', entry: [get(`Patient?identifier=${SYS}|${100 + i}`), get(`Patient?identifier=${SYS}|${100 + ((i + 1) % 10)}`)] }),
    );
    const [written, answered] = await Promise.all([Promise.all(writes), Promise.all(reads)]);
    expect(written.map((w) => w.status)).toEqual(Array.from({ length: 10 }, () => 200));
    for (const batch of answered) {
      expect(batch.body.entry?.map((e) => e.response?.status)).toEqual(['200', '200']);
      for (const entry of batch.body.entry ?? []) expect(['Initial', 'Changed']).toContain(families(entry)[0]);
    }
    const after = await t.call<Bundle>('POST', '', { resourceType: 'Bundle', type: 'batch', entry: [get(`Patient?identifier=${SYS}|105`)] });
    expect(families(after.body.entry?.[0])).toEqual(['Changed']);
  });
});
