/**
 * The one place where an error becomes an HTTP answer. `/fhir` answers in OperationOutcome,
 * everything else in problem JSON. Clients never see a stack trace; unexpected errors are
 * logged (without request data) and answered 500 with the request id to quote.
 */
import { getStatus } from '@medplum/core';
import type { OperationOutcome } from '@medplum/fhirtypes';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from './app-env.js';
import { HttpError } from './http-error.js';
import { isOutcomeError, problem, problemFromOutcome, PROBLEM_CONTENT_TYPE, type Problem } from './problem.js';

function isFhirPath(path: string): boolean {
  return path === '/fhir' || path.startsWith('/fhir/');
}

function outcomeFromProblem(p: Problem): OperationOutcome {
  const code = p.status === 401 ? 'login' : p.status === 403 ? 'forbidden' : p.status === 404 ? 'not-found' : p.status === 413 ? 'too-costly' : p.status >= 500 ? 'exception' : 'invalid';
  const issues = p.errors?.length ? p.errors : [{ path: '', message: p.detail ?? p.title }];
  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((e) => ({ severity: 'error', code, details: { text: e.message }, ...(e.path ? { expression: [e.path] } : {}) })),
  };
}

export function send(c: Context<AppEnv>, p: Problem, headers?: Record<string, string>): Response {
  if (isFhirPath(c.req.path)) {
    return c.body(JSON.stringify(outcomeFromProblem(p)), p.status as 400, { 'content-type': 'application/fhir+json', ...headers });
  }
  return c.body(JSON.stringify(p), p.status as 400, { 'content-type': PROBLEM_CONTENT_TYPE, ...headers });
}

export function onError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof HttpError) return send(c, problem(err.status, err.message, err.errors), err.headers);
  if (isOutcomeError(err)) {
    if (isFhirPath(c.req.path)) {
      return c.body(JSON.stringify(err.outcome), getStatus(err.outcome) as 400, { 'content-type': 'application/fhir+json' });
    }
    return send(c, problemFromOutcome(err.outcome));
  }
  if (err instanceof HTTPException) {
    // Hono's own: malformed JSON, validator failures without a hook, …
    const p = problem(err.status, err.message || undefined);
    return send(c, p.status >= 500 ? problem(500) : p);
  }
  const log = c.get('log');
  log?.error({ err: { name: err.name, message: err.message, stack: err.stack } }, 'unhandled error');
  const requestId = c.get('requestId');
  return send(c, problem(500, `internal error; quote request id ${requestId ?? 'unknown'} to the operator`));
}
