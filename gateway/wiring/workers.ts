/**
 * The worker role: every queue's processor, with what it writes through and announces to.
 */
import type { Redis } from 'ioredis';
import { PASSERELLE_META_SOURCE } from '../../profiles/canonical.js';
import { startChangeFeed, startChangeFeedSwitch } from '../../workers/change-feed/index.js';
import type { EventPublisher } from '../../workers/events/index.js';
import type { FhirClient } from '../../workers/fhir-client/index.js';
import { MessageLog } from '../../workers/message-log/index.js';
import { createCaseWriter } from '../../workers/processors/case-writer.js';
import { createDirectoryWriter } from '../../workers/processors/directory-writer.js';
import { createImportProcessor, IMPORT_JOB_CONCURRENCY } from '../../workers/processors/import.js';
import { fromCaseWriter } from '../../workers/processors/import-case-writer.js';
import { createHl7InboundProcessor } from '../../workers/processors/hl7-inbound.js';
import type { Hl7DomainEvent } from '../../workers/processors/hl7-inbound-events.js';
import { runWorker, type JobQueues, type WorkerHandle } from '../../workers/queue/index.js';
import { createWebhookDeliverer, type UrlGuard } from '../../workers/webhooks/index.js';
import type { ClientRegistry } from '../auth/client-registry.js';
import type { Config } from '../config.js';
import { EMBEDDED_STORE_SOFTWARE_NAME } from '../fhir-store/capability.js';
import type { Logger } from '../log.js';

export interface WorkerWiring {
  config: Config;
  redis: Redis;
  queues: JobQueues;
  fhir: FhirClient;
  clients: ClientRegistry;
  events: EventPublisher;
  urlGuard: UrlGuard;
  logger: Logger;
}

/** An HL7 domain event in the webhook vocabulary: the resource it is about, keyed on its id. */
function hl7Announcement(event: Hl7DomainEvent) {
  const resourceRef = event.type === 'careplan.updated' ? event.carePlanRef
    : event.type === 'task.created' ? event.taskRef
      : event.encounterRef;
  return {
    type: event.type,
    tenant: event.tenant,
    sourceClientId: event.clientId,
    patientRef: event.patientRef,
    resourceRef: resourceRef ?? event.encounterRef,
    data: {
      stay: event.encounterRef,
      ...(event.taskRef ? { task: event.taskRef } : {}),
      ...(event.carePlanRef ? { plan: event.carePlanRef } : {}),
    },
    occurredAt: new Date().toISOString(),
    eventKey: event.id,
  };
}

/** Starts every worker; the caller closes the handles (and then `close`) on shutdown. */
export async function startWorkers(w: WorkerWiring): Promise<{ workers: WorkerHandle[]; close: () => Promise<void> }> {
  const prefix = w.config.QUEUE_PREFIX;
  const options = { connection: w.redis, prefix, concurrency: w.config.WORKER_CONCURRENCY, logger: w.logger };
  const publish = (event: Parameters<EventPublisher['publishEvent']>[0]) => w.events.publishEvent(event);
  const deliverer = createWebhookDeliverer({ redis: w.redis, queues: w.queues, prefix, urlGuard: w.urlGuard, logger: w.logger });
  const hl7 = createHl7InboundProcessor({
    fhir: w.fhir,
    messageLog: new MessageLog({ redis: w.redis, prefix: `${prefix}:msglog` }),
    redis: w.redis,
    prefix,
    logger: w.logger,
    facilityName: (id) => w.clients.byClientId(id)?.name,
    clientOfFacility: (facility) => w.clients.byHl7Facility(facility)?.id,
    declaredFacilities: (id) => w.clients.byClientId(id)?.hl7Facilities,
    publish: async (event) => void (await publish(hl7Announcement(event))),
  });
  const caseWriter = createCaseWriter({ fhir: w.fhir, publish });
  const importer = createImportProcessor({ writeCase: fromCaseWriter(caseWriter), dataDir: w.config.DATA_DIR, maxLineBytes: w.config.BODY_LIMIT, logger: w.logger });
  const workers: WorkerHandle[] = [
    await runWorker('cases', caseWriter, options),
    await runWorker('import', importer, { ...options, concurrency: IMPORT_JOB_CONCURRENCY }),
    await runWorker('directory', createDirectoryWriter({ fhir: w.fhir }), options),
    await runWorker('hl7-inbound', hl7, options),
    await runWorker('webhooks', deliverer.process, options),
  ] as WorkerHandle[];
  // Changes made directly on an external FHIR server become events (`CHANGE_FEED=auto`: not on
  // Passerelle's own store, written only through Passerelle, whose writers announce their changes).
  const feed = startChangeFeedSwitch({
    mode: w.config.CHANGE_FEED_INTERVAL_MS > 0 ? w.config.CHANGE_FEED : 'off',
    externalServer: w.config.FHIR_BASE_URL !== undefined,
    capabilities: () => w.fhir.capabilities(),
    ownStoreName: EMBEDDED_STORE_SOFTWARE_NAME,
    start: () => startChangeFeed({
      fhir: w.fhir, redis: w.redis, prefix, publish, passerelleSource: PASSERELLE_META_SOURCE,
      intervalMs: w.config.CHANGE_FEED_INTERVAL_MS, overlapMs: w.config.CHANGE_FEED_OVERLAP_MS, logger: w.logger,
    }),
    retryMs: Math.max(w.config.CHANGE_FEED_INTERVAL_MS, 1000),
    logger: w.logger,
  });
  return { workers, close: async () => { await feed.close(); await deliverer.close(); } };
}
