/**
 * Start-up recovery of HL7 v2 intake (crash safety): a message stored in the message log whose
 * process died before it was queued stays `received` and got no ACK (the sender will resend, and
 * the resend would queue it), but a sender may never resend. This sweep finds such messages
 * (`MessageLog.pendingSince`) and finishes what the intake started: judged again exactly as the
 * intake judges (`judgeHl7`), then queued or recorded `rejected` (`recovery-sweep.ts`).
 *
 * Run it once at start-up, before the listener takes traffic, in any process that runs the
 * intake. `olderThanMs` keeps it off messages another live process is receiving right now.
 */
import type { MessageRecord } from '../../workers/message-log/index.js';
import { assessHl7 } from '../../mappings/hl7/assess.js';
import { HL7_ERROR } from '../../mappings/hl7/error-codes.js';
import type { ClientRegistry } from '../auth/client-registry.js';
import { sweepPending, type RecoveryDecision, type RecoveryReport, type SweepDeps } from './recovery-sweep.js';
import { describeAckError, judgeHl7, type Hl7Policy, type Hl7Verdict } from './verdict.js';

export { DEFAULT_RECOVERY_AGE_MS } from './recovery-sweep.js';

/** What {@link recoverPendingHl7} needs: the intake's dependencies. */
export interface Hl7RecoveryDeps extends SweepDeps {
  clients: Pick<ClientRegistry, 'byHl7Facility' | 'byClientId'>;
  /** The intake's policy, so a message is judged the same way. */
  policy?: Hl7Policy;
}

/** Counts of one sweep. */
export type Hl7RecoveryReport = RecoveryReport;

const HL7_CHANNELS: ReadonlySet<string> = new Set(['mllp', 'http-hl7']);

/**
 * Queues (or rejects) every HL7 v2 message left `received` by a crash.
 *
 * @example
 *   await recoverPendingHl7({ clients, messageLog, queues, redis, logger }); // then start the listener
 */
export function recoverPendingHl7(deps: Hl7RecoveryDeps): Promise<Hl7RecoveryReport> {
  return sweepPending(deps, HL7_CHANNELS, 'hl7', (record) => decide(record, deps.clients, deps.policy));
}

function decide(record: MessageRecord, clients: Hl7RecoveryDeps['clients'], policy: Hl7Policy | undefined): RecoveryDecision {
  const assessment = assessHl7(record.raw);
  const verdict = judgeOrRefuse(assessment, record, clients, policy);
  if (verdict.status === 'accept' && assessment.adt !== undefined) {
    // The head of a frame over the size limit may read as a whole message: it never is one.
    if (record.truncated === true) {
      return { reject: { reason: 'message larger than the size limit; only its first bytes were kept', code: String(HL7_ERROR.applicationInternalError) } };
    }
    return { event: assessment.adt.event };
  }
  return {
    reject: {
      reason: verdict.errors.map(describeAckError).join('; ') || 'not processable',
      ...(verdict.errors[0] !== undefined ? { code: String(verdict.errors[0].code) } : {}),
    },
  };
}

/** The intake's verdict; a message whose HTTP caller is no longer declared is refused. */
function judgeOrRefuse(assessment: ReturnType<typeof assessHl7>, record: MessageRecord, clients: Hl7RecoveryDeps['clients'], policy: Hl7Policy | undefined): Hl7Verdict {
  try {
    return judgeHl7(assessment, { channel: record.channel as 'mllp' | 'http-hl7', clientId: record.clientId }, clients, policy);
  } catch {
    return {
      status: 'reject',
      owner: { clientId: record.clientId, tenant: record.tenant },
      errors: [{ code: HL7_ERROR.applicationInternalError, reason: `client ${record.clientId} is no longer declared` }],
    };
  }
}
