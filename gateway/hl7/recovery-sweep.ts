/**
 * The walk both start-up recoveries share (HL7 v2: `recovery.ts`; FHIR notifications:
 * `../fhir-message/recovery.ts`): every message of the given channels left `received` by a crash
 * is judged again by the caller, then either registered in its person's order and queued (job id
 * = message id, so a job that does exist is not doubled) or recorded `rejected` with the reason.
 */
import type { Redis } from 'ioredis';
import type { AdtEvent } from '../../mappings/hl7/adt-types.js';
import type { MessageLog, MessageRecord } from '../../workers/message-log/index.js';
import { PersonOrder, personTokens } from '../../workers/processors/hl7-inbound-order.js';
import { makeJobId, type JobQueues } from '../../workers/queue/index.js';
import type { Logger } from '../log.js';

/**
 * Messages younger than this are left alone: longer than any intake takes (the MLLP handler
 * times out at 30 s), so a message still in the hands of a live process is never swept.
 */
export const DEFAULT_RECOVERY_AGE_MS = 60_000;

/** Ids read per `pendingSince` call. */
const PAGE = 500;

/** What a sweep needs: the intake's stores. */
export interface SweepDeps {
  messageLog: Pick<MessageLog, 'pendingSince' | 'get' | 'transition'>;
  queues: Pick<JobQueues, 'enqueue' | 'prefix'>;
  redis: Redis;
  logger: Pick<Logger, 'warn'>;
  olderThanMs?: number;
}

/** Counts of one sweep. */
export interface RecoveryReport {
  queued: number;
  rejected: number;
}

/** The caller's judgement of one pending message: the event to queue, or why it is refused. */
export type RecoveryDecision = { event: AdtEvent } | { reject: { reason: string; code?: string } };

/**
 * Finishes the receipts a crash interrupted on `channels`; `label` names the sweep in its log line.
 * @example await sweepPending(deps, new Set(['fhir-message']), 'fhir message', (record) => judge(record));
 */
export async function sweepPending(
  deps: SweepDeps,
  channels: ReadonlySet<string>,
  label: string,
  decide: (record: MessageRecord) => RecoveryDecision,
): Promise<RecoveryReport> {
  const order = new PersonOrder({ redis: deps.redis, prefix: deps.queues.prefix });
  const report: RecoveryReport = { queued: 0, rejected: 0 };
  const seen = new Set<string>();
  for (;;) {
    const ids = await deps.messageLog.pendingSince(deps.olderThanMs ?? DEFAULT_RECOVERY_AGE_MS, PAGE + seen.size);
    const fresh = ids.filter((id) => !seen.has(id));
    // Other channels' messages stay pending for their own sweeps: stop once a page brings nothing new.
    if (fresh.length === 0) break;
    for (const id of fresh) {
      seen.add(id);
      const record = await deps.messageLog.get(id);
      if (record.status !== 'received' || !channels.has(record.channel)) continue;
      const decision = decide(record);
      if ('reject' in decision) {
        await deps.messageLog.transition(id, 'rejected', decision.reject);
        report.rejected++;
        continue;
      }
      await order.register(id, personTokens(decision.event.sendingFacility.namespaceId, decision.event));
      await deps.queues.enqueue('hl7-inbound', { messageId: id }, {
        trace: { requestId: id, clientId: record.clientId, tenant: record.tenant },
        jobId: makeJobId('hl7-inbound', id),
      });
      await deps.messageLog.transition(id, 'queued', { reason: 'queued by the start-up recovery sweep' });
      report.queued++;
    }
  }
  if (report.queued + report.rejected > 0) deps.logger.warn(report, `${label} recovery: messages left unqueued by a crash were finished`);
  return report;
}
