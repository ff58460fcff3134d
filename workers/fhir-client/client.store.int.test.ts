/**
 * The client against a real FHIR R4 server: our embedded store, spawned as its own process
 * and reached over HTTP, as workers reach HAPI or Medplum in production.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OperationOutcomeError } from '@medplum/core';
import type { Bundle, CarePlan, Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFhirStoreProcess } from '../../test/helpers/fhir-store-process.js';
import { failedEntries } from './bundle.js';
import { FhirClient } from './client.js';
import { isTransient, statusOf } from './errors.js';
import { identifierQuery } from './request-path.js';
import type { FhirClientLogger } from './transport.js';

type StoreProcess = Awaited<ReturnType<typeof startFhirStoreProcess>>;

/** A system unique to this run, so searches only see what this file wrote. */
const SYSTEM = `urn:uuid:${crypto.randomUUID()}`;

let dataDir: string;
let store: StoreProcess;
let fhir: FhirClient;
const retries: object[] = [];
const logger: FhirClientLogger = { debug: () => undefined, warn: (obj) => void retries.push(obj) };

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'passerelle-fhir-client-'));
  store = await startFhirStoreProcess({ dataDir });
  fhir = new FhirClient({ baseUrl: store.baseUrl, logger });
});

afterAll(async () => {
  await fhir?.close();
  await store?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function patient(value: string, extra: Partial<Patient> = {}): Patient {
  return { resourceType: 'Patient', identifier: [{ system: SYSTEM, value }], name: [{ family: 'Bernard' }], ...extra };
}

async function rejection(promise: Promise<unknown>): Promise<OperationOutcomeError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof OperationOutcomeError)) throw new Error(`expected an OperationOutcomeError, got ${String(err)}`);
  return err;
}

