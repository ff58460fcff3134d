/**
 * Start-up recovery of `$process-message` (crash safety), the twin of `recoverPendingHl7`: a
 * notification stored whose process died before it was queued stays `received` with no answer
 * stored. A resend would queue it (same dedupe key), but a sender may never resend: this sweep
 * judges it again exactly as the worker does (`assessInbound`), then queues it or records it
 * `rejected` (`../hl7/recovery-sweep.ts`). Run once at start-up, before taking traffic;
 * `olderThanMs` leaves alone messages a live process is receiving right now.
 */
import type { MessageRecord } from '../../workers/message-log/index.js';
import { assessInbound } from '../../workers/processors/inbound-assessment.js';
import type { ClientRegistry } from '../auth/client-registry.js';
import { sweepPending, type RecoveryDecision, type RecoveryReport, type SweepDeps } from '../hl7/recovery-sweep.js';

/** What {@link recoverPendingFhirMessages} needs: the intake's dependencies. */
export interface FhirMessageRecoveryDeps extends SweepDeps {
  clients: Pick<ClientRegistry, 'byClientId'>;
}

const FHIR_CHANNELS: ReadonlySet<string> = new Set(['fhir-message']);

/**
 * Finishes the receipts a crash interrupted; resolves with how many were queued and rejected.
 * @example await recoverPendingFhirMessages({ clients, messageLog, queues, redis, logger });
 */
export function recoverPendingFhirMessages(deps: FhirMessageRecoveryDeps): Promise<RecoveryReport> {
  return sweepPending(deps, FHIR_CHANNELS, 'fhir message', (record) => decide(record, deps.clients));
}

function decide(record: MessageRecord, clients: FhirMessageRecoveryDeps['clients']): RecoveryDecision {
  const assessment = assessInbound(record, (clientId) => clients.byClientId(clientId)?.hl7Facilities);
  const event = assessment.adt?.event;
  if (assessment.status === 'accept' && event !== undefined && clients.byClientId(record.clientId) !== undefined) return { event };
  const reason = assessment.errors.map((e) => `${e.field ?? ''}: ${e.reason}`).join('; ') || `client ${record.clientId} is no longer declared`;
  return { reject: { reason, code: 'invalid' } };
}
