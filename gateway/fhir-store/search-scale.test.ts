import { parseSearchRequest } from '@medplum/core';
import type { Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteRepository } from './sqlite-repository.js';
import { openTestStore } from './test-fixture.js';
import type { TestStore } from './test-fixture.js';

const SYS = 'urn:oid:1.2.250.1.213.1.4.8';
const SEARCHES = 300;

function patient(i: number): Patient {
  return {
    resourceType: 'Patient',
    identifier: [{ system: SYS, value: String(1_000_000 + i) }],
    name: [{ family: `Famille${i}`, given: ['Jo'] }],
    managingOrganization: { reference: `Organization/o${i % 40}` },
  };
}

async function load(repo: SqliteRepository, from: number, to: number): Promise<void> {
  for (let start = from; start < to; start += 1000) {
    await repo.transaction(async (tx) => {
      for (let i = start; i < Math.min(start + 1000, to); i++) await tx.createResource(patient(i));
    });
  }
}

/** Mean ms per identifier search over `n` stored patients. */
async function meanSearchMs(repo: SqliteRepository, n: number): Promise<number> {
  const started = performance.now();
  for (let k = 0; k < SEARCHES; k++) {
    const i = (k * 7919) % n;
    const found = await repo.searchResources(parseSearchRequest<Patient>('Patient', { identifier: `${SYS}|${1_000_000 + i}` }));
    expect(found.map((p) => p.identifier?.[0]?.value)).toEqual([String(1_000_000 + i)]);
  }
  return (performance.now() - started) / SEARCHES;
}

describe('identifier search at 10,000 resources', () => {
  let t: TestStore;
  beforeAll(() => {
    t = openTestStore();
  });
  afterAll(() => t.close());

  it('finds each resource by identifier, at a cost that does not grow with the store', { timeout: 120_000 }, async () => {
    const repo = t.store.repo;
    await load(repo, 0, 100);
    await meanSearchMs(repo, 100); // warm-up
    const small = await meanSearchMs(repo, 100);
    await load(repo, 100, 10_000);
    const large = await meanSearchMs(repo, 10_000);
    // A scan would be ~100× slower at 10k than at 100; an index lookup stays flat.
    expect(large).toBeLessThan(Math.max(small * 4, 1));
    const byOrg = await repo.search(parseSearchRequest('Patient', { organization: 'Organization/o7', _summary: 'count' }));
    expect(byOrg.total).toBe(250);
  });
});
