/**
 * The gateway role's HTTP application: every route module with what it needs.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Redis } from 'ioredis';
import type { FhirClient } from '../../workers/fhir-client/index.js';
import type { MessageLog } from '../../workers/message-log/index.js';
import { createEventPublisher } from '../../workers/events/index.js';
import { getJobStatus, makeJobId, waitForJob, type JobQueues } from '../../workers/queue/index.js';
import { DeadLetters, EventNumbers, SubscriptionStore, type UrlGuard } from '../../workers/webhooks/index.js';
import { createApp } from '../app.js';
import type { ClientRegistry } from '../auth/client-registry.js';
import { AccessTokens } from '../auth/smart/access-tokens.js';
import { AssertionVerifier } from '../auth/smart/client-assertion.js';
import { registerSmartRoutes, TOKEN_PATH } from '../auth/smart/token-route.js';
import type { Config } from '../config.js';
import { facadeWriteHook, registerFhirFacade, type AuditSink } from '../fhir-facade/index.js';
import { registerFhirSubscriptions } from '../fhir-facade/subscriptions.js';
import { createFhirMessageIntake, registerFhirMessageRoute } from '../fhir-message/index.js';
import { declaredSender, registerHl7Routes, type Hl7Intake } from '../hl7/index.js';
import type { AppEnv } from '../http/app-env.js';
import type { Logger } from '../log.js';
import {
  httpMetrics, registerFailedJobRoutes, registerMessageRoutes, registerMetricsRoute, registerQueueDashboard,
  type OpsMetrics, type ReplayFn,
} from '../ops/index.js';
import { registerPathwayRoutes } from '../pathway/routes.js';
import { registerCaseRoutes } from '../routes/cases.js';
import { registerImportRoutes } from '../routes/import.js';
import type { ReadinessCheck } from '../routes/health.js';
import type { JobSubmitter } from '../routes/job-submission.js';
import { registerJobRoutes } from '../routes/jobs.js';
import { registerMeRoute } from '../routes/me.js';
import { registerSubscriptionRoutes } from '../routes/subscriptions.js';
import { registerWebRoutes } from '../web/routes.js';

export interface HttpAppWiring {
  config: Config;
  logger: Logger;
  clients: ClientRegistry;
  queues: JobQueues;
  fhir: FhirClient;
  audit: AuditSink;
  metrics: OpsMetrics;
  /** Fail-fast Redis connection: HTTP requests must not hang while Redis is away. */
  edgeRedis: Redis;
  messageLog: MessageLog;
  intake: Hl7Intake;
  urlGuard: UrlGuard;
  checkReadiness: ReadinessCheck;
}

function jobSubmitter(queues: JobQueues): JobSubmitter {
  return {
    enqueue: (name, payload, trace) => queues.enqueue(name, payload, { trace }),
    wait: (jobId, timeoutMs) => waitForJob(queues, jobId, timeoutMs),
  };
}

/** A replayed message runs as a new job: a repeated job id would return the job kept from the first run. */
function hl7Replay(queues: JobQueues): ReplayFn {
  return (messageId, trace, { replayCount }) =>
    queues.enqueue('hl7-inbound', { messageId }, { trace, jobId: makeJobId('hl7-inbound', `${messageId}-r${replayCount}`) });
}

/** The public origin of a request: `PUBLIC_URL` when set, else the request's own. */
function publicOrigin(config: Config): (requestUrl: string) => string {
  return (requestUrl) => config.PUBLIC_URL ?? new URL(requestUrl).origin;
}

export function createHttpApp(w: HttpAppWiring): OpenAPIHono<AppEnv> {
  const prefix = w.config.QUEUE_PREFIX;
  const origin = publicOrigin(w.config);
  const accessTokens = new AccessTokens(w.edgeRedis, prefix);
  const verifier = new AssertionVerifier({
    clientById: (id) => w.clients.byClientId(id),
    rememberJti: (clientId, jti, ttlMs) => accessTokens.rememberJti(clientId, jti, ttlMs),
  });
  return createApp({
    logger: w.logger,
    clients: w.clients,
    accessTokens,
    rateLimitOf: (clientId) => w.clients.byClientId(clientId)?.rateLimit ?? { perSecond: w.config.RATE_LIMIT_PER_SECOND, burst: w.config.RATE_LIMIT_BURST },
    bodyLimit: w.config.BODY_LIMIT,
    checkReadiness: w.checkReadiness,
    edge: [httpMetrics(w.metrics.registry)],
    routes: [
      (a) => registerMetricsRoute(a, w.metrics),
      (a) => registerQueueDashboard(a, { queues: w.queues.all() }),
      (a) => registerFailedJobRoutes(a, { queues: w.queues }),
      registerMeRoute,
      (a) => registerSmartRoutes(a, { verifier, tokens: accessTokens, tokenUrl: (url) => `${origin(url)}${TOKEN_PATH}` }),
      (a) => registerJobRoutes(a, { jobStatus: (jobId) => getJobStatus(w.queues, jobId) }),
      (a) => registerCaseRoutes(a, { jobs: jobSubmitter(w.queues), waitTimeoutMs: w.config.WAIT_TIMEOUT_MS }),
      (a) => registerImportRoutes(a, { queues: w.queues, dataDir: w.config.DATA_DIR, bodyLimit: w.config.IMPORT_BODY_LIMIT }),
      (a) => registerHl7Routes(a, { intake: w.intake }),
      // FHIR notification messages: stored, ordered and processed like HL7 (same message log, same worker).
      (a) => registerFhirMessageRoute(a, {
        intake: createFhirMessageIntake({ clients: w.clients, messageLog: w.messageLog, queues: w.queues, redis: w.edgeRedis, logger: w.logger }),
        publicBaseUrl: (url) => `${origin(url)}/fhir`,
      }),
      (a) => registerMessageRoutes(a, { messageLog: w.messageLog, replay: hl7Replay(w.queues), resolveSender: (record) => declaredSender(record, w.clients) }),
      (a) => registerPathwayRoutes(a, { fhir: w.fhir, clientName: (id) => w.clients.byClientId(id)?.name, audit: w.audit }),
      registerWebRoutes,
      // Before the facade: its generic /fhir/{type} routes would answer Subscription as unknown.
      (a) => registerFhirSubscriptions(a, {
        subscriptions: new SubscriptionStore(w.edgeRedis, prefix),
        eventNumbers: new EventNumbers(w.edgeRedis, prefix),
        urlGuard: w.urlGuard,
        publicBaseUrl: (url) => `${origin(url)}/fhir`,
      }),
      // Writes through /fhir are announced like any other change (SPEC §5), on the fail-fast connection.
      (a) => registerFhirFacade(a, {
        fhir: w.fhir, audit: w.audit,
        publicBaseUrl: (url) => `${origin(url)}/fhir`,
        smartTokenUrl: (url) => `${origin(url)}${TOKEN_PATH}`,
        onWrite: facadeWriteHook(createEventPublisher({ redis: w.edgeRedis, queues: w.queues, prefix, logger: w.logger })),
      }),
      (a) => registerSubscriptionRoutes(a, {
        subscriptions: new SubscriptionStore(w.edgeRedis, prefix),
        deadLetters: new DeadLetters(w.edgeRedis, w.queues, prefix),
        urlGuard: w.urlGuard,
      }),
    ],
  });
}
