/**
 * Start-up recovery of `$process-message` (crash safety), the twin of `recoverPendingHl7`: a
 * notification stored whose process died before it was queued stays `received` with no answer
 * stored. A resend would queue it (same dedupe key), but a sender may never resend: this sweep
 * judges it again exactly as the worker does (`assessInbound`), then registers it in the person
 * order and queues it (job id = message id: a job that exists is not doubled), or records it
 * `rejected`. Run once at start-up, before taking traffic; `olderThanMs` leaves alone messages
 * a live process is receiving right now.
 */
import type { Redis } from 'ioredis';
import type { MessageLog } from '../../workers/message-log/index.js';
import { assessInbound } from '../../workers/processors/inbound-assessment.js';
import { PersonOrder, personTokens } from '../../workers/processors/hl7-inbound-order.js';
import { makeJobId, type JobQueues } from '../../workers/queue/index.js';
import type { ClientRegistry } from '../auth/client-registry.js';
import { DEFAULT_RECOVERY_AGE_MS } from '../hl7/recovery.js';
import type { Logger } from '../log.js';

/** Ids read per `pendingSince` call. */
const PAGE = 500;

/** What {@link recoverPendingFhirMessages} needs: the intake's dependencies. */
export interface FhirMessageRecoveryDeps {
  clients: Pick<ClientRegistry, 'byClientId'>;
  messageLog: Pick<MessageLog, 'pendingSince' | 'get' | 'transition'>;
  queues: Pick<JobQueues, 'enqueue' | 'prefix'>;
  redis: Redis;
  logger: Pick<Logger, 'warn'>;
  olderThanMs?: number;
}

/**
 * Finishes the receipts a crash interrupted; resolves with how many were queued and rejected.
 * @example await recoverPendingFhirMessages({ clients, messageLog, queues, redis, logger });
 */
export async function recoverPendingFhirMessages(deps: FhirMessageRecoveryDeps): Promise<{ queued: number; rejected: number }> {
  const order = new PersonOrder({ redis: deps.redis, prefix: deps.queues.prefix });
  const report = { queued: 0, rejected: 0 };
  const seen = new Set<string>();
  for (;;) {
    const ids = await deps.messageLog.pendingSince(deps.olderThanMs ?? DEFAULT_RECOVERY_AGE_MS, PAGE + seen.size);
    const fresh = ids.filter((id) => !seen.has(id));
    if (fresh.length === 0) break; // other channels' messages stay pending for their own sweeps
    for (const id of fresh) {
      seen.add(id);
      const record = await deps.messageLog.get(id);
      if (record.status !== 'received' || record.channel !== 'fhir-message') continue;
      const assessment = assessInbound(record, (clientId) => deps.clients.byClientId(clientId)?.hl7Facilities);
      const event = assessment.adt?.event;
      if (assessment.status !== 'accept' || event === undefined || deps.clients.byClientId(record.clientId) === undefined) {
        const reason = assessment.errors.map((e) => `${e.field ?? ''}: ${e.reason}`).join('; ') || `client ${record.clientId} is no longer declared`;
        await deps.messageLog.transition(id, 'rejected', { reason, code: 'invalid' });
        report.rejected++;
        continue;
      }
      await order.register(id, personTokens(event.sendingFacility.namespaceId, event));
      await deps.queues.enqueue('hl7-inbound', { messageId: id }, {
        trace: { requestId: id, clientId: record.clientId, tenant: record.tenant },
        jobId: makeJobId('hl7-inbound', id),
      });
      await deps.messageLog.transition(id, 'queued', { reason: 'queued by the start-up recovery sweep' });
      report.queued++;
    }
  }
  if (report.queued + report.rejected > 0) deps.logger.warn(report, 'fhir message recovery: messages left unqueued by a crash were finished');
  return report;
}
