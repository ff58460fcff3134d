import {
  OperationOutcomeError, badRequest, conflict, forbidden, notFound, preconditionFailed, serverError, tooManyRequests,
} from '@medplum/core';
import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { classifyFailure, isPermanentStatus } from './classify-failure.js';
import { decodeFailure } from './failure-reason.js';

describe('classifyFailure', () => {
  it('makes a 4xx outcome permanent: the same input would fail again', () => {
    for (const outcome of [badRequest('bad', 'patient.birthDate'), notFound, forbidden]) {
      const { error, permanent } = classifyFailure(new OperationOutcomeError(outcome));
      expect(permanent).toBe(true);
      expect(error).toBeInstanceOf(UnrecoverableError);
    }
  });

  it('retries 408, 409, 412, 429 and 5xx outcomes', () => {
    expect([408, 409, 412, 429, 500, 503].map(isPermanentStatus)).toEqual([false, false, false, false, false, false]);
    for (const outcome of [conflict('version'), preconditionFailed, tooManyRequests, serverError(new Error('x'))]) {
      const { error, permanent } = classifyFailure(new OperationOutcomeError(outcome));
      expect(permanent).toBe(false);
      expect(error).not.toBeInstanceOf(UnrecoverableError);
    }
  });

  it('retries errors without an outcome, and keeps an UnrecoverableError permanent', () => {
    const network = new Error('connect ECONNREFUSED');
    expect(classifyFailure(network)).toEqual({ error: network, permanent: false });
    expect(classifyFailure('a string').error).toBeInstanceOf(Error);
    const explicit = new UnrecoverableError('no');
    expect(classifyFailure(explicit)).toEqual({ error: explicit, permanent: true });
  });

  it('stores the outcome so a status query gets every issue with its path back', () => {
    const outcome = badRequest('birthDate must be a date', 'patient.birthDate');
    const { error, status } = classifyFailure(new OperationOutcomeError(outcome));
    expect(status).toBe(400);
    const decoded = decodeFailure(error.message);
    expect(decoded.status).toBe(400);
    expect(decoded.outcome).toEqual(outcome);
    expect(decoded.message).toContain('birthDate must be a date');
  });

  it('reads other failure reasons as plain text', () => {
    expect(decodeFailure('job stalled more than allowable limit')).toEqual({ message: 'job stalled more than allowable limit' });
    expect(decodeFailure('OperationOutcome:{not json')).toEqual({ message: 'OperationOutcome:{not json' });
  });
});

describe('classifyFailure of FHIR server failures', () => {
  it('retries a job whose FHIR server answered 503, instead of failing it for good', async () => {
    const { FhirClient } = await import('../fhir-client/index.js');
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"transient","diagnostics":"down"}]}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const client = new FhirClient({ baseUrl: `http://127.0.0.1:${port}/fhir`, retry: { attempts: 1 } });
    try {
      const thrown = await client.read('Patient', 'x').catch((err: unknown) => err);
      const classified = classifyFailure(thrown);
      expect(classified.permanent).toBe(false);
      expect(classified.status).toBe(503);
    } finally {
      await client.close();
      server.close();
    }
  });
});
