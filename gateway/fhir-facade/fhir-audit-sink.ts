/**
 * Writes audit records as FHIR AuditEvents, off the request path: `record` only queues; a
 * timer (or a full batch) writes the queue as `batch` Bundles, one write in flight at a time.
 * A failed write is logged (counts and status only) and its events dropped: the request they
 * audit has already been answered, and an audit backlog must not grow without bound.
 *
 * @example
 *   const audit = new FhirAuditSink({ fhir, logger });
 *   registerFhirFacade(app, { fhir, audit });
 *   // on shutdown
 *   await audit.close();
 */
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import { failedEntries, statusOf, type FhirClient } from '../../workers/fhir-client/index.js';
import type { AuditRecord, AuditSink } from './audit.js';
import { toAuditEvent } from './audit-event.js';

/** Time a record may wait for its batch: short enough for a timely trail, long enough to batch a burst. */
export const DEFAULT_FLUSH_INTERVAL_MS = 1_000;
/** AuditEvents per batch Bundle. */
export const DEFAULT_BATCH_SIZE = 100;
/** Records kept while the FHIR server is slow or down; beyond, new records are dropped (and counted). */
export const DEFAULT_MAX_QUEUED = 10_000;

/** Where the sink reports what it could not write (counts and statuses only); a pino `Logger` fits. */
export interface AuditSinkLogger {
  warn(obj: object, msg: string): void;
}

export interface FhirAuditSinkOptions {
  readonly fhir: FhirClient;
  readonly logger: AuditSinkLogger;
  readonly flushIntervalMs?: number;
  readonly batchSize?: number;
  readonly maxQueued?: number;
  /** Clock, for `AuditEvent.recorded`. */
  readonly now?: () => Date;
}

export class FhirAuditSink implements AuditSink {
  readonly #fhir: FhirClient;
  readonly #logger: AuditSinkLogger;
  readonly #flushIntervalMs: number;
  readonly #batchSize: number;
  readonly #maxQueued: number;
  readonly #now: () => Date;
  #queue: AuditEvent[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** The write in flight (or settled): flushes run one after another. */
  #writing: Promise<void> = Promise.resolve();
  #overflow = 0;
  #closed = false;

  constructor(options: FhirAuditSinkOptions) {
    this.#fhir = options.fhir;
    this.#logger = options.logger;
    this.#flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    this.#batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.#maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED;
    this.#now = options.now ?? (() => new Date());
  }

  record(event: AuditRecord): void {
    if (this.#closed) {
      this.#logger.warn({ dropped: 1 }, 'audit sink closed: AuditEvent dropped');
      return;
    }
    if (this.#queue.length >= this.#maxQueued) {
      this.#overflow++;
      return;
    }
    this.#queue.push(toAuditEvent(event, this.#now().toISOString()));
    if (this.#queue.length >= this.#batchSize) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.#flushIntervalMs).unref();
  }

  /** Writes everything queued so far; resolves once written (or dropped with a warning). Never rejects. */
  flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#writing = this.#writing.then(() => this.#drain());
    return this.#writing;
  }

  /** Flushes and stops taking records. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  async #drain(): Promise<void> {
    if (this.#overflow > 0) {
      this.#logger.warn({ dropped: this.#overflow }, 'audit queue full: AuditEvents dropped');
      this.#overflow = 0;
    }
    while (this.#queue.length > 0) {
      const events = this.#queue.splice(0, this.#batchSize);
      const bundle: Bundle = {
        resourceType: 'Bundle',
        type: 'batch',
        entry: events.map((resource) => ({ resource, request: { method: 'POST', url: 'AuditEvent' } })),
      };
      try {
        const failed = failedEntries(await this.#fhir.batch(bundle));
        if (failed.length > 0) {
          this.#logger.warn({ dropped: failed.length, status: failed[0]?.status }, 'FHIR server refused some AuditEvents');
        }
      } catch (err) {
        this.#logger.warn({ dropped: events.length, status: statusOf(err) }, 'could not write AuditEvents');
      }
    }
  }
}
