/**
 * Tells permanent failures from transient ones, in the one place where a worker turns errors into
 * BullMQ outcomes (house practice 4). Permanent: the input itself is wrong (a 4xx other than the
 * four below); retrying cannot help, so the job fails at once. Everything else (5xx, network,
 * timeouts, programming errors) is retried per the queue's policy.
 */
import { OperationOutcomeError } from '@medplum/core';
import { UnrecoverableError } from 'bullmq';
import { statusOf } from '../fhir-client/errors.js';
import { encodeOutcome } from './failure-reason.js';

/**
 * 4xx answers that are worth retrying: 408 timeout, 409 conflict and 412 precondition failed
 * (a concurrent write of the same resource; the next attempt reads the new version), 429 rate limit.
 */
export const RETRYABLE_CLIENT_STATUSES: ReadonlySet<number> = new Set([408, 409, 412, 429]);

/** True for statuses after which the same input will fail the same way. */
export function isPermanentStatus(status: number): boolean {
  return status >= 400 && status < 500 && !RETRYABLE_CLIENT_STATUSES.has(status);
}

/** What to throw back to BullMQ, and what to log about it. */
export interface ClassifiedFailure {
  /** `UnrecoverableError` when permanent (BullMQ then skips the remaining attempts). */
  error: Error;
  permanent: boolean;
  /** Status of an OperationOutcomeError. */
  status?: number;
}

/** Classifies whatever a processor threw. */
export function classifyFailure(thrown: unknown): ClassifiedFailure {
  if (thrown instanceof UnrecoverableError) return { error: thrown, permanent: true };
  if (thrown instanceof OperationOutcomeError) {
    // The HTTP status the FHIR server really answered (a 503 must not read as Medplum's default 400).
    const status = statusOf(thrown) ?? 500;
    const permanent = isPermanentStatus(status);
    const message = encodeOutcome(thrown.outcome);
    const error = permanent ? new UnrecoverableError(message) : new Error(message, { cause: thrown });
    if (thrown.stack !== undefined) error.stack = thrown.stack;
    return { error, permanent, status };
  }
  if (thrown instanceof Error) return { error: thrown, permanent: false };
  return { error: new Error(`non-Error thrown: ${String(thrown)}`), permanent: false };
}