describe('FhirClient against the embedded store', () => {
  it('reads the CapabilityStatement', async () => {
    const capabilities = await fhir.capabilities();
    expect(capabilities.fhirVersion).toBe('4.0.1');
  });

  it('creates, reads, updates with If-Match and reads an old version', async () => {
    const created = await fhir.create(patient('crud-1'));
    expect(created.id).toBeTruthy();
    expect(created.meta?.versionId).toBeTruthy();

    const updated = await fhir.update({ ...created, active: true }, { ifMatch: created.meta?.versionId ?? '' });
    expect(updated.meta?.versionId).not.toBe(created.meta?.versionId);
    expect((await fhir.read('Patient', created.id)).meta?.versionId).toBe(updated.meta?.versionId);
    expect((await fhir.vread('Patient', created.id, created.meta?.versionId ?? '')).active).toBeUndefined();

    const history = await fhir.history('Patient', created.id);
    expect(history.entry).toHaveLength(2);
  });

  it('surfaces a stale If-Match as 412 at once, without retrying', async () => {
    const created = await fhir.create(patient('stale-1'));
    await fhir.update({ ...created, active: true });
    const before = retries.length;
    const err = await rejection(fhir.update({ ...created, active: false }, { ifMatch: created.meta?.versionId ?? '' }));
    expect(statusOf(err)).toBe(412);
    expect(isTransient(err)).toBe(false);
    expect(retries.length).toBe(before);
  });

  it('writes by business identifier without ever duplicating', async () => {
    const query = identifierQuery(SYSTEM, 'cond-1');
    const first = await fhir.conditionalUpdate(patient('cond-1'), query);
    const second = await fhir.conditionalUpdate(patient('cond-1', { active: true }), query);
    expect(first).toMatchObject({ created: true, status: 201 });
    expect(second).toMatchObject({ created: false, status: 200 });
    expect(second.resource.id).toBe(first.resource.id);
    expect(second.resource.active).toBe(true);

    const again = await fhir.conditionalCreate(patient('cond-1'), query);
    expect(again).toMatchObject({ created: false, resource: { id: first.resource.id } });
    const other = await fhir.conditionalCreate(patient('cond-2'), identifierQuery(SYSTEM, 'cond-2'));
    expect(other.created).toBe(true);

    expect(await fhir.searchAll('Patient', query)).toHaveLength(1);
  });

  it('patches with JSON Patch', async () => {
    const created = await fhir.create(patient('patch-1'));
    const patched = await fhir.patch('Patient', created.id, [{ op: 'add', path: '/active', value: true }]);
    expect(patched.active).toBe(true);
    expect(patched.meta?.versionId).not.toBe(created.meta?.versionId);
  });

  it('deletes, after which a read is refused as a permanent error', async () => {
    const created = await fhir.create(patient('delete-1'));
    await fhir.delete('Patient', created.id);
    const err = await rejection(fhir.read('Patient', created.id));
    expect([404, 410]).toContain(statusOf(err));
    expect(isTransient(err)).toBe(false);
  });

  it('answers 404 with an OperationOutcome for an unknown id', async () => {
    const err = await rejection(fhir.read('Patient', 'does-not-exist'));
    expect(statusOf(err)).toBe(404);
    expect(err.outcome.resourceType).toBe('OperationOutcome');
  });

  it('keeps the store outcome when it refuses an invalid resource', async () => {
    const err = await rejection(fhir.create<Patient>({ resourceType: 'Patient', birthDate: 'yesterday' }));
    expect(statusOf(err)).toBe(400);
    expect(isTransient(err)).toBe(false);
    // The store names the faulty field; an outcome built from the status alone could not.
    expect(JSON.stringify(err.outcome.issue)).toContain('birthDate');
  });

  it('writes a transaction with references between its entries', async () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:4f1f0c8e-0a55-4a3b-9d0e-0e6a2b6f8f11', resource: patient('tx-1'), request: { method: 'POST', url: 'Patient' } },
        {
          resource: {
            resourceType: 'CarePlan',
            status: 'active',
            intent: 'plan',
            subject: { reference: 'urn:uuid:4f1f0c8e-0a55-4a3b-9d0e-0e6a2b6f8f11' },
          } satisfies CarePlan,
          request: { method: 'POST', url: 'CarePlan' },
        },
      ],
    };
    const response = await fhir.transaction(bundle);
    expect(response.type).toBe('transaction-response');
    expect(response.entry?.map((e) => e.response?.status.slice(0, 3))).toEqual(['201', '201']);
    const planId = response.entry?.[1]?.response?.location?.match(/CarePlan\/([^/]+)/)?.[1] ?? '';
    const plan = await fhir.read('CarePlan', planId);
    expect(plan.subject.reference).toMatch(/^Patient\/[^/]+$/);
  });

  it('reports the failed entries of a batch, which answers 200 anyway', async () => {
    const created = await fhir.create(patient('batch-1'));
    await fhir.update({ ...created, active: true });
    const response = await fhir.batch({
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: patient('batch-2'), request: { method: 'POST', url: 'Patient' } },
        {
          resource: { ...created, active: false },
          request: { method: 'PUT', url: `Patient/${created.id}`, ifMatch: `W/"${created.meta?.versionId}"` },
        },
      ],
    });
    expect(failedEntries(response)).toEqual([expect.objectContaining({ index: 1, status: 412 })]);
  });

  it('follows next links to collect every match of a paged search', async () => {
    const family = `Paging${crypto.randomUUID().replaceAll('-', '')}`;
    for (let i = 0; i < 5; i++) await fhir.create(patient(`page-${i}`, { name: [{ family }] }));
    const query = { family, _count: 2 };
    let pages = 0;
    for await (const page of fhir.searchPages('Patient', query)) {
      pages++;
      expect(page.entry?.length ?? 0).toBeLessThanOrEqual(2);
    }
    expect(pages).toBe(3);
    const all = await fhir.searchAll('Patient', query);
    expect(all.map((p) => p.identifier?.[0]?.value).sort()).toEqual(['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
  });
});
