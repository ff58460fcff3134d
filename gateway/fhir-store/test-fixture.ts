/**
 * Test fixture: a store over a fresh temporary DATA_DIR, served in-process through
 * `app.request` (no socket). Each call gets its own directory; `close()` removes it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { createLogger } from '../log.js';
import { openFhirStore } from './open-store.js';
import type { FhirStore } from './open-store.js';
import { createFhirStoreApp } from './server.js';

export const TEST_BASE = 'http://store.test/fhir';

export interface FhirAnswer<T = Resource> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TestStore {
  store: FhirStore;
  dataDir: string;
  /** Sends a request to `TEST_BASE + path`; objects are sent as JSON, strings as is. */
  call<T = Resource>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<FhirAnswer<T>>;
  close(): Promise<void>;
}

/** Opens a store in a new temporary directory (or `dataDir`, kept on close). */
export function openTestStore(dataDir?: string): TestStore {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'fhir-store-test-'));
  const logger = createLogger('silent');
  const store = openFhirStore({ dataDir: dir, logger });
  const app = createFhirStoreApp({ repo: store.repo, router: store.router, logger });
  return {
    store,
    dataDir: dir,
    async call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<FhirAnswer<T>> {
      const init: RequestInit = { method, headers: { 'content-type': 'application/fhir+json', ...headers } };
      if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
      const res = await app.request(`${TEST_BASE}${path}`, init);
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
    },
    async close(): Promise<void> {
      await store.close();
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
