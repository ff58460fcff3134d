import type { Bundle, BundleEntry, CarePlan, OperationOutcome, Patient } from '@medplum/fhirtypes';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore } from './test-fixture.js';
import type { TestStore } from './test-fixture.js';

const SYS = 'urn:oid:1.2.250.1.213.1.4.8';

function conditionalPut(value: string, family = 'Bernard'): BundleEntry {
  return {
    resource: { resourceType: 'Patient', identifier: [{ system: SYS, value }], name: [{ family }] },
    request: { method: 'PUT', url: `Patient?identifier=${SYS}|${value}` },
  };
}

function transaction(entry: BundleEntry[]): Bundle {
  return { resourceType: 'Bundle', type: 'transaction', entry };
}

describe('transactions', () => {
  let t: TestStore;
  beforeEach(() => {
    t = openTestStore();
  });
  afterEach(() => t.close());

  async function count(query: string): Promise<number> {
    return (await t.call<Bundle>('GET', `/Patient?${query}&_summary=count`)).body.total ?? -1;
  }

  it('rolls back every entry when the last one fails', async () => {
    const entries = [conditionalPut('1'), conditionalPut('2'), conditionalPut('3')];
    entries.push({ resource: { resourceType: 'Patient', gender: 'not-a-gender' } as unknown as Patient, request: { method: 'POST', url: 'Patient' } });
    const res = await t.call<OperationOutcome>('POST', '', transaction(entries));
    expect(res.status).toBe(400);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(res.body.issue.flatMap((i) => i.expression ?? [])).toContain('Bundle.entry[3].resource.gender');
    expect(await count(`identifier=${SYS}|1`)).toBe(0);
    expect(await count('')).toBe(0);
  });

  it('rolls back earlier writes when an If-Match fails late in the bundle', async () => {
    const created = await t.call<Patient>('POST', '/Patient', { resourceType: 'Patient', name: [{ family: 'Avant' }] });
    const id = created.body.id ?? '';
    const res = await t.call('POST', '', transaction([
      conditionalPut('10'),
      { resource: { resourceType: 'Patient', id, name: [{ family: 'Après' }] }, request: { method: 'PUT', url: `Patient/${id}`, ifMatch: 'W/"7"' } },
    ]));
    expect(res.status).toBe(412);
    expect(await count(`identifier=${SYS}|10`)).toBe(0);
    expect((await t.call<Patient>('GET', `/Patient/${id}`)).body.name?.[0]?.family).toBe('Avant');
  });

  it('applies a 20-entry conditional transaction, and replaying it changes nothing', async () => {
    const entries = Array.from({ length: 20 }, (_, i) => conditionalPut(String(100 + i)));
    const first = await t.call<Bundle>('POST', '', transaction(entries));
    expect(first.status).toBe(200);
    expect(first.body.type).toBe('transaction-response');
    expect(first.body.entry).toHaveLength(20);
    expect(first.body.entry?.every((e) => e.response?.status === '201')).toBe(true);
    expect(await count('')).toBe(20);

    const replay = await t.call<Bundle>('POST', '', transaction(entries));
    expect(replay.status).toBe(200);
    expect(replay.body.entry?.every((e) => e.response?.status === '200' && e.resource?.meta?.versionId === '1')).toBe(true);
    expect(replay.body.entry?.map((e) => e.resource?.id)).toEqual(first.body.entry?.map((e) => e.resource?.id));
    expect(await count('')).toBe(20);
  });

  it('resolves urn:uuid placeholders and conditional references', async () => {
    await t.call('PUT', `/Patient?identifier=${SYS}|500`, { resourceType: 'Patient', identifier: [{ system: SYS, value: '500' }] });
    const placeholder = 'urn:uuid:0f0e8a36-3b8e-4a34-9c1e-2f6f0d8a1b2c';
    const res = await t.call<Bundle>('POST', '', transaction([
      {
        resource: { resourceType: 'CarePlan', status: 'active', intent: 'plan', subject: { reference: `Patient?identifier=${SYS}|500` }, author: { reference: placeholder } },
        request: { method: 'POST', url: 'CarePlan' },
      },
      { fullUrl: placeholder, resource: { resourceType: 'Organization', name: 'DAC Sud' }, request: { method: 'POST', url: 'Organization' } },
    ]));
    expect(res.status).toBe(200);
    const plan = res.body.entry?.[0]?.resource as CarePlan;
    const org = res.body.entry?.[1]?.resource;
    expect(plan.author?.reference).toBe(`Organization/${org?.id ?? ''}`);
    const patient = (await t.call<Bundle>('GET', `/Patient?identifier=${SYS}|500`)).body.entry?.[0]?.resource;
    expect(plan.subject.reference).toBe(`Patient/${patient?.id ?? ''}`);
    expect(res.body.entry?.[0]?.response?.location).toMatch(/^CarePlan\/[^/]+\/_history\/1$/);
  });

  it('resolves a conditional reference to a resource created by the same transaction', async () => {
    const res = await t.call<Bundle>('POST', '', transaction([
      { resource: { resourceType: 'CarePlan', status: 'active', intent: 'plan', subject: { reference: `Patient?identifier=${SYS}|550` } }, request: { method: 'POST', url: 'CarePlan' } },
      conditionalPut('550'),
    ]));
    expect(res.status).toBe(200);
    const plan = res.body.entry?.[0]?.resource as CarePlan;
    expect(plan.subject.reference).toBe(`Patient/${res.body.entry?.[1]?.resource?.id ?? ''}`);
  });

  it('refuses a conditional reference that matches nothing, writing nothing', async () => {
    const res = await t.call<OperationOutcome>('POST', '', transaction([
      conditionalPut('600'),
      { resource: { resourceType: 'CarePlan', status: 'active', intent: 'plan', subject: { reference: `Patient?identifier=${SYS}|404` } }, request: { method: 'POST', url: 'CarePlan' } },
    ]));
    expect(res.status).toBe(400);
    expect(await count(`identifier=${SYS}|600`)).toBe(0);
  });

  it('answers a batch entry by entry', async () => {
    const res = await t.call<Bundle>('POST', '', {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [conditionalPut('700'), { resource: { resourceType: 'Patient', gender: 'x' }, request: { method: 'POST', url: 'Patient' } }, conditionalPut('701')],
    });
    expect(res.status).toBe(200);
    expect(res.body.entry?.map((e) => e.response?.status)).toEqual(['201', '400', '201']);
    expect(await count('')).toBe(2);
  });

  it('deletes and reads inside a transaction', async () => {
    const a = await t.call<Patient>('POST', '/Patient', { resourceType: 'Patient', identifier: [{ system: SYS, value: '800' }] });
    const res = await t.call<Bundle>('POST', '', transaction([
      { request: { method: 'DELETE', url: `Patient?identifier=${SYS}|800` } },
      { request: { method: 'GET', url: `Patient?identifier=${SYS}|800` } },
    ]));
    expect(res.status).toBe(200);
    expect(res.body.entry?.[0]?.response?.status).toBe('204');
    expect((res.body.entry?.[1]?.resource as Bundle).total).toBe(0);
    expect((await t.call('GET', `/Patient/${a.body.id ?? ''}`)).status).toBe(410);
  });
});
