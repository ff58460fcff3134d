/**
 * Turns every way a FHIR call can fail into one `OperationOutcomeError`, and lets callers ask
 * afterwards what happened (`statusOf`, `isTransient`) without parsing messages.
 *
 * Medplum's `getStatus(outcome)` reads the status from Medplum's own outcome ids, which a HAPI
 * or Medplum *server* outcome does not carry (a 503 from HAPI would read as 400). So the facts
 * of the exchange travel beside the outcome, as the error's `cause` (a `FhirFailure`).
 */
import {
  OperationOutcomeError,
  badRequest,
  conflict,
  forbidden,
  getStatus,
  gone,
  isOperationOutcome,
  notFound,
  preconditionFailed,
  serverTimeout,
  tooManyRequests,
  unauthorized,
} from '@medplum/core';
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

/**
 * What kind of failure: the server answered with an error status (`http`), answered something
 * that is not what FHIR promises (`invalid-response`: unreadable JSON, a paging loop, the wrong
 * resource), or gave no answer in time (`timeout`) or at all (`network`).
 */
export type FailureKind = 'http' | 'invalid-response' | 'timeout' | 'network';

/**
 * The facts of a failed exchange, attached as `cause` of the thrown `OperationOutcomeError`.
 * Holds no URL query, body or id: it may end up in logs.
 */
export interface FhirFailure {
  readonly kind: FailureKind;
  /** HTTP status the server answered; 504 for `timeout`, 502 for `network` and `invalid-response`, as a gateway would say. */
  readonly status: number;
  readonly method: string;
  /** First path segment (resource type, `metadata`, or `''` for transaction/batch). */
  readonly target: string;
  /** Whether the request may have reached the server (decides if a non-idempotent call can be retried). */
  readonly maybeProcessed: boolean;
  /** Delay the server asked for with `Retry-After`, in milliseconds. */
  readonly retryAfterMs?: number;
  /** Low-level error (socket, DNS, timeout) for `network` / `timeout` failures. */
  readonly error?: unknown;
}

/** Gateway statuses for failures without an HTTP answer, so `statusOf` always yields a number. */
const TIMEOUT_STATUS = 504;
const NETWORK_STATUS = 502;

/** Error codes meaning "the connection was never made": the request cannot have been processed. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT',
]);
/** undici's own timeouts, besides our per-attempt deadline (an `AbortSignal.timeout`). */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

function issue(code: OperationOutcomeIssue['code'], text: string): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, details: { text } }] };
}

/**
 * The outcome for an error status when the server sent no OperationOutcome of its own. Uses
 * Medplum's canned outcomes where one exists, so `getStatus` agrees with the HTTP status.
 */
export function outcomeForStatus(status: number, statusText: string): OperationOutcome {
  const text = `FHIR server answered ${status}${statusText ? ` ${statusText}` : ''}`;
  switch (status) {
    case 400: return badRequest(text);
    case 401: return unauthorized;
    case 403: return forbidden;
    case 404: return notFound;
    case 409: return conflict(text);
    case 410: return gone;
    case 412: return preconditionFailed;
    case 429: return tooManyRequests;
    case 502:
    case 503: return issue('transient', text);
    case 504: return serverTimeout(text);
    default:
      if (status === 422) return issue('processing', text);
      if (status >= 500) return issue('exception', text);
      return issue('invalid', text);
  }
}

/** Builds the error for an HTTP error answer, keeping the server's own OperationOutcome if it sent one. */
export function httpError(
  status: number,
  statusText: string,
  body: unknown,
  facts: { method: string; target: string; retryAfterMs?: number },
): OperationOutcomeError {
  const outcome = isOperationOutcome(body) ? body : outcomeForStatus(status, statusText);
  const failure: FhirFailure = { kind: 'http', status, maybeProcessed: true, ...facts };
  return new OperationOutcomeError(outcome, failure);
}

/** Builds the error for a request that got no usable answer (refused, reset, timed out). */
export function transportError(
  error: unknown,
  facts: { method: string; target: string; timedOut: boolean },
): OperationOutcomeError {
  const code = errorCode(error);
  const timedOut = facts.timedOut || (code !== undefined && TIMEOUT_CODES.has(code));
  const maybeProcessed = code === undefined || !NOT_SENT_CODES.has(code);
  const what = `${facts.method} ${facts.target || '(base)'}`;
  const outcome = timedOut
    ? serverTimeout(`FHIR server did not answer in time (${what})`)
    : issue('transient', `FHIR server unreachable (${what}${code ? `: ${code}` : ''})`);
  const failure: FhirFailure = {
    kind: timedOut ? 'timeout' : 'network',
    status: timedOut ? TIMEOUT_STATUS : NETWORK_STATUS,
    method: facts.method,
    target: facts.target,
    maybeProcessed,
    error,
  };
  return new OperationOutcomeError(outcome, failure);
}

/** A malformed answer from the server (unparsable JSON, a paging loop): the server's bug, not the caller's. */
export function badGatewayError(text: string, facts: { method: string; target: string }): OperationOutcomeError {
  const failure: FhirFailure = { kind: 'invalid-response', status: NETWORK_STATUS, maybeProcessed: true, ...facts };
  return new OperationOutcomeError(issue('exception', text), failure);
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // Node wraps some socket errors (e.g. in AggregateError for happy-eyeballs connects).
  return errorCode((error as { cause?: unknown }).cause);
}

/** The `FhirFailure` behind an error thrown by `FhirClient`, if it is one. */
export function failureOf(err: unknown): FhirFailure | undefined {
  if (!(err instanceof OperationOutcomeError)) return undefined;
  const cause = err.cause as Partial<FhirFailure> | undefined;
  return cause && typeof cause.status === 'number' && typeof cause.kind === 'string' ? (cause as FhirFailure) : undefined;
}

/**
 * The HTTP status of a failure: what the FHIR server answered, 504 for a timeout, 502 when the
 * server could not be reached. For another `OperationOutcomeError`, Medplum's reading of its
 * outcome; `undefined` for anything else (a bug, not a FHIR failure).
 *
 * @example
 *   try { await fhir.update(plan, { ifMatch: '3' }); }
 *   catch (err) { if (statusOf(err) === 412) reloadAndRetry(); else throw err; }
 */
export function statusOf(err: unknown): number | undefined {
  const failure = failureOf(err);
  if (failure) return failure.status;
  return err instanceof OperationOutcomeError ? getStatus(err.outcome) : undefined;
}

/**
 * Whether trying the same call later may succeed: 429, any 5xx, timeouts and network failures.
 * Every other 4xx is permanent: the request itself must change (409/412 included: the caller
 * must re-read before writing again).
 */
export function isTransient(err: unknown): boolean {
  const status = statusOf(err);
  return status !== undefined && (status === 429 || status >= 500);
}
