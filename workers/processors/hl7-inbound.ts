/**
 * The `hl7-inbound` worker: one stored, already ACKed HL7 v2 message → one FHIR transaction,
 * then its effects (SPEC §3). The job carries the message-log id only (house practice 7).
 *
 * Steps: load the raw bytes → decode, parse, extract (`assessHl7`, the same pure code as the
 * edge; `readNotification` for a FHIR notification message, see `inbound-assessment.ts`) →
 * wait for the person's earlier messages (`hl7-inbound-order.ts`) → identity resolution
 * in the tenant (`hl7-inbound-identity.ts`) → `adtToTransaction` → `fhir.transaction` → effects
 * (`hl7-inbound-effects.ts`) → domain events (`publish`).
 *
 * Message-log statuses: `mapped` (with the mapping issues) → `written` (with the references);
 * `rejected` on a permanent failure (the content cannot be written as sent), `failed` once the
 * retries are spent; while retries remain, back to `queued` with the reason of the attempt.
 * `mapped` is recorded together with the step after it (one Redis call, its own time kept).
 *
 * Exactly once, as far as it can be observed: a message already `written` is not written again
 * (a job run twice after a crash returns the references it wrote); everything else is
 * idempotent — conditional writes keyed on business identifiers, version-aware updates that
 * skip unchanged resources, and event ids derived from the message id.
 */
import { badRequest, OperationOutcomeError } from '@medplum/core';
import type { Bundle, Organization } from '@medplum/fhirtypes';
import { DelayedError, UnrecoverableError } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { adtToTransaction, effectsProvenance, facilityIdentifier, facilityNamespaceFor, type AdtMappingContext } from '../../mappings/adt/index.js';
import type { AdtEvent } from '../../mappings/hl7/adt-types.js';
import { HL7_ERROR } from '../../mappings/hl7/error-codes.js';
import type { FhirClient } from '../fhir-client/index.js';
import type { EarlierStep, MessageLog, MessageRecord } from '../message-log/index.js';
import { classifyFailure } from '../queue/classify-failure.js';
import type { JobProcessor, QueueJob } from '../queue/index.js';
import { applyEffects } from './hl7-inbound-effects.js';
import type { Hl7EventPublisher } from './hl7-inbound-events.js';
import { KnownFacilities } from './hl7-inbound-facilities.js';
import { dischargeLookups } from './hl7-inbound-lookups.js';
import { assessInbound } from './inbound-assessment.js';
import { resolveIdentity } from './hl7-inbound-identity.js';
import { PersonOrder, personTokens } from './hl7-inbound-order.js';
import { UNASSIGNED } from './hl7-inbound-unassigned.js';

/**
 * How long a message first waits in the delayed set before checking again whether the earlier
 * messages of its person are written. Short: an ADT burst for one person is usually a few
 * messages a few milliseconds apart. The wait then grows with the time already waited (a tenth
 * of it), up to {@link MAX_ORDER_RETRY_DELAY_MS}: a person blocked by a message in a 4-minute
 * retry cycle is checked about 50 times, not 500.
 */
export const ORDER_RETRY_DELAY_MS = 500;

/** Longest wait between two checks of a parked message (see {@link ORDER_RETRY_DELAY_MS}). */
export const MAX_ORDER_RETRY_DELAY_MS = 5_000;

/**
 * How long a message waits for an earlier message of the same person before going ahead anyway.
 * An earlier message that fails is settled (`failed`) after its own retries, about 4 minutes
 * (STANDARD_RETRY); 10 minutes leaves room for that, and only a message whose job vanished
 * without settling (BullMQ failing a job that stalled twice) is ever waited out. Logged, and the
 * blocker is taken out of the person's order so the messages after it do not wait for it again.
 */
export const MAX_ORDER_WAIT_MS = 10 * 60_000;

/** Blockers found already settled and cleared in one run, before giving the turn back to BullMQ. */
const MAX_CLEARED_PER_RUN = 20;

