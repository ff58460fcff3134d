/**
 * `npm run fhir-store`: runs the embedded FHIR store as its own process.
 * Reads FHIR_STORE_PORT, FHIR_STORE_HOST, DATA_DIR and LOG_LEVEL; logs one line
 * `{"msg":"fhir store listening","url":"http://<host>:<port>/fhir"}` once it accepts requests
 * (even when LOG_LEVEL is quieter than info);
 * closes cleanly on SIGTERM / SIGINT.
 */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { allStructureDefinitions } from '../../profiles/index.js';
import { loadConfig } from '../config.js';
import { exitWithParent } from '../process/spawn-service.js';
import { createLogger } from '../log.js';
import { keepHeapUnderCeiling } from './gc.js';
import { openFhirStore } from './open-store.js';
import { createFhirStoreApp, FHIR_BASE_PATH } from './server.js';

const config = loadConfig(process.env);
const logger = createLogger(config.LOG_LEVEL);

// Our profiles and extension definitions: a resource claiming one of them is validated against it (SPEC §4).
const store = openFhirStore({ dataDir: config.DATA_DIR, logger, profiles: [...allStructureDefinitions] });
const app = createFhirStoreApp({ repo: store.repo, router: store.router, logger });
keepHeapUnderCeiling();

const server = serve({ fetch: app.fetch, port: config.FHIR_STORE_PORT, hostname: config.FHIR_STORE_HOST }, (info: AddressInfo) => {
  const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
  // Parent processes wait for this line (test helper, gateway runtime): it is emitted whatever LOG_LEVEL says.
  logger.child({}, { level: 'info' }).info({ url: `http://${host}:${info.port}${FHIR_BASE_PATH}` }, 'fhir store listening');
});

let closing = false;
function shutdown(signal: string): void {
  if (closing) return;
  closing = true;
  logger.info({ signal }, 'fhir store closing');
  // Stop accepting connections, then close the database (committing the last group).
  const finish = (): void => {
    store.close().then(
      () => {
        logger.info('fhir store closed');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err: { message: err instanceof Error ? err.message : String(err) } }, 'fhir store close failed');
        process.exit(1);
      },
    );
  };
  server.close(finish);
  // Keep-alive connections would hold close() open forever.
  if ('closeIdleConnections' in server) server.closeIdleConnections();
  setTimeout(finish, 5_000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
// Started by the gateway (`npm start`): stop when the gateway goes, even if it was killed. No log
// line then: stdout is a pipe to the dead parent.
exitWithParent(() => {
  server.close();
  void store.close().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 5_000).unref();
});
