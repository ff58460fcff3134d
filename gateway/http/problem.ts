/**
 * Problem JSON (RFC 9457) for `/v1` and the other non-FHIR endpoints. Every error a client
 * sees on those paths has this shape; `errors` names each faulty field by its path.
 */
import { getStatus, isOperationOutcome, OperationOutcomeError } from '@medplum/core';
import type { OperationOutcome } from '@medplum/fhirtypes';
import type { ZodError } from 'zod';

export interface FieldError {
  /** Dotted path of the faulty field, e.g. `team.members.2.role`; empty for the whole body. */
  path: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function problem(status: number, detail?: string, errors?: FieldError[]): Problem {
  return {
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    ...(detail ? { detail } : {}),
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

/** Every zod issue becomes one field error, so a client can fix all its fields at once. */
export function problemFromZod(error: ZodError, status = 400): Problem {
  const errors = error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    // An unknown field is named by its own path, not its parent's.
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: [...path, key].join('.'), message: 'unknown field' }));
    return [{ path: path.join('.'), message: issue.message }];
  });
  return problem(status, `${errors.length} invalid field${errors.length > 1 ? 's' : ''}`, errors);
}

export function problemFromOutcome(outcome: OperationOutcome): Problem {
  const status = getStatus(outcome);
  const issues = outcome.issue ?? [];
  const errors = issues
    .filter((i) => i.severity === 'error' || i.severity === 'fatal')
    .map((i) => ({ path: (i.expression ?? i.location ?? []).join(', '), message: i.details?.text ?? i.diagnostics ?? i.code }));
  return problem(status, issues[0]?.details?.text ?? issues[0]?.diagnostics, errors.length > 1 || errors[0]?.path ? errors : undefined);
}

export function isOutcomeError(err: unknown): err is OperationOutcomeError {
  return err instanceof OperationOutcomeError || (err instanceof Error && isOperationOutcome((err as { outcome?: unknown }).outcome));
}
