import type { Bundle, OperationOutcome, Patient } from '@medplum/fhirtypes';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore, TEST_BASE } from './test-fixture.js';
import type { TestStore } from './test-fixture.js';

const INS = 'urn:oid:1.2.250.1.213.1.4.8';

function patient(value: string, family = 'Martin'): Patient {
  return { resourceType: 'Patient', identifier: [{ system: INS, value }], name: [{ family, given: ['Claire'] }], gender: 'female' };
}

describe('fhir store over HTTP', () => {
  let t: TestStore;
  beforeEach(() => {
    t = openTestStore();
  });
  afterEach(() => t.close());

  it('creates, reads, updates and deletes a resource with version headers', async () => {
    const created = await t.call<Patient>('POST', '/Patient', patient('1'));
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toContain('application/fhir+json');
    expect(created.body.meta?.versionId).toBe('1');
    expect(created.headers.get('etag')).toBe('W/"1"');
    expect(created.headers.get('location')).toBe(`${TEST_BASE}/Patient/${created.body.id}/_history/1`);
    expect(created.headers.get('last-modified')).toBe(new Date(created.body.meta?.lastUpdated ?? '').toUTCString());

    const id = created.body.id ?? '';
    const read = await t.call<Patient>('GET', `/Patient/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);

    const updated = await t.call<Patient>('PUT', `/Patient/${id}`, { ...read.body, gender: 'other' });
    expect(updated.status).toBe(200);
    expect(updated.body.meta?.versionId).toBe('2');
    expect(updated.body.gender).toBe('other');

    const deleted = await t.call('DELETE', `/Patient/${id}`);
    expect(deleted.status).toBe(200);
    expect((await t.call('GET', `/Patient/${id}`)).status).toBe(410);
    expect((await t.call('GET', '/Patient/never-existed')).status).toBe(404);
  });

  it('ignores a client id on POST and assigns its own', async () => {
    const created = await t.call<Patient>('POST', '/Patient', { ...patient('2'), id: 'chosen' });
    expect(created.status).toBe(201);
    expect(created.body.id).not.toBe('chosen');
  });

  it('creates with a client-chosen id through PUT', async () => {
    const res = await t.call<Patient>('PUT', '/Patient/pat-42', { ...patient('42'), id: 'pat-42' });
    expect(res.status).toBe(201);
    expect(res.body.meta?.versionId).toBe('1');
  });

  it('leaves the version unchanged when a PUT carries the same content', async () => {
    const created = await t.call<Patient>('POST', '/Patient', patient('3'));
    const id = created.body.id ?? '';
    const again = await t.call<Patient>('PUT', `/Patient/${id}`, { ...patient('3'), id });
    expect(again.status).toBe(200);
    expect(again.body.meta).toEqual(created.body.meta);
    const history = await t.call<Bundle>('GET', `/Patient/${id}/_history`);
    expect(history.body.total).toBe(1);
  });

  it('conditional update twice with the same content keeps one resource and one version', async () => {
    const first = await t.call<Patient>('PUT', `/Patient?identifier=${INS}|111`, patient('111'));
    expect(first.status).toBe(201);
    const second = await t.call<Patient>('PUT', `/Patient?identifier=${INS}|111`, patient('111'));
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    expect(second.body.meta?.versionId).toBe('1');
    const changed = await t.call<Patient>('PUT', `/Patient?identifier=${INS}|111`, patient('111', 'Durand'));
    expect(changed.body.id).toBe(first.body.id);
    expect(changed.body.meta?.versionId).toBe('2');
    const search = await t.call<Bundle>('GET', `/Patient?identifier=${INS}|111`);
    expect(search.body.total).toBe(1);
  });

  it('conditional create with If-None-Exist returns the existing resource', async () => {
    const first = await t.call<Patient>('POST', '/Patient', patient('222'), { 'if-none-exist': `identifier=${INS}|222` });
    expect(first.status).toBe(201);
    const second = await t.call<Patient>('POST', '/Patient', patient('222'), { 'if-none-exist': `identifier=${INS}|222` });
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    expect(second.body.meta?.versionId).toBe('1');
  });

  it('answers 412 to a PUT whose If-Match names a stale version', async () => {
    const created = await t.call<Patient>('POST', '/Patient', patient('4'));
    const id = created.body.id ?? '';
    const ok = await t.call<Patient>('PUT', `/Patient/${id}`, { ...created.body, gender: 'male' }, { 'if-match': 'W/"1"' });
    expect(ok.status).toBe(200);
    const stale = await t.call<OperationOutcome>('PUT', `/Patient/${id}`, { ...created.body, gender: 'other' }, { 'if-match': 'W/"1"' });
    expect(stale.status).toBe(412);
    expect(stale.body.resourceType).toBe('OperationOutcome');
    expect((await t.call<Patient>('GET', `/Patient/${id}`)).body.gender).toBe('male');
  });

  it('honours If-Match on PATCH and DELETE too', async () => {
    const created = await t.call<Patient>('POST', '/Patient', patient('9'));
    const id = created.body.id ?? '';
    const ops = [{ op: 'replace', path: '/gender', value: 'male' }];
    expect((await t.call('PATCH', `/Patient/${id}`, ops, { 'if-match': 'W/"2"' })).status).toBe(412);
    expect((await t.call('PATCH', `/Patient/${id}`, ops, { 'if-match': 'W/"1"' })).status).toBe(200);
    expect((await t.call('DELETE', `/Patient/${id}`, undefined, { 'if-match': 'W/"1"' })).status).toBe(412);
    expect((await t.call('DELETE', `/Patient/${id}`, undefined, { 'if-match': 'W/"2"' })).status).toBe(200);
  });

  it('refuses an invalid resource with a 400 naming the faulty path', async () => {
    const res = await t.call<OperationOutcome>('POST', '/Patient', { resourceType: 'Patient', gender: 'femme', birthDate: 'yesterday' });
    expect(res.status).toBe(400);
    const paths = res.body.issue.flatMap((i) => i.expression ?? []);
    expect(paths).toEqual(expect.arrayContaining(['Patient.gender', 'Patient.birthDate']));
    const unknownField = await t.call<OperationOutcome>('POST', '/Patient', { resourceType: 'Patient', nickname: 'x' });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.issue.flatMap((i) => i.expression ?? [])).toContain('Patient.nickname');
  });

  it('answers 400 with an OperationOutcome to a body that is not JSON', async () => {
    const res = await t.call<OperationOutcome>('POST', '/Patient', '{"resourceType": "Patient",');
    expect(res.status).toBe(400);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('answers 400 to a JSON body that is not an object', async () => {
    for (const body of ['null', '[]', '"Patient"', '42']) {
      const res = await t.call<OperationOutcome>('POST', '/Patient', body);
      expect(res.status, body).toBe(400);
      expect(res.body.resourceType).toBe('OperationOutcome');
    }
  });

  it('answers HEAD like GET', async () => {
    const created = await t.call<Patient>('POST', '/Patient', patient('8'));
    const res = await t.call('HEAD', `/Patient/${created.body.id ?? ''}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('W/"1"');
  });

  it('refuses an unknown resource type and an unknown search parameter', async () => {
    expect((await t.call('POST', '/Nonsense', { resourceType: 'Nonsense' })).status).toBe(400);
    const res = await t.call<OperationOutcome>('GET', '/Patient?favourite-colour=blue');
    expect(res.status).toBe(400);
    expect(res.body.issue[0]?.details?.text).toContain('favourite-colour');
  });

  it('honours Prefer: return=minimal and return=OperationOutcome', async () => {
    const minimal = await t.call('POST', '/Patient', patient('5'), { prefer: 'return=minimal' });
    expect(minimal.status).toBe(201);
    expect(minimal.body).toBeUndefined();
    expect(minimal.headers.get('location')).toMatch(/\/Patient\/[^/]+\/_history\/1$/);
    const outcome = await t.call<OperationOutcome>('POST', '/Patient', patient('6'), { prefer: 'return=OperationOutcome' });
    expect(outcome.body.resourceType).toBe('OperationOutcome');
  });

  it('applies a JSON Patch', async () => {
    const created = await t.call<Patient>('POST', '/Patient', patient('7'));
    const patched = await t.call<Patient>('PATCH', `/Patient/${created.body.id ?? ''}`, [{ op: 'replace', path: '/gender', value: 'male' }], { 'content-type': 'application/json-patch+json' });
    expect(patched.status).toBe(200);
    expect(patched.body.gender).toBe('male');
    expect(patched.body.meta?.versionId).toBe('2');
  });

  it('serves a CapabilityStatement at /metadata', async () => {
    const res = await t.call<{ resourceType: string; fhirVersion: string }>('GET', '/metadata');
    expect(res.status).toBe(200);
    expect(res.body.resourceType).toBe('CapabilityStatement');
    expect(res.body.fhirVersion).toBe('4.0.1');
  });
});
