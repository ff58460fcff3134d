/**
 * The commit step of `POST /fhir/$process-message` (SPEC §3, §9), the FHIR twin of the HL7
 * intake (`gateway/hl7/intake.ts`): bytes in, answer out.
 *
 * - Every body is stored in the message log (channel `fhir-message`, content type kept) before
 *   anything is answered, refused ones included: listed and replayable after a fix.
 * - Refused (`400`): not JSON, or `readNotification` names faulty fields. Stored, moved to
 *   `rejected` with the fields (never values), answered with one OperationOutcome issue per field.
 *   Not keyed: a fixed resend under the same `Bundle.id` is judged on its own bytes.
 * - Accepted (`200`): received under the dedupe key `Bundle/<Bundle.id>` (per client), its person
 *   registered in the per-person order (shared with HL7, so one person's messages are applied in
 *   arrival order whatever their channel), queued on `hl7-inbound` (the same worker as HL7), then
 *   answered with the response message. A resend gets the stored answer and is not processed
 *   again; a resend of a receipt that stopped before its answer is queued again (same job id).
 *
 * Logs carry ids, codes and sizes, never message content.
 */
import type { Redis } from 'ioredis';
import { errorOutcome, notificationFacility, readNotificationBytes, responseMessage } from '../../mappings/notification/index.js';
import type { MessageLog } from '../../workers/message-log/index.js';
import { PersonOrder, personTokens } from '../../workers/processors/hl7-inbound-order.js';
import { makeJobId, type JobQueues } from '../../workers/queue/index.js';
import type { ClientRegistry } from '../auth/client-registry.js';
import { KeyedLock } from '../hl7/keyed-lock.js';
import type { Logger } from '../log.js';

/** Who posted the message. */
export interface FhirMessageSource {
  /** The authenticated client. */
  clientId: string;
  requestId: string;
  contentType?: string;
  /** Public URL of `$process-message` (the response's `MessageHeader.source.endpoint`). */
  endpoint: string;
}

/** What to answer: the status and the FHIR JSON body. */
export interface FhirMessageAnswer {
  status: 200 | 400;
  body: Buffer;
  /** Message-log id of the stored message. */
  messageId: string;
}

export type FhirMessageIntake = (raw: Buffer, source: FhirMessageSource) => Promise<FhirMessageAnswer>;

/** What {@link createFhirMessageIntake} needs. */
export interface FhirMessageIntakeDeps {
  clients: Pick<ClientRegistry, 'byClientId'>;
  messageLog: Pick<MessageLog, 'receive' | 'transitionAndSetAck' | 'setAck'>;
  queues: Pick<JobQueues, 'enqueue' | 'prefix'>;
  /** For the per-person order, under `queues.prefix` (as the HL7 intake and the worker). */
  redis: Redis;
  logger: Pick<Logger, 'info' | 'warn'>;
  now?: () => Date;
}

/** The dedupe key of an accepted message: never equal to an HL7 key (`MSH-4|MSH-10` always holds a `|`). */
export function fhirMessageDedupeKey(bundleId: string): string {
  return `Bundle/${bundleId}`;
}

/**
 * Builds the intake.
 * @example
 *   const intake = createFhirMessageIntake({ clients, messageLog, queues, redis, logger });
 *   const { status, body } = await intake(raw, { clientId, requestId, endpoint });
 */
export function createFhirMessageIntake(deps: FhirMessageIntakeDeps): FhirMessageIntake {
  const now = deps.now ?? (() => new Date());
  const order = new PersonOrder({ redis: deps.redis, prefix: deps.queues.prefix });
  const lock = new KeyedLock();

  return async (raw, source) => {
    const client = deps.clients.byClientId(source.clientId);
    if (client === undefined) throw new Error('fhir message: the authenticated client is not in the registry');
    const facility = notificationFacility(client.id, client.hl7Facilities);
    // Synchronous up to `lock.run`: the lock order is the order messages arrived in.
    const reading = readNotificationBytes(raw, { facility });
    const common = {
      channel: 'fhir-message' as const,
      clientId: client.id,
      tenant: client.tenant,
      raw,
      charset: 'utf-8',
      ...(source.contentType !== undefined ? { contentType: source.contentType } : {}),
      summary: {
        messageType: 'FHIR message',
        // Only a supported code: the summary is listed, and an unknown code is free text from the sender.
        ...(reading.event !== undefined ? { event: reading.eventCode } : {}),
        ...(reading.bundleId !== undefined ? { controlId: reading.bundleId } : {}),
        sendingFacility: facility.namespaceId,
      },
    };
    const logLine = (messageId: string, extra: Record<string, unknown>) => ({
      messageId, channel: 'fhir-message', clientId: client.id, event: reading.event?.trigger, bytes: raw.length, ...extra,
    });

    if (reading.event === undefined || reading.bundleId === undefined) {
      const record = await deps.messageLog.receive(common);
      const body = await deps.messageLog.transitionAndSetAck(record.id, 'rejected', Buffer.from(JSON.stringify(errorOutcome(reading.errors))), {
        reason: reading.errors.map((e) => `${e.expression}: ${e.reason}`).join('; '),
        code: 'invalid',
      });
      deps.logger.info(logLine(record.id, { status: 400, faults: reading.errors.length }), 'fhir message refused');
      return { status: 400, body, messageId: record.id };
    }

    const event = reading.event;
    const tokens = personTokens(facility.namespaceId, event);
    // Stored and registered in its persons' order in one atomic call.
    const record = await lock.run(tokens, () =>
      deps.messageLog.receive({ ...common, dedupeKey: fhirMessageDedupeKey(reading.bundleId!), joinSets: order.keys(tokens) }));

    if (record.duplicate && record.ack !== undefined) {
      if (record.samePayload === false) deps.logger.warn(logLine(record.id, {}), 'fhir message resent with the same Bundle.id but other content: answered as the first one');
      deps.logger.info(logLine(record.id, { duplicate: true, status: record.status }), 'fhir message resend answered again');
      return { status: 200, body: record.ack, messageId: record.id };
    }
    if (record.status === 'received' || record.status === 'queued') {
      await deps.queues.enqueue('hl7-inbound', { messageId: record.id }, {
        trace: { requestId: source.requestId, clientId: client.id, tenant: client.tenant },
        jobId: makeJobId('hl7-inbound', record.id),
      });
    }
    const answer = responseMessage({
      requestBundleId: reading.bundleId,
      eventCoding: reading.eventCoding,
      messageId: record.id,
      timestamp: now().toISOString(),
      endpoint: source.endpoint,
    });
    const bytes = Buffer.from(JSON.stringify(answer));
    const body = record.status === 'received'
      ? await deps.messageLog.transitionAndSetAck(record.id, 'queued', bytes)
      : await deps.messageLog.setAck(record.id, bytes);
    deps.logger.info(logLine(record.id, { duplicate: record.duplicate, status: 200 }), 'fhir message accepted');
    return { status: 200, body, messageId: record.id };
  };
}
