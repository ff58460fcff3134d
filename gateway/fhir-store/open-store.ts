/**
 * Opens the embedded FHIR store: loads the R4 definitions, opens the SQLite repository in
 * `dataDir` and builds the router. Shared by `main.ts` and by the gateway when it runs the
 * store in-process.
 *
 * @example
 *   const store = openFhirStore({ dataDir: config.DATA_DIR, logger });
 *   const app = createFhirStoreApp({ repo: store.repo, router: store.router, logger });
 */
import type { FhirRouter } from '@medplum/fhir-router';
import type { StructureDefinition } from '@medplum/fhirtypes';
import type { Logger } from '../log.js';
import { loadR4Definitions } from './definitions.js';
import { SqliteRepository } from './sqlite-repository.js';
import { collectGarbage } from './gc.js';
import { createStoreRouter } from './store-router.js';

export interface FhirStore {
  repo: SqliteRepository;
  router: FhirRouter;
  /** Finishes the operation in progress and closes the database; the store must not be used afterwards. */
  close(): Promise<void>;
}

export interface OpenFhirStoreOptions {
  dataDir: string;
  logger: Logger;
  /** Profiles (StructureDefinitions with snapshots) to validate resources that claim them. */
  profiles?: StructureDefinition[];
}

/** Opens the store persisted in `dataDir`. */
export function openFhirStore(opts: OpenFhirStoreOptions): FhirStore {
  loadR4Definitions();
  const repo = SqliteRepository.open({ dataDir: opts.dataDir, logger: opts.logger });
  for (const profile of opts.profiles ?? []) repo.registerProfile(profile);
  // The definitions' parsing leaves ~80 MB of garbage (gc.ts).
  collectGarbage();
  return { repo, router: createStoreRouter(), close: () => repo.close() };
}
