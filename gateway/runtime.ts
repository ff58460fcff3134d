/**
 * Starts the parts of Passerelle a role asks for and wires them together:
 * `all` = HTTP gateway + MLLP listener + workers (+ the embedded FHIR store when FHIR_BASE_URL
 * is unset); `gateway`, `mllp`, `worker` run one part each, so parts scale apart.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { readFile } from 'node:fs/promises';
import { PASSERELLE_META_SOURCE } from '../profiles/canonical.js';
import { createEventPublisher } from '../workers/events/index.js';
import { FhirClient } from '../workers/fhir-client/index.js';
import { MessageLog } from '../workers/message-log/index.js';
import { connectRedis, createJobQueues, shutdownQueues, type WorkerHandle } from '../workers/queue/index.js';
import { UrlGuard } from '../workers/webhooks/index.js';
import { ClientRegistry } from './auth/client-registry.js';
import { loadClientsFile, parseClientsFile, type Client } from './auth/clients-file.js';
import type { Config, Role } from './config.js';
import { FhirAuditSink } from './fhir-facade/index.js';
import { recoverPendingFhirMessages } from './fhir-message/index.js';
import { createHl7Intake, recoverPendingHl7, startHl7Listener } from './hl7/index.js';
import type { Logger } from './log.js';
import { createOpsMetrics } from './ops/index.js';
import { spawnService, type ServiceProcess } from './process/spawn-service.js';
import { createHttpApp } from './wiring/http-app.js';
import { startWorkers } from './wiring/workers.js';
import { FHIR_STORE_PROCESS } from './fhir-store/process-entry.js';

export interface Runtime {
  role: Role;
  /** Base URL of the HTTP gateway, when this role serves it. */
  httpUrl?: string;
  /** Port of the MLLP listener, when this role serves it. */
  mllpPort?: number;
  fhirBaseUrl: string;
  close(): Promise<void>;
}

/** Start-up failures that deserve one line, not a stack trace. */
export class StartupError extends Error {
  override name = 'StartupError';
}

async function loadClients(config: Config, logger: Logger): Promise<Client[]> {
  if (config.CLIENTS_FILE) return loadClientsFile(config.CLIENTS_FILE);
  logger.warn('CLIENTS_FILE is unset: using the demo clients (public API keys, see README) — never in production');
  const demo = await readFile(new URL('./demo-clients.yaml', import.meta.url), 'utf8');
  return parseClientsFile(demo, 'demo clients');
}

async function startEmbeddedStore(config: Config, logger: Logger): Promise<ServiceProcess<{ url: string }>> {
  const store = await spawnService<{ url: string }>({
    ...FHIR_STORE_PROCESS,
    env: { FHIR_STORE_PORT: String(config.FHIR_STORE_PORT), DATA_DIR: config.DATA_DIR, LOG_LEVEL: config.LOG_LEVEL },
    forwardLogs: process.stdout,
  });
  logger.info({ fhir: store.ready.url, pid: store.pid }, 'embedded FHIR store started');
  return store;
}

function listen(app: { fetch: (req: Request) => Response | Promise<Response> }, port: number, hostname: string): Promise<{ server: ServerType; url: string }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname }, (info: AddressInfo) => {
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({ server, url: `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${info.port}` });
    });
    server.once('error', (err) => reject(new StartupError(`cannot listen on ${hostname}:${port}: ${(err as NodeJS.ErrnoException).code ?? err.message}`)));
  });
}

function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  });
}

export async function startPasserelle(config: Config, role: Role, logger: Logger): Promise<Runtime> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closeOne of closers.reverse()) {
      await closeOne().catch((err: unknown) => logger.error({ err: (err as Error).message }, 'error while closing'));
    }
  };
  try {
    const clients = new ClientRegistry(await loadClients(config, logger));
    const redis = await connectRedis(config.REDIS_URL, { logger });

    let fhirBaseUrl = config.FHIR_BASE_URL;
    if (!fhirBaseUrl) {
      if (role !== 'all') {
        throw new StartupError(`--role ${role} needs FHIR_BASE_URL: run the store with "npm run fhir-store" (or use HAPI FHIR) and point FHIR_BASE_URL at it`);
      }
      const store = await startEmbeddedStore(config, logger);
      closers.push(() => store.stop());
      fhirBaseUrl = store.ready.url;
    }
    // Every write carries Passerelle's meta.source: the change feed skips those versions.
    const fhir = new FhirClient({ baseUrl: fhirBaseUrl, logger, metaSource: PASSERELLE_META_SOURCE });
    closers.push(() => fhir.close());

    const queues = await createJobQueues({ connection: redis, prefix: config.QUEUE_PREFIX, logger });
    const workers: Pick<WorkerHandle, 'close'>[] = [];
    closers.push(() => shutdownQueues({ workers, queues, redis }, { logger }));

    const checkReadiness = async () => {
      const [redisOk, fhirOk] = await Promise.all([
        redis.ping().then(() => true, () => false),
        fhir.capabilities().then(() => true, () => false),
      ]);
      return { redis: redisOk, fhir: fhirOk };
    };

    const prefix = config.QUEUE_PREFIX;
    const urlGuard = new UrlGuard({ allowPrivate: config.ALLOW_PRIVATE_WEBHOOKS });
    const runtime: Runtime = { role, fhirBaseUrl, close };

    if (role === 'all' || role === 'worker') {
      const events = createEventPublisher({ redis, queues, prefix, logger });
      const started = await startWorkers({ config, redis, queues, fhir, clients, events, urlGuard, logger });
      closers.push(started.close); // runs after the workers have stopped (closers run in reverse)
      workers.push(...started.workers);
    }

    if (role !== 'worker') {
      // The edges answer fast while Redis is away; the shared connection would wait forever.
      const edgeRedis = redis.duplicate({ enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
      await edgeRedis.connect();
      closers.push(async () => edgeRedis.disconnect());
      const messageLog = new MessageLog({ redis: edgeRedis, prefix: `${prefix}:msglog` });
      const policy = { processingIds: config.HL7_PROCESSING_IDS };
      const intake = createHl7Intake({ clients, policy, messageLog, queues, redis: edgeRedis, logger });
      // Messages a crash left stored but not queued go to the workers before new traffic.
      await recoverPendingHl7({ clients, policy, messageLog, queues, redis: edgeRedis, logger });
      await recoverPendingFhirMessages({ clients, messageLog, queues, redis: edgeRedis, logger });

      if (role === 'all' || role === 'mllp') {
        const mllp = await startHl7Listener({ host: config.MLLP_HOST, port: config.MLLP_PORT, intake, logger });
        closers.push(() => mllp.close());
        runtime.mllpPort = mllp.port;
      }
      if (role === 'all' || role === 'gateway') {
        const audit = new FhirAuditSink({ fhir, logger });
        closers.push(() => audit.close());
        const metrics = createOpsMetrics({ queues });
        const app = createHttpApp({ config, logger, clients, queues, fhir, audit, metrics, edgeRedis, messageLog, intake, urlGuard, checkReadiness });
        const { server, url } = await listen(app, config.PORT, config.HOST);
        closers.push(() => closeServer(server));
        runtime.httpUrl = url;
      }
    }
    // Emitted whatever LOG_LEVEL says: supervisors and tests wait for this line.
    logger.child({}, { level: 'info' }).info({ role, http: runtime.httpUrl, mllp: runtime.mllpPort, fhir: fhirBaseUrl }, 'passerelle listening');
    return runtime;
  } catch (err) {
    await close();
    throw err;
  }
}
