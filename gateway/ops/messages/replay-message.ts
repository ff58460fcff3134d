/**
 * Replay of an inbound message after a fix (SPEC §3, §9): record the replay in the message's
 * history, then re-enqueue it. The log refuses (409) a message that is not in a terminal status,
 * so a double click enqueues once and a message a worker holds is never enqueued twice.
 */
import { OperationOutcomeError, forbidden, notFound } from '@medplum/core';
import type { OperationOutcome } from '@medplum/fhirtypes';
import type { MessageLog } from '../../../workers/message-log/index.js';
import type { JobTrace } from '../../../workers/queue/index.js';
import type { Client } from '../../auth/clients-file.js';
import { canRead, canReplay, REPLAY_SCOPE } from './message-access.js';

/**
 * Re-enqueues stored message `messageId` (wired to the HL7 / FHIR inbound edge). `trace` names
 * the message's sender and tenant (for `_unassigned` messages, the implementation must resolve
 * the sender again from the message, now that it may be declared). `replayCount` is new on every
 * replay: use it in the job id (`hl7-inbound-<id>-r<n>`), because a repeated job id returns the
 * job still kept from the first run instead of running again.
 */
export type ReplayFn = (messageId: string, trace: JobTrace, info: { replayCount: number }) => Promise<{ jobId: string }>;

/** The parts of the message log a replay uses. */
export type ReplayLog = Pick<MessageLog, 'get' | 'markReplayed' | 'transition'>;

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
 *   `client` may not replay it), 409 (not replayable in its current status).
 */
export async function replayMessage(
  deps: { log: ReplayLog; replay: ReplayFn },
  input: { id: string; client: Client; requestId: string },
): Promise<ReplayResult> {
  const { id, client } = input;
  const record = await deps.log.get(id);
  if (!canRead(client, record)) throw new OperationOutcomeError(notFound);
  if (!canReplay(client, record)) throw new OperationOutcomeError(FORBIDDEN);
  // Who asked goes into the history (a client id, not personal data); no free text from the caller.
  const { replayCount } = await deps.log.markReplayed(id, { reason: `replay requested by client ${client.id}` });
  const trace: JobTrace = { requestId: input.requestId, clientId: record.clientId, tenant: record.tenant };
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
