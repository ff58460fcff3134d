/**
 * A write the store acknowledged survives the store being killed without warning: write
 * through FhirClient, SIGKILL the store process (no shutdown hook runs), restart it on the same
 * DATA_DIR and read everything back — same ids, same versionIds, same history, still searchable.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { afterEach, describe, expect, it } from 'vitest';
import { FhirClient, identifierQuery } from '../workers/fhir-client/index.js';
import { startFhirStoreProcess } from './helpers/fhir-store-process.js';

type StoreProcess = Awaited<ReturnType<typeof startFhirStoreProcess>>;

const IPP_SYSTEM = 'urn:oid:1.2.250.1.999.1.1';

let dataDir: string | undefined;
let store: StoreProcess | undefined;
let fhir: FhirClient | undefined;

afterEach(async () => {
  await fhir?.close();
  await store?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  fhir = store = dataDir = undefined;
});

async function start(dir: string): Promise<FhirClient> {
  store = await startFhirStoreProcess({ dataDir: dir });
  // The restarted store may listen on another port: a new client each time.
  fhir = new FhirClient({ baseUrl: store.baseUrl, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
  return fhir;
}

describe('FHIR store durability', () => {
  it('keeps every acknowledged write across a SIGKILL and a restart on the same DATA_DIR', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'passerelle-durability-'));
    let client = await start(dataDir);

    const ipp = `IPP-${Date.now()}`;
    const created = await client.create<Patient>({
      resourceType: 'Patient',
      identifier: [{ system: IPP_SYSTEM, value: ipp }],
      name: [{ family: 'Martin', given: ['Louise'] }],
      birthDate: '1941-03-07',
    });
    const updated = await client.update<Patient>({ ...created, active: true }, { ifMatch: created.meta?.versionId ?? '' });
    const transaction: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          resource: {
            resourceType: 'CarePlan',
            status: 'active',
            intent: 'plan',
            subject: { reference: `Patient/${created.id}` },
            identifier: [{ system: IPP_SYSTEM, value: `${ipp}-pps` }],
          },
          request: { method: 'POST', url: 'CarePlan' },
        },
      ],
    };
    const response = await client.transaction(transaction);
    const planLocation = response.entry?.[0]?.response?.location ?? '';
    const planId = planLocation.match(/CarePlan\/([^/]+)/)?.[1] ?? '';
    expect(planId).not.toBe('');

    // The last write is acknowledged; kill at once, before any periodic flush could run.
    await store?.kill('SIGKILL');
    await client.close();

    client = await start(dataDir);
    const patient = await client.read('Patient', created.id);
    expect(patient.id).toBe(created.id);
    expect(patient.meta?.versionId).toBe(updated.meta?.versionId);
    expect(patient.active).toBe(true);
    expect(patient.name?.[0]?.family).toBe('Martin');

    const first = await client.vread('Patient', created.id, created.meta?.versionId ?? '');
    expect(first.active).toBeUndefined();
    const history = await client.history('Patient', created.id);
    expect(history.entry?.map((e) => e.resource?.meta?.versionId).sort()).toEqual(
      [created.meta?.versionId, updated.meta?.versionId].sort(),
    );

    const plan = await client.read('CarePlan', planId);
    expect(plan.subject.reference).toBe(`Patient/${created.id}`);

    // Indexes are rebuilt from what was persisted, not only the resources themselves.
    const found = await client.searchAll('Patient', identifierQuery(IPP_SYSTEM, ipp));
    expect(found.map((p) => p.id)).toEqual([created.id]);
  });
});
