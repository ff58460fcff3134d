/**
 * The commit step of HL7 v2 inbound (SPEC §3, §7, §9), shared by the MLLP listener and
 * `POST /v1/hl7v2`: bytes in, encoded ACK out.
 *
 * - `AR` when the message cannot be decoded or parsed, or its type, event or version is not
 *   supported; also when MSH-4 names a facility no client declares (MLLP), or one the
 *   authenticated caller does not declare (HTTP).
 * - `AE` when it parses but cannot be processed (no usable identifier, …: `assessHl7` says so).
 * - `AA` only once the raw message is in the message log **and** its job is queued.
 * Enhanced mode (MSH-15 set) answers `CA`/`CE`/`CR` instead (`buildAck`).
 *
 * Every message, answered AR/AE or AA, is recorded with its exact bytes and the reason. A message
 * from no known client (MLLP, unknown facility or unreadable header) is recorded under the
 * `_unassigned` tenant, which an operator can list.
 *
 * Resends: an accepted message is keyed on (sending facility, MSH-10) within its client. A resend
 * gets the stored ACK and is not processed again; a resend of a message whose ACK was never
 * stored (crash in between) is queued again (same job id, so BullMQ keeps one job) and answered.
 * Refused messages are not keyed: each copy is recorded and judged on its own bytes, so a sender
 * that fixes a refused message and resends it under the same MSH-10 is not answered from the past.
 *
 * Logs carry ids, codes and sizes, never message content.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { buildAck, type AckCode, type AckError, type AckStatus } from '../../mappings/hl7/ack.js';
import { assessHl7 } from '../../mappings/hl7/assess.js';
import { encodeHl7 } from '../../mappings/hl7/encode.js';
import type { MessageLog } from '../../workers/message-log/index.js';
import { PersonOrder, personTokens } from '../../workers/processors/hl7-inbound-order.js';
import { UNASSIGNED } from '../../workers/processors/hl7-inbound-unassigned.js';
import { makeJobId, type JobQueues } from '../../workers/queue/index.js';
import type { ClientRegistry } from '../auth/client-registry.js';
import type { Logger } from '../log.js';
import { KeyedLock } from './keyed-lock.js';
import { describeAckError, FACILITY_QUOTE_MAX, judgeHl7, type Hl7Policy, type Hl7Source } from './verdict.js';

export { UNASSIGNED };
export type { Hl7Source };

/** Stores, queues and acknowledges one message; resolves with the encoded ACK (not framed). */
export type Hl7Intake = (raw: Buffer, source: Hl7Source) => Promise<Buffer>;

/** What {@link createHl7Intake} needs. */
export interface Hl7IntakeDeps {
  clients: Pick<ClientRegistry, 'byHl7Facility' | 'byClientId'>;
  /** What the installation takes (MSH-11 processing ids); everything when absent. */
  policy?: Hl7Policy;
  messageLog: Pick<MessageLog, 'receive' | 'transitionAndSetAck' | 'setAck'>;
  queues: Pick<JobQueues, 'enqueue' | 'prefix'>;
  /** For the per-person order (`PersonOrder`), under `queues.prefix`; the workers use the same. */
  redis: Redis;
  logger: Pick<Logger, 'info' | 'warn'>;
  now?: () => Date;
}

/**
 * Builds the intake.
 *
 * @example
 *   const intake = createHl7Intake({ clients, messageLog, queues, redis, logger });
 *   const ack = await intake(frame, { channel: 'mllp', remoteAddress });
 */
export function createHl7Intake(deps: Hl7IntakeDeps): Hl7Intake {
  const now = deps.now ?? (() => new Date());
  const order = new PersonOrder({ redis: deps.redis, prefix: deps.queues.prefix });
  const lock = new KeyedLock();

  return async (raw, source) => {
    // Nothing is awaited before `lock.run`: the lock order is the order messages arrived in.
    const assessment = assessHl7(raw);
    const verdict = judgeHl7(assessment, source, deps.clients, deps.policy);
    const header = assessment.header;
    const facility = header?.sendingFacility.namespaceId ?? '';
    const common = {
      channel: source.channel,
      clientId: verdict.owner.clientId,
      tenant: verdict.owner.tenant,
      raw,
      ...(source.oversizedLimit !== undefined ? { truncated: true } : {}),
      charset: header?.charset || assessment.charset,
      ...(source.contentType !== undefined ? { contentType: source.contentType } : {}),
      summary: {
        messageType: header?.messageType,
        event: assessment.adt?.event.trigger ?? header?.triggerEvent,
        controlId: header?.controlId,
        sendingFacility: facility,
      },
    };
    const ack = (status: AckStatus, errors: AckError[]): { bytes: Buffer; code: AckCode } => {
      const built = buildAck({ status, header, errors, now: now(), controlId: randomBytes(8).toString('hex') });
      return { bytes: encodeHl7(built.text, built.charset), code: built.code };
    };
    const logLine = (messageId: string, extra: Record<string, unknown>) => ({
      messageId,
      channel: source.channel,
      clientId: verdict.owner.clientId,
      facility: facility.slice(0, FACILITY_QUOTE_MAX),
      event: common.summary.event,
      bytes: raw.length,
      ...extra,
    });

    if (verdict.status !== 'accept') {
      const record = await deps.messageLog.receive(common);
      const [first] = verdict.errors;
      const answer = ack(verdict.status, verdict.errors);
      const stored = await deps.messageLog.transitionAndSetAck(record.id, 'rejected', answer.bytes, {
        reason: [...verdict.errors.map(describeAckError), ...(source.oversizedLimit !== undefined ? [`only its first ${raw.length} bytes are kept`] : [])].join('; '),
        ...(first !== undefined ? { code: String(first.code) } : {}),
      });
      deps.logger.info(logLine(record.id, { ack: answer.code, code: first?.code }), 'hl7 message refused');
      return stored;
    }

    const tokens = assessment.adt === undefined ? [] : personTokens(facility, assessment.adt.event);
    // Stored and registered in its persons' order in one atomic call.
    const record = await lock.run(tokens, () =>
      deps.messageLog.receive({ ...common, dedupeKey: `${facility}|${header?.controlId ?? ''}`, joinSets: order.keys(tokens) }));

    if (record.duplicate && record.ack !== undefined) {
      if (record.samePayload === false) {
        deps.logger.warn(logLine(record.id, {}), 'hl7 resend with the same MSH-10 but other content: answered as the first one');
      }
      deps.logger.info(logLine(record.id, { duplicate: true, status: record.status }), 'hl7 resend acknowledged again');
      return record.ack;
    }
    // New, or a resend of a message whose first receipt stopped before its ACK was stored.
    if (record.status === 'received' || record.status === 'queued') {
      await deps.queues.enqueue(
        'hl7-inbound',
        { messageId: record.id },
        {
          trace: { requestId: source.requestId ?? record.id, clientId: verdict.owner.clientId, tenant: verdict.owner.tenant },
          jobId: makeJobId('hl7-inbound', record.id),
        },
      );
    }
    const answer = ack('accept', []);
    const stored = record.status === 'received'
      ? await deps.messageLog.transitionAndSetAck(record.id, 'queued', answer.bytes)
      : await deps.messageLog.setAck(record.id, answer.bytes);
    deps.logger.info(logLine(record.id, { duplicate: record.duplicate, ack: answer.code }), 'hl7 message accepted');
    return stored;
  };
}