/** A message that cannot be written as sent; `reason` is non-personal and goes to the message log. */
class MessageRejected extends UnrecoverableError {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Statuses after which a message no longer holds its person's turn. */
const SETTLED = new Set(['written', 'rejected', 'failed']);

/** What {@link createHl7InboundProcessor} needs. */
export interface Hl7InboundDeps {
  fhir: FhirClient;
  messageLog: Pick<MessageLog, 'get' | 'transition'>;
  /** For the per-person order; the same Redis as the edge. */
  redis: Redis;
  /** Key prefix of the per-person order: the queue prefix (`QUEUE_PREFIX`), as the edge uses. */
  prefix: string;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  now?: () => Date;
  /** Display name of the sending facility's Organization: the client's name. */
  facilityName?: (clientId: string) => string | undefined;
  /**
   * The client declaring a sending facility (MSH-4), from the clients file. When given, a message
   * whose facility is no longer declared by the client it was recorded for (the file changed
   * since, or an operator replays an old message) is rejected instead of written.
   */
  clientOfFacility?: (namespaceId: string) => string | undefined;
  /** Domain events, once written (webhooks). A failure retries the job: events are at least once. */
  publish?: Hl7EventPublisher;
  /** The HL7 facilities a client declares: the sending facility of its FHIR messages (`fhir-message` records). */
  declaredFacilities?: (clientId: string) => readonly string[] | undefined;
  /** Ordering delays (defaults {@link ORDER_RETRY_DELAY_MS}, {@link MAX_ORDER_WAIT_MS}); tests shorten them. */
  ordering?: { retryDelayMs?: number; maxWaitMs?: number };
}

/**
 * Builds the processor of the `hl7-inbound` queue.
 *
 * @example
 *   await runWorker('hl7-inbound', createHl7InboundProcessor({ fhir, messageLog, redis, prefix: config.QUEUE_PREFIX, logger }),
 *     { connection: redis, prefix: config.QUEUE_PREFIX, concurrency: config.WORKER_CONCURRENCY, logger });
 */
export function createHl7InboundProcessor(deps: Hl7InboundDeps): JobProcessor<'hl7-inbound'> {
  const now = deps.now ?? (() => new Date());
  const order = new PersonOrder({ redis: deps.redis, prefix: deps.prefix });
  const facilities = new KnownFacilities();
  const retryDelayMs = deps.ordering?.retryDelayMs ?? ORDER_RETRY_DELAY_MS;
  const maxWaitMs = deps.ordering?.maxWaitMs ?? MAX_ORDER_WAIT_MS;

  /**
   * Registers `messageId` in its persons' order (a no-op but for replays and recovery) and
   * resolves when it is first of its persons; otherwise parks the job (DelayedError).
   */
  const awaitTurn = async (job: QueueJob<'hl7-inbound'>, messageId: string, tokens: readonly string[]): Promise<void> => {
    for (let cleared = 0; cleared < MAX_CLEARED_PER_RUN; cleared++) {
      const blocker = cleared === 0 ? await order.registerAndFindBlocker(messageId, tokens) : await order.blockerOf(messageId, tokens);
      if (blocker === undefined) return;
      if (await isSettled(deps.messageLog, blocker)) {
        await order.release(blocker, tokens); // settled but never released (crash in between)
        continue;
      }
      const waited = Date.now() - job.timestamp;
      if (waited > maxWaitMs) {
        // Given up on: taken out of the order, so the person's later messages do not wait for it too.
        deps.logger?.warn({ messageId, blocker, maxWaitMs }, 'hl7 ordering: an earlier message of the same person is still pending; going ahead');
        await order.release(blocker, tokens);
        continue;
      }
      const delay = Math.min(Math.max(retryDelayMs, Math.round(waited / 10)), Math.max(retryDelayMs, MAX_ORDER_RETRY_DELAY_MS));
      await job.moveToDelayed(Date.now() + delay, job.token);
      throw new DelayedError();
    }
    throw new Error('hl7 ordering: too many settled messages cleared in one run; will try again');
  };

  return async (job) => {
    const { messageId } = job.data.payload;
    const record = await deps.messageLog.get(messageId);
    // FHIR notification messages (`fhir-message`) give the same AdtEvent as HL7 (inbound-assessment.ts).
    const assessment = assessInbound(record, deps.declaredFacilities);
    const event = assessment.adt?.event;
    const tokens = event === undefined ? [] : personTokens(event.sendingFacility.namespaceId, event);

    if (record.status === 'written') {
      // A job run again after its message was written (worker killed before completing the job).
      await order.release(messageId, tokens);
      return { resources: lastWritten(record) };
    }
    const owner = event === undefined ? undefined : deps.clientOfFacility?.(event.sendingFacility.namespaceId);
    // A FHIR message's sender is the authenticated caller, not a declared MSH-4: only HL7 is re-checked.
    const checkFacility = record.channel !== 'fhir-message' && event !== undefined && deps.clientOfFacility !== undefined;
    const disowned = record.tenant === UNASSIGNED || (checkFacility && owner !== record.clientId);
    if (assessment.status !== 'accept' || event === undefined || disowned) {
      const reason = disowned
        ? `MSH-4: the sending facility is not declared by client ${record.clientId}`
        : assessment.errors.map((e) => (e.field === undefined ? e.reason : `${e.field}: ${e.reason}`)).join('; ') || 'not processable';
      const code = disowned ? String(HL7_ERROR.tableValueNotFound) : String(assessment.errors[0]?.code ?? 'not-processable');
      await deps.messageLog.transition(messageId, 'rejected', { reason, code }, { leaveSets: order.keys(tokens) });
      throw new OperationOutcomeError(badRequest(`message ${messageId} cannot be processed: ${reason}`));
    }

    await awaitTurn(job, messageId, tokens);
    // Settled (written, rejected, failed), the message leaves its persons' order in the same call.
    const steps: MessageSteps = { leaveSets: order.keys(tokens) };
    try {
      const resources = await writeMessage(deps, facilities, record, event, [...(assessment.adt?.issues ?? [])], now(), steps);
      return { resources };
    } catch (err) {
      await settleFailure(deps, job, messageId, err, steps);
      throw err;
    }
  };
}

/** Steps of a message reached but not yet recorded in the message log, and its persons' order sets. */
interface MessageSteps {
  mapped?: EarlierStep;
  leaveSets: readonly string[];
}

/**
 * Maps, writes, applies the effects and announces them; returns the references written. The
 * `mapped` step is left in `steps`, recorded with `written` (or with the failure).
 */
async function writeMessage(
  deps: Hl7InboundDeps,
  facilities: KnownFacilities,
  record: MessageRecord,
  event: AdtEvent,
  extractionIssues: string[],
  at: Date,
  steps: MessageSteps,
): Promise<string[]> {
  const { clientId, tenant, id: messageId } = record;
  const name = deps.facilityName?.(clientId);
  const ctx: AdtMappingContext = {
    clientId,
    tenant,
    facilityNamespace: facilityNamespaceFor(clientId, event.sendingFacility, name !== undefined ? { name } : {}),
    now: at.toISOString(),
    messageId,
  };
  const identity = await resolveIdentity(deps.fhir, event, ctx);
  const mapped = adtToTransaction(event, ctx, identity === undefined ? {} : { match: identity.match, currentPatient: identity.currentPatient });
  const issues = [...extractionIssues, ...mapped.issues];
  steps.mapped = { status: 'mapped', at: Date.now(), ...(issues.length > 0 ? { detail: { reason: issues.join('; ') } } : {}) };
  if ((mapped.bundle.entry ?? []).length === 0) {
    throw new MessageRejected(`nothing to write: ${mapped.issues.join('; ') || 'no resource mapped'}`);
  }

  // Every entry is conditional (mappings/adt), so the transaction may safely be repeated; the
  // facility's Organization, once known to exist, is left out (hl7-inbound-facilities.ts); a
  // discharge's searches ride along when the Patient is known (hl7-inbound-lookups.ts).
  const lookups = dischargeLookups(mapped.effects, identity?.match, tenant, clientId);
  const bundle = lookups === undefined ? mapped.bundle : { ...mapped.bundle, entry: [...(mapped.bundle.entry ?? []), ...lookups.entries] };
  const { written, references, response } = await facilities.transaction(deps.fhir, bundle);
  const prefetched = await lookups?.read(deps.fhir, response);
  // SPEC §7, Provenance on every write: the effects are written after the transaction, so they
  // get their own (conditional: a job run again writes it once), in the effects' own transaction
  // when they have one (the usual discharge), else after them.
  const provenance = (targets: readonly string[]) => effectsProvenance(event, targets, ctx);
  const outcome = await applyEffects(
    { fhir: deps.fhir, tenant, clientId, messageId, now: ctx.now, written, facilityRef: facilityReference(mapped.bundle, written, clientId, event), prefetched, provenance },
    mapped.effects,
  );
  if (outcome.resources.length > 0 && outcome.provenanceWritten !== true) {
    const { resource, ifNoneExist } = provenance(outcome.resources);
    await deps.fhir.conditionalCreate(resource, ifNoneExist);
  }
  for (const domainEvent of outcome.events) await deps.publish?.(domainEvent);

  const resources = [...new Set([...references, ...outcome.resources])];
  await deps.messageLog.transition(messageId, 'written', {
    resources,
    ...(outcome.issues.length > 0 ? { reason: outcome.issues.join('; ') } : {}),
  }, { earlier: steps.mapped, leaveSets: steps.leaveSets });
  deps.logger?.info({ messageId, event: event.trigger, effect: mapped.effects.kind, resources: resources.length, events: outcome.events.length }, 'hl7 message written');
  return resources;
}

/** `Organization/<id>` of the sending facility as the transaction wrote it. */
function facilityReference(bundle: Bundle, written: (fullUrl: string) => string | undefined, clientId: string, event: AdtEvent): string | undefined {
  const own = facilityIdentifier(clientId, event.sendingFacility.namespaceId);
  const entry = (bundle.entry ?? []).find((e) =>
    e.resource?.resourceType === 'Organization' && ((e.resource as Organization).identifier ?? []).some((i) => i.system === own.system && i.value === own.value));
  return entry?.fullUrl === undefined ? undefined : written(entry.fullUrl);
}

/**
 * Records a failed attempt: back to `queued` while retries remain; `rejected` (permanent) or
 * `failed` (retries spent) otherwise, and the person's turn released so later messages go on.
 * Never masks the original error.
 */
async function settleFailure(deps: Hl7InboundDeps, job: QueueJob<'hl7-inbound'>, messageId: string, err: unknown, steps: MessageSteps): Promise<void> {
  const earlier = steps.mapped;
  const { permanent, status } = classifyFailure(err);
  const attempt = job.attemptsMade + 1;
  const final = permanent || attempt >= (job.opts.attempts ?? 1);
  const reason = describeFailure(err);
  const code = status !== undefined ? String(status) : undefined;
  try {
    if (final) {
      await deps.messageLog.transition(messageId, permanent ? 'rejected' : 'failed', { reason, ...(code !== undefined ? { code } : {}) }, { earlier, leaveSets: steps.leaveSets });
    } else {
      await deps.messageLog.transition(messageId, 'queued', { reason: `attempt ${attempt} failed (${reason}); will retry`, ...(code !== undefined ? { code } : {}) }, { earlier });
    }
  } catch (logErr) {
    deps.logger?.error({ messageId, error: describeFailure(logErr) }, 'hl7 inbound: could not record a failed attempt');
  }
}

/**
 * A failure as it may be stored and listed: an OperationOutcome's texts can echo input values
 * (personal data), so only its codes and paths are kept; other errors are technical.
 */
function describeFailure(err: unknown): string {
  if (err instanceof MessageRejected) return err.reason;
  if (err instanceof OperationOutcomeError) {
    const issues = (err.outcome.issue ?? []).map((i) => [i.code, ...(i.expression ?? [])].join(' at '));
    return `OperationOutcome: ${issues.join(', ') || 'error'}`;
  }
  if (err instanceof Error) return `${err.name}: ${err.message.slice(0, 300)}`;
  return 'error';
}

/** Whether the message `id` no longer holds its person's turn (settled, or gone). */
async function isSettled(log: Pick<MessageLog, 'get'>, id: string): Promise<boolean> {
  try {
    return SETTLED.has((await log.get(id)).status);
  } catch (err) {
    if (err instanceof OperationOutcomeError && err.outcome.issue?.[0]?.code === 'not-found') return true;
    throw err;
  }
}

/** References of the last `written` entry of a message's history. */
function lastWritten(record: MessageRecord): string[] {
  const entry = [...record.history].reverse().find((h) => h.status === 'written');
  return [...(entry?.resources ?? [])];
}
