/**
 * The facade as the integration tests use it: a real FHIR store process, seeded for two
 * tenants, and `createApp` with the facade mounted, called in-process with `app.request`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { startFhirStoreProcess, type FhirStoreProcess } from '../../../test/helpers/fhir-store-process.js';
import { FhirClient } from '../../../workers/fhir-client/index.js';
import { createApp } from '../../app.js';
import { ClientRegistry, sha256Hex } from '../../auth/client-registry.js';
import type { Client } from '../../auth/clients-file.js';
import { createLogger } from '../../log.js';
import type { AuditRecord, AuditSink } from '../audit.js';
import { registerFhirFacade, type FacadeWrite } from '../routes.js';
import { MemoryAuditSink } from './memory-audit-sink.js';
import { seedTwoTenants, TENANT_A, TENANT_B, type SeedIds } from './seed.js';

/** API keys of the test clients, by role. */
export const KEYS = {
  /** doubs, fhir.read + fhir.write */
  doubs: 'doubs-key',
  /** jura, fhir.read */
  jura: 'jura-key',
  /** doubs, no FHIR scope */
  noScope: 'no-scope-key',
  /** doubs, SMART scope on CarePlan only */
  smartCarePlan: 'smart-careplan-key',
} as const;

const CLIENTS: Client[] = [
  { id: TENANT_A.clientId, name: 'DAC du Doubs', tenant: TENANT_A.tenant, apiKeySha256: sha256Hex(KEYS.doubs), scopes: ['fhir.read', 'fhir.write'], hl7Facilities: [] },
  { id: TENANT_B.clientId, name: 'DAC du Jura', tenant: TENANT_B.tenant, apiKeySha256: sha256Hex(KEYS.jura), scopes: ['fhir.read'], hl7Facilities: [] },
  { id: 'doubs-cases', name: 'Cases only', tenant: TENANT_A.tenant, apiKeySha256: sha256Hex(KEYS.noScope), scopes: ['cases.write'], hl7Facilities: [] },
  { id: 'doubs-smart', name: 'SMART CarePlan', tenant: TENANT_A.tenant, apiKeySha256: sha256Hex(KEYS.smartCarePlan), scopes: ['system/CarePlan.rs'], hl7Facilities: [] },
];

export interface FacadeFixture {
  readonly store: FhirStoreProcess;
  readonly fhir: FhirClient;
  readonly ids: SeedIds;
  readonly audit: MemoryAuditSink;
  readonly writes: FacadeWrite[];
  /** `app.request` with the key's Bearer header (none when `key` is null). */
  request(path: string, init?: RequestInit & { key?: string | null }): Promise<Response>;
  /** GET as JSON; fails the test on a non-JSON answer. */
  getJson<T = Bundle>(path: string, key?: string): Promise<{ status: number; body: T; res: Response }>;
  close(): Promise<void>;
}

/** The resources of a searchset, by search mode. */
export function entriesOf(bundle: Bundle, mode: 'match' | 'include' | 'outcome' = 'match'): Resource[] {
  return (bundle.entry ?? []).filter((e) => e.search?.mode === mode).map((e) => e.resource!);
}

/** `Type/id` of each resource. */
export function refsOf(resources: readonly Resource[]): string[] {
  return resources.map((r) => `${r.resourceType}/${r.id ?? ''}`);
}

export async function startFacadeFixture(options: { extraSink?: (fhir: FhirClient) => AuditSink } = {}): Promise<FacadeFixture> {
  const dataDir = await mkdtemp(join(tmpdir(), 'passerelle-facade-'));
  const store = await startFhirStoreProcess({ dataDir });
  const fhir = new FhirClient({ baseUrl: store.baseUrl });
  const ids = await seedTwoTenants(fhir);
  const audit = new MemoryAuditSink();
  const extra = options.extraSink?.(fhir);
  const sink: AuditSink = {
    record(event: AuditRecord) {
      audit.record(event);
      extra?.record(event);
    },
  };
  const writes: FacadeWrite[] = [];
  const app = createApp({
    logger: createLogger('silent'),
    clients: new ClientRegistry(CLIENTS),
    bodyLimit: 1 << 20,
    checkReadiness: async () => ({}),
    routes: [(a) => registerFhirFacade(a, { fhir, audit: sink, onWrite: async (change) => void writes.push(change) })],
  });

  const request = (path: string, init: RequestInit & { key?: string | null } = {}): Promise<Response> => {
    const { key = KEYS.doubs, headers, ...rest } = init;
    const h = new Headers(headers);
    if (key !== null) h.set('authorization', `Bearer ${key}`);
    return Promise.resolve(app.request(path, { ...rest, headers: h }));
  };
  const getJson = async <T = Bundle>(path: string, key: string = KEYS.doubs) => {
    const res = await request(path, { key });
    const body = (await res.json()) as T;
    return { status: res.status, body, res };
  };
  return {
    store, fhir, ids, audit, writes, request, getJson,
    async close() {
      await fhir.close();
      await store.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
