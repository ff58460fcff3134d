/**
 * Starts the parts of Passerelle a role asks for and wires them together:
 * `all` = HTTP gateway + MLLP listener + workers (+ the embedded FHIR store when FHIR_BASE_URL
 * is unset); `gateway`, `mllp`, `worker` run one part each, so parts scale apart.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { readFile } from 'node:fs/promises';
import { FhirClient } from '../workers/fhir-client/index.js';
import { createEventPublisher } from '../workers/events/index.js';
import { createCaseWriter } from '../workers/processors/case-writer.js';
import { createWebhookDeliverer, DeadLetters, SubscriptionStore, UrlGuard } from '../workers/webhooks/index.js';
import { createDirectoryWriter } from '../workers/processors/directory-writer.js';
import {
  connectRedis, createJobQueues, getJobStatus, runWorker, shutdownQueues, waitForJob, type JobQueues, type WorkerHandle,
} from '../workers/queue/index.js';
import { createApp } from './app.js';
import { ClientRegistry } from './auth/client-registry.js';
import { loadClientsFile, parseClientsFile, type Client } from './auth/clients-file.js';
import { FhirAuditSink, registerFhirFacade } from './fhir-facade/index.js';
import {
  createOpsMetrics, httpMetrics, registerFailedJobRoutes, registerMetricsRoute, registerQueueDashboard,
} from './ops/index.js';
import type { Config, Role } from './config.js';
import type { Logger } from './log.js';
import { spawnService, type ServiceProcess } from './process/spawn-service.js';
import { registerCaseRoutes } from './routes/cases.js';
import type { JobSubmitter } from './routes/job-submission.js';
import { registerJobRoutes } from './routes/jobs.js';
import { registerMeRoute } from './routes/me.js';
import { registerSubscriptionRoutes } from './routes/subscriptions.js';
import { registerPathwayRoutes } from './pathway/routes.js';
import { registerWebRoutes } from './web/routes.js';

export interface Runtime {
  role: Role;
  /** Base URL of the HTTP gateway, when this role serves it. */
  httpUrl?: string;
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
    entry: 'gateway/fhir-store/main.ts',
    readyMessage: 'fhir store listening',
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

function jobSubmitter(queues: JobQueues): JobSubmitter {
  return {
    enqueue: (name, payload, trace) => queues.enqueue(name, payload, { trace }),
    wait: (jobId, timeoutMs) => waitForJob(queues, jobId, timeoutMs),
  };
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
    const fhir = new FhirClient({ baseUrl: fhirBaseUrl, logger });
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
    if (role === 'all' || role === 'worker') {
      const options = { connection: redis, prefix, concurrency: config.WORKER_CONCURRENCY, logger };
      const events = createEventPublisher({ redis, queues, prefix, logger });
      const deliverer = createWebhookDeliverer({ redis, queues, prefix, urlGuard, logger });
      closers.push(() => deliverer.close()); // runs after the workers have stopped (closers run in reverse)
      workers.push(
        await runWorker('cases', createCaseWriter({ fhir, publish: (e) => events.publishEvent(e) }), options),
        await runWorker('directory', createDirectoryWriter({ fhir }), options),
        await runWorker('webhooks', deliverer.process, options),
      );
    }

    const runtime: Runtime = { role, fhirBaseUrl, close };
    if (role === 'all' || role === 'gateway') {
      const audit = new FhirAuditSink({ fhir, logger });
      closers.push(() => audit.close());
      const metrics = createOpsMetrics({ queues });
      // HTTP routes fail fast while Redis is away; the shared connection would wait forever.
      const apiRedis = redis.duplicate({ enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
      await apiRedis.connect();
      closers.push(async () => apiRedis.disconnect());
      const app = createApp({
        logger,
        clients,
        bodyLimit: config.BODY_LIMIT,
        checkReadiness,
        edge: [httpMetrics(metrics.registry)],
        routes: [
          (a) => registerMetricsRoute(a, metrics),
          (a) => registerQueueDashboard(a, { queues: queues.all() }),
          (a) => registerFailedJobRoutes(a, { queues }),
          registerMeRoute,
          (a) => registerJobRoutes(a, { jobStatus: (jobId) => getJobStatus(queues, jobId) }),
          (a) => registerCaseRoutes(a, { jobs: jobSubmitter(queues), waitTimeoutMs: config.WAIT_TIMEOUT_MS }),
          (a) => registerPathwayRoutes(a, { fhir, clientName: (id) => clients.byClientId(id)?.name, audit }),
          registerWebRoutes,
          (a) => registerFhirFacade(a, { fhir, audit }),
          (a) => registerSubscriptionRoutes(a, {
            subscriptions: new SubscriptionStore(apiRedis, prefix),
            deadLetters: new DeadLetters(apiRedis, queues, prefix),
            urlGuard,
          }),
        ],
      });
      const { server, url } = await listen(app, config.PORT, config.HOST);
      closers.push(() => closeServer(server));
      runtime.httpUrl = url;
    }
    logger.info({ role, http: runtime.httpUrl, fhir: fhirBaseUrl }, 'passerelle listening');
    return runtime;
  } catch (err) {
    await close();
    throw err;
  }
}
