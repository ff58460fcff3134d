/**
 * The answer when the FHIR server behind the pathway fails. Its own OperationOutcome is not
 * passed on: Medplum's `getStatus` (used by `onError`) reads the status from outcome ids that
 * another server does not set, and the server's failure is not the caller's fault.
 */
import { notFound, OperationOutcomeError, serverTimeout } from '@medplum/core';
import { statusOf } from '../../workers/fhir-client/index.js';
import { HttpError } from '../http/http-error.js';

/** Runs one FHIR call: 404/410 become our not-found, a timeout 504, any other server failure 502. */
export async function fromFhir<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) throw err;
    const status = statusOf(err);
    if (status === 404 || status === 410) throw new OperationOutcomeError(notFound);
    if (status === 504) throw new OperationOutcomeError(serverTimeout('the FHIR server did not answer in time'));
    throw new HttpError(502, `the FHIR server failed to answer${status !== undefined ? ` (status ${status})` : ''}`);
  }
}
