/**
 * Replay of an inbound message after a fix (SPEC §3, §9): record the replay in the message's
 * history, then re-enqueue it. The log refuses (409) a message that is not in a terminal status,
 * so a double click enqueues once and a message a worker holds is never enqueued twice.
 *
 * A message of an undeclared sender (tenant `_unassigned`) is replayed once a client declares
 * its sender, the fix it waits for: it first moves to that client and tenant, so it is written
 * and listed there. Until then, and into another tenant than the admin's own, it is refused.
 */
import { OperationOutcomeError, conflict, forbidden, notFound } from '@medplum/core';
import type { OperationOutcome } from '@medplum/fhirtypes';
import type { MessageLog, MessageRecord } from '../../../workers/message-log/index.js';
import type { JobTrace } from '../../../workers/queue/index.js';
import type { Client } from '../../auth/clients-file.js';
import { canRead, canReplay, REPLAY_SCOPE, UNASSIGNED_TENANT, type MessageOwner } from './message-access.js';

/**
 * Re-enqueues stored message `messageId` (wired to the HL7 / FHIR inbound edge). `trace` names
 * the message's sender and tenant. `replayCount` is new on every replay: use it in the job id
 * (`hl7-inbound-<id>-r<n>`), because a repeated job id returns the job still kept from the first
 * run instead of running again.
 */
export type ReplayFn = (messageId: string, trace: JobTrace, info: { replayCount: number }) => Promise<{ jobId: string }>;

/** The client and tenant that declare a stored message's sender today, if any (HL7: MSH-4). */
export type SenderResolver = (record: MessageRecord) => MessageOwner | undefined;

/** The parts of the message log a replay uses. */
export type ReplayLog = Pick<MessageLog, 'get' | 'markReplayed' | 'transition' | 'reassign'>;

export interface ReplayResult {
  messageId: string;
  jobId: string;
  replayCount: number;
}

// Medplum derives the HTTP status from the outcome's `id`: keep `forbidden`'s, with our text.
const FORBIDDEN: OperationOutcome = {
  ...forbidden,
  issue: [{ severity: 'error', code: 'forbidden', details: { text: `replaying needs the admin scope, or the ${REPLAY_SCOPE} scope for the client that sent the message` } }],
};

/**
 * Replays message `id` for `client`.
 * @throws OperationOutcomeError 404 (unknown or not visible to `client`), 403 (visible, but
 *   `client` may not replay it, or an undeclared sender's message into another tenant), 409 (not
 *   replayable in its current status, or no client declares its sender yet).
 */
export async function replayMessage(
  deps: { log: ReplayLog; replay: ReplayFn; resolveSender: SenderResolver },
  input: { id: string; client: Client; requestId: string },
): Promise<ReplayResult> {
  const { id, client } = input;
  const record = await deps.log.get(id);
  if (!canRead(client, record)) throw new OperationOutcomeError(notFound);
  if (!canReplay(client, record)) throw new OperationOutcomeError(FORBIDDEN);
  if (record.truncated === true) {
    throw new OperationOutcomeError(conflict('Only the first bytes of this message were kept (it was over the size limit): it cannot be replayed; the sender sends it again within the limit'));
  }
  const owner = record.tenant === UNASSIGNED_TENANT ? await claimUnassigned(deps, record, client) : record;
  // Who asked goes into the history (a client id, not personal data); no free text from the caller.
  const { replayCount } = await deps.log.markReplayed(id, { reason: `replay requested by client ${client.id}` });
  const trace: JobTrace = { requestId: input.requestId, clientId: owner.clientId, tenant: owner.tenant };
  try {
    const { jobId } = await deps.replay(id, trace, { replayCount });
    return { messageId: id, jobId, replayCount };
  } catch (err) {
    // The message now says `queued` but no job holds it: mark it failed so it can be replayed
    // again, instead of leaving it stuck where replay answers 409.
    await deps.log
      .transition(id, 'failed', { reason: 'replay could not be queued; replay again', code: 'replay-not-queued' })
      .catch(() => undefined);
    throw err;
  }
}

/**
 * Moves an undeclared sender's message to the client declaring its sender now, in the replaying
 * admin's tenant (an admin of another tenant sees it, but does not write into that one).
 * @throws OperationOutcomeError 409 while no client declares the sender, 403 for another tenant.
 */
async function claimUnassigned(deps: { log: ReplayLog; resolveSender: SenderResolver }, record: MessageRecord, client: Client): Promise<MessageOwner> {
  const owner = deps.resolveSender(record);
  if (owner === undefined) {
    throw new OperationOutcomeError(conflict('No client declares the sender of this message yet: declare it (hl7Facilities in the clients file), then replay'));
  }
  if (owner.tenant !== client.tenant) {
    throw new OperationOutcomeError({
      ...forbidden,
      issue: [{ severity: 'error', code: 'forbidden', details: { text: 'the sender is declared by a client of another tenant; an admin of that tenant replays it' } }],
    });
  }
  await deps.log.reassign(record.id, owner, `sender declared by client ${owner.clientId}`);
  return owner;
}
