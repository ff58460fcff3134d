/**
 * Start-up recovery of HL7 v2 intake (crash safety): a message stored in the message log whose
 * process died before it was queued stays `received` and got no ACK (the sender will resend, and
 * the resend would queue it), but a sender may never resend. This sweep finds such messages
 * (`MessageLog.pendingSince`) and finishes what the intake started: judged again exactly as the
 * intake judges (`judgeHl7`), then registered in the person order and queued (job id = message
 * id, so a job that does exist is not doubled), or recorded `rejected` with the reason.
 *
 * Run it once at start-up, before the listener takes traffic, in any process that runs the
 * intake. `olderThanMs` keeps it off messages another live process is receiving right now.
 */
import type { Redis } from 'ioredis';
import { assessHl7 } from '../../mappings/hl7/assess.js';
import { HL7_ERROR } from '../../mappings/hl7/error-codes.js';
import type { MessageLog } from '../../workers/message-log/index.js';
import { PersonOrder, personTokens } from '../../workers/processors/hl7-inbound-order.js';
import { makeJobId, type JobQueues } from '../../workers/queue/index.js';
import type { ClientRegistry } from '../auth/client-registry.js';
import type { Logger } from '../log.js';
import { describeAckError, judgeHl7, type Hl7Verdict } from './verdict.js';

/**
 * Messages younger than this are left alone: longer than any intake takes (the MLLP handler
 * times out at 30 s), so a message still in the hands of a live process is never swept.
 */
export const DEFAULT_RECOVERY_AGE_MS = 60_000;

/** Ids read per `pendingSince` call. */
const PAGE = 500;

/** What {@link recoverPendingHl7} needs: the intake's dependencies. */
export interface Hl7RecoveryDeps {
  clients: Pick<ClientRegistry, 'byHl7Facility' | 'byClientId'>;
  messageLog: Pick<MessageLog, 'pendingSince' | 'get' | 'transition'>;
  queues: Pick<JobQueues, 'enqueue' | 'prefix'>;
  redis: Redis;
  logger: Pick<Logger, 'info' | 'warn'>;
  olderThanMs?: number;
}

/** Counts of one sweep. */
export interface Hl7RecoveryReport {
  queued: number;
  rejected: number;
}

/**
 * Queues (or rejects) every HL7 v2 message left `received` by a crash.
 *
 * @example
 *   await recoverPendingHl7({ clients, messageLog, queues, redis, logger }); // then start the listener
 */
export async function recoverPendingHl7(deps: Hl7RecoveryDeps): Promise<Hl7RecoveryReport> {
  const order = new PersonOrder({ redis: deps.redis, prefix: deps.queues.prefix });
  const report: Hl7RecoveryReport = { queued: 0, rejected: 0 };
  const seen = new Set<string>();
  for (;;) {
    const ids = await deps.messageLog.pendingSince(deps.olderThanMs ?? DEFAULT_RECOVERY_AGE_MS, PAGE + seen.size);
    const fresh = ids.filter((id) => !seen.has(id));
    // Other channels' messages stay pending for their own sweeps: stop once a page brings nothing new.
    if (fresh.length === 0) break;
    for (const id of fresh) {
      seen.add(id);
      const record = await deps.messageLog.get(id);
      const channel = record.channel;
      if (record.status !== 'received' || (channel !== 'mllp' && channel !== 'http-hl7')) continue;
      const assessment = assessHl7(record.raw);
      const verdict = judgeOrRefuse(assessment, { channel, clientId: record.clientId, tenant: record.tenant }, deps.clients);
      if (verdict.status !== 'accept' || assessment.adt === undefined) {
        await deps.messageLog.transition(id, 'rejected', {
          reason: verdict.errors.map(describeAckError).join('; ') || 'not processable',
          ...(verdict.errors[0] !== undefined ? { code: String(verdict.errors[0].code) } : {}),
        });
        report.rejected++;
        continue;
      }
      const event = assessment.adt.event;
      await order.register(id, personTokens(event.sendingFacility.namespaceId, event));
      await deps.queues.enqueue('hl7-inbound', { messageId: id }, {
        trace: { requestId: id, clientId: record.clientId, tenant: record.tenant },
        jobId: makeJobId('hl7-inbound', id),
      });
      await deps.messageLog.transition(id, 'queued', { reason: 'queued by the start-up recovery sweep' });
      report.queued++;
    }
  }
  if (report.queued + report.rejected > 0) deps.logger.warn(report, 'hl7 recovery: messages left unqueued by a crash were finished');
  return report;
}

/** The intake's verdict; a message whose HTTP caller is no longer declared is refused. */
function judgeOrRefuse(
  assessment: ReturnType<typeof assessHl7>,
  record: { channel: 'mllp' | 'http-hl7'; clientId: string; tenant: string },
  clients: Hl7RecoveryDeps['clients'],
): Hl7Verdict {
  try {
    return judgeHl7(assessment, { channel: record.channel, clientId: record.clientId }, clients);
  } catch {
    return {
      status: 'reject',
      owner: { clientId: record.clientId, tenant: record.tenant },
      errors: [{ code: HL7_ERROR.applicationInternalError, reason: `client ${record.clientId} is no longer declared` }],
    };
  }
}
