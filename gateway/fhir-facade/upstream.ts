/**
 * The facade's answer when the FHIR server behind it fails. The server's own outcome is not
 * passed on as it is: Medplum's `getStatus` (used by `onError`) reads the HTTP status from
 * outcome ids that another server does not set, and a server's 5xx is our 502, not the
 * client's fault. So each failure is re-expressed with the status the client should see.
 */
import { badRequest, businessRule, conflict, notFound, OperationOutcomeError, preconditionFailed, serverTimeout } from '@medplum/core';
import type { OperationOutcome } from '@medplum/fhirtypes';
import { statusOf } from '../../workers/fhir-client/index.js';
import { HttpError } from '../http/http-error.js';

function firstText(outcome: OperationOutcome | undefined, fallback: string): string {
  const first = outcome?.issue?.[0];
  return first?.details?.text ?? first?.diagnostics ?? fallback;
}

/** A 502: the FHIR server answered something the facade cannot use. */
export function badGateway(text: string): HttpError {
  return new HttpError(502, text);
}

/** Maps an error thrown by `FhirClient` onto the facade's answer (other errors pass unchanged). */
export function fromUpstream(err: unknown): unknown {
  if (!(err instanceof OperationOutcomeError)) return err;
  const status = statusOf(err);
  const outcome = err.outcome;
  switch (status ?? 0) {
    case 400:
      // The request the facade built from the client's was refused: the client's values were bad.
      return new OperationOutcomeError({
        resourceType: 'OperationOutcome',
        issue: (outcome.issue ?? [badRequest('invalid request').issue[0]!]).map((i) => ({ ...i, code: i.code === 'exception' ? 'invalid' : i.code })),
      });
    case 422:
      return new OperationOutcomeError({ ...businessRule('invalid', firstText(outcome, 'invalid resource')), issue: outcome.issue ?? [] });
    case 404:
    case 410:
      // Gone or never there: same answer, so a deleted resource of another tenant reads like an unknown one.
      return new OperationOutcomeError(notFound);
    case 409:
      return new OperationOutcomeError(conflict(firstText(outcome, 'conflict')));
    case 412:
      return new OperationOutcomeError(preconditionFailed);
    case 504:
      return new OperationOutcomeError(serverTimeout('the FHIR server did not answer in time'));
    default:
      return badGateway(`the FHIR server behind this facade failed${status ? ` (status ${status})` : ''}`);
  }
}

/** Runs one call to the FHIR server, translating its failure (see `fromUpstream`). */
export async function upstream<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw fromUpstream(err);
  }
}
