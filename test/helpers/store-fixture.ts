/**
 * One embedded store process and a FHIR client for a test file: started before its tests,
 * stopped (and its data removed) after them. For vitest files only (it registers hooks).
 *
 * @example
 *   const stored = useFhirStoreProcess('hl7-inbound-lookups');
 *   it('reads back', async () => { await stored.fhir.read('Patient', id); });
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { FhirClient } from '../../workers/fhir-client/index.js';
import { startFhirStoreProcess, type FhirStoreProcess } from './fhir-store-process.js';

export interface StoreFixture {
  /** A client of the running store (throws before `beforeAll` has run). */
  readonly fhir: FhirClient;
  readonly store: FhirStoreProcess;
}

export function useFhirStoreProcess(name: string): StoreFixture {
  let dataDir: string | undefined;
  let store: FhirStoreProcess | undefined;
  let fhir: FhirClient | undefined;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), `${name}-`));
    store = await startFhirStoreProcess({ dataDir });
    fhir = new FhirClient({ baseUrl: store.baseUrl });
  });
  afterAll(async () => {
    await fhir?.close();
    await store?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the store process is not started yet (use it inside tests or hooks)');
    return value;
  };
  return {
    get fhir() {
      return started(fhir);
    },
    get store() {
      return started(store);
    },
  };
}
