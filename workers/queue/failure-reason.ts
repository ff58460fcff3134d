/**
 * BullMQ keeps one string per failed job (`failedReason`, the thrown error's message). A
 * processor's `OperationOutcomeError` is stored there as its OperationOutcome in JSON, so a status
 * query can give the client every issue with its path, not a flattened sentence.
 */
import type { OperationOutcome } from '@medplum/fhirtypes';
import { getStatus, isOperationOutcome, operationOutcomeToString } from '@medplum/core';

/** A failure as shown by `getJobStatus` and `listFailed`. */
export interface JobError {
  /** One line for humans. */
  message: string;
  /** HTTP status derived from the outcome (Medplum's `getStatus`), when the failure had one. */
  status?: number;
  /** The OperationOutcome thrown by the processor, issues and paths included. */
  outcome?: OperationOutcome;
}

const OUTCOME_MARK = 'OperationOutcome:';

/** The `failedReason` string stored for an OperationOutcome. */
export function encodeOutcome(outcome: OperationOutcome): string {
  return OUTCOME_MARK + JSON.stringify(outcome);
}

/** Reads back a `failedReason`: a structured error for encoded outcomes, the text otherwise. */
export function decodeFailure(reason: string): JobError {
  if (reason.startsWith(OUTCOME_MARK)) {
    try {
      const parsed: unknown = JSON.parse(reason.slice(OUTCOME_MARK.length));
      if (isOperationOutcome(parsed)) {
        return { message: operationOutcomeToString(parsed), status: getStatus(parsed), outcome: parsed };
      }
    } catch {
      // Not ours after all (BullMQ or a processor wrote a look-alike): fall through to plain text.
    }
  }
  return { message: reason };
}
