import { parseSearchRequest } from '@medplum/core';
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore } from './test-fixture.js';
import type { TestStore } from './test-fixture.js';

const SYS = 'urn:oid:1.2.250.1.213.1.4.8';

describe('concurrent requests', () => {
  let t: TestStore;
  beforeEach(() => {
    t = openTestStore();
  });
  afterEach(() => t.close());

  it('creates one resource when the same conditional update arrives many times at once', async () => {
    const body = { resourceType: 'Patient', identifier: [{ system: SYS, value: 'same' }], name: [{ family: 'Concurrent' }] };
    const answers = await Promise.all(Array.from({ length: 25 }, () => t.call<Patient>('PUT', `/Patient?identifier=${SYS}|same`, body)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(answers.every((a) => a.body.meta?.versionId === '1')).toBe(true);
    expect((await t.call<Bundle>('GET', `/Patient?identifier=${SYS}|same`)).body.total).toBe(1);
  });

  it('isolates a failing write from the writes committed with it', async () => {
    const good = (i: number) => t.call('POST', '/Patient', { resourceType: 'Patient', identifier: [{ system: SYS, value: `g${i}` }] });
    const bad = () => t.call('POST', '/Patient', { resourceType: 'Patient', gender: 'invalid' });
    const answers = await Promise.all([good(1), bad(), good(2), bad(), good(3)]);
    expect(answers.map((a) => a.status)).toEqual([201, 400, 201, 400, 201]);
    expect((await t.call<Bundle>('GET', '/Patient?_summary=count')).body.total).toBe(3);
  });

  it('rolls back a failed transaction without touching concurrent writes', async () => {
    const repo = t.store.repo;
    const failing = repo.transaction(async (tx) => {
      await tx.createResource({ resourceType: 'Patient', identifier: [{ system: SYS, value: 'in-tx' }] });
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error('abort');
    });
    const outside = repo.createResource({ resourceType: 'Patient', identifier: [{ system: SYS, value: 'outside' }] });
    await expect(failing).rejects.toThrow();
    await outside;
    const found = await repo.searchResources(parseSearchRequest<Patient>('Patient', { identifier: `${SYS}|in-tx,${SYS}|outside` }));
    expect(found.map((p) => p.identifier?.[0]?.value)).toEqual(['outside']);
  });

  it('lets Medplum-style callers use withTransaction and roll back on error', async () => {
    const repo = t.store.repo;
    await expect(
      repo.withTransaction(async () => {
        await repo.createResource({ resourceType: 'Patient', identifier: [{ system: SYS, value: 'wt' }] });
        throw new Error('abort');
      }),
    ).rejects.toThrow();
    expect((await repo.searchResources(parseSearchRequest('Patient', { identifier: `${SYS}|wt` }))).length).toBe(0);
  });
});
