import { OperationOutcomeError, getStatus, notFound } from '@medplum/core';
import type { OperationOutcome } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { failureOf, httpError, isTransient, outcomeForStatus, statusOf, transportError } from './errors.js';

const facts = { method: 'GET', target: 'Patient' };

describe('outcomeForStatus', () => {
  it('builds outcomes that Medplum reads back as the same status', () => {
    for (const status of [400, 401, 403, 404, 409, 410, 412, 429, 500, 504]) {
      expect(getStatus(outcomeForStatus(status, ''))).toBe(status);
    }
  });

  it('codes gateway errors as transient and gives every issue a code and a text', () => {
    expect(outcomeForStatus(503, 'Service Unavailable').issue[0]).toMatchObject({
      severity: 'error', code: 'transient', details: { text: 'FHIR server answered 503 Service Unavailable' },
    });
    expect(outcomeForStatus(422, '').issue[0]?.code).toBe('processing');
    expect(outcomeForStatus(418, '').issue[0]?.code).toBe('invalid');
  });
});

describe('httpError', () => {
  it("keeps the server's own OperationOutcome and the real status beside it", () => {
    const serverOutcome: OperationOutcome = {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'transient', diagnostics: 'HAPI-0000: database down' }],
    };
    const err = httpError(503, 'Service Unavailable', serverOutcome, facts);
    expect(err).toBeInstanceOf(OperationOutcomeError);
    expect(err.outcome).toBe(serverOutcome);
    // Medplum alone would read this outcome as a 400:
    expect(getStatus(serverOutcome)).toBe(400);
    expect(statusOf(err)).toBe(503);
    expect(isTransient(err)).toBe(true);
  });

  it('builds an outcome when the body is not one', () => {
    const err = httpError(404, 'Not Found', '<html>nope</html>', facts);
    expect(err.outcome).toEqual(notFound);
    expect(statusOf(err)).toBe(404);
    expect(isTransient(err)).toBe(false);
  });

  it('carries Retry-After for the caller to reschedule', () => {
    expect(failureOf(httpError(429, '', undefined, { ...facts, retryAfterMs: 60_000 }))?.retryAfterMs).toBe(60_000);
  });
});

describe('transportError', () => {
  it('reports a timeout as 504 with issue code timeout', () => {
    const err = transportError(new DOMException('aborted', 'TimeoutError'), { ...facts, timedOut: true });
    expect(err.outcome.issue[0]?.code).toBe('timeout');
    expect(statusOf(err)).toBe(504);
    expect(failureOf(err)).toMatchObject({ kind: 'timeout', maybeProcessed: true });
    expect(isTransient(err)).toBe(true);
  });

  it('reports a refused connection as transient and never sent', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const err = transportError(refused, { ...facts, timedOut: false });
    expect(err.outcome.issue[0]?.code).toBe('transient');
    expect(failureOf(err)).toMatchObject({ kind: 'network', status: 502, maybeProcessed: false, error: refused });
  });

  it('treats a reset socket as possibly processed', () => {
    const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    expect(failureOf(transportError(reset, { ...facts, timedOut: false }))?.maybeProcessed).toBe(true);
  });
});

describe('statusOf', () => {
  it("falls back to Medplum's reading for other OperationOutcomeErrors and ignores plain errors", () => {
    expect(statusOf(new OperationOutcomeError(notFound))).toBe(404);
    expect(statusOf(new Error('bug'))).toBeUndefined();
    expect(isTransient(new Error('bug'))).toBe(false);
  });
});
