/**
 * How the client survives a misbehaving server: retries, timeouts, resets, error outcomes.
 * The server is a real HTTP double (`testing/scripted-fhir-server.ts`) standing for HAPI or a proxy.
 */
import { OperationOutcomeError, tooManyRequests } from '@medplum/core';
import type { OperationOutcome, Patient } from '@medplum/fhirtypes';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FhirClient } from './client.js';
import { failureOf, isTransient, statusOf } from './errors.js';
import { MAX_RETRY_AFTER_MS } from './retry-policy.js';
import { startScriptedFhirServer } from './testing/scripted-fhir-server.js';
import type { ScriptedServer } from './testing/scripted-fhir-server.js';
import type { FhirClientLogger } from './transport.js';

const patient: Patient = { resourceType: 'Patient', id: 'p1', meta: { versionId: '1' }, name: [{ family: 'Dupont' }] };

/** A logger that keeps every line, to count retries and check nothing personal is logged. */
function recordingLogger(): FhirClientLogger & { lines: { level: string; obj: object; msg: string }[] } {
  const lines: { level: string; obj: object; msg: string }[] = [];
  return {
    lines,
    debug: (obj, msg) => void lines.push({ level: 'debug', obj, msg }),
    warn: (obj, msg) => void lines.push({ level: 'warn', obj, msg }),
  };
}

async function failure(promise: Promise<unknown>): Promise<OperationOutcomeError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof OperationOutcomeError)) throw new Error(`expected an OperationOutcomeError, got ${String(err)}`);
  return err;
}

let server: ScriptedServer;
let fhir: FhirClient;
let logger: ReturnType<typeof recordingLogger>;

beforeEach(async () => {
  server = await startScriptedFhirServer();
  logger = recordingLogger();
  fhir = new FhirClient({
    baseUrl: server.baseUrl,
    timeoutMs: 300,
    retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 40 },
    logger,
  });
});

afterEach(async () => {
  await fhir.close();
  await server.close();
});

describe('retries', () => {
  it('waits as long as Retry-After asks after a 429, then succeeds', async () => {
    server.script({ status: 429, headers: { 'retry-after': '1' } }, { status: 200, body: patient });
    const started = Date.now();
    const read = await fhir.read('Patient', 'p1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(read.name?.[0]?.family).toBe('Dupont');
    expect(server.requests).toHaveLength(2);
  });

  it('surfaces a 429 whose Retry-After is too long, with the delay for the caller', async () => {
    server.script({ status: 429, headers: { 'retry-after': String(MAX_RETRY_AFTER_MS / 1000 + 50) } });
    const err = await failure(fhir.read('Patient', 'p1'));
    expect(server.requests).toHaveLength(1);
    expect(statusOf(err)).toBe(429);
    expect(err.outcome).toEqual(tooManyRequests);
    expect(failureOf(err)?.retryAfterMs).toBe(MAX_RETRY_AFTER_MS + 50_000);
    expect(isTransient(err)).toBe(true);
  });

  it('retries a 503 and returns the answer that follows', async () => {
    server.script({ status: 503 }, { status: 200, body: patient });
    await expect(fhir.read('Patient', 'p1')).resolves.toMatchObject({ id: 'p1' });
    expect(server.requests).toHaveLength(2);
    expect(logger.lines.filter((l) => l.msg === 'fhir request failed, retrying')).toHaveLength(1);
  });

  it("gives up after the configured attempts, with the server's own OperationOutcome", async () => {
    const serverOutcome: OperationOutcome = {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'transient', diagnostics: 'database unavailable' }],
    };
    server.script(...Array.from({ length: 3 }, () => ({ status: 503, body: serverOutcome })));
    const err = await failure(fhir.read('Patient', 'p1'));
    expect(server.requests).toHaveLength(3);
    expect(err.outcome).toEqual(serverOutcome);
    expect(statusOf(err)).toBe(503);
    expect(isTransient(err)).toBe(true);
  });

  it('retries a 500 for a GET but not for a plain create', async () => {
    server.script({ status: 500 }, { status: 200, body: patient });
    await fhir.read('Patient', 'p1');
    expect(server.requests).toHaveLength(2);

    server.script({ status: 500 }, { status: 201, body: patient });
    const err = await failure(fhir.create({ resourceType: 'Patient' }));
    expect(server.requests).toHaveLength(3);
    expect(statusOf(err)).toBe(500);
    expect(err.outcome.issue[0]?.code).toBe('exception');
  });

  it('retries a 500 for a conditional create, which is safe to repeat', async () => {
    server.script({ status: 500 }, { status: 200, body: patient });
    const result = await fhir.conditionalCreate({ resourceType: 'Patient' }, { identifier: 'urn:x|1' });
    expect(result).toMatchObject({ created: false, status: 200 });
    expect(server.requests).toHaveLength(2);
  });

  it('never retries other 4xx and keeps their meaning', async () => {
    const cases: [number, string][] = [[400, 'invalid'], [404, 'not-found'], [409, 'conflict'], [412, 'processing']];
    for (const [status, code] of cases) {
      const before = server.requests.length;
      server.script({ status });
      const err = await failure(fhir.read('Patient', 'p1'));
      expect(server.requests.length - before).toBe(1);
      expect(statusOf(err)).toBe(status);
      expect(err.outcome.issue[0]?.code).toBe(code);
      expect(isTransient(err)).toBe(false);
    }
  });

  it('retries an unreadable success for a read, but not for a create the server did process', async () => {
    server.script({ status: 200, body: '{"resourceType": "Pat' }, { status: 200, body: patient });
    await expect(fhir.read('Patient', 'p1')).resolves.toMatchObject({ id: 'p1' });
    expect(server.requests).toHaveLength(2);

    server.script({ status: 201, body: '{"resourceType": "Pat' });
    const err = await failure(fhir.create({ resourceType: 'Patient' }));
    expect(server.requests).toHaveLength(3);
    expect(failureOf(err)).toMatchObject({ kind: 'invalid-response', status: 502 });
  });

  it('builds an outcome from the status when a proxy answers with HTML', async () => {
    server.script(...Array.from({ length: 3 }, () => ({ status: 502, body: '<html><body>Bad Gateway</body></html>' })));
    const err = await failure(fhir.read('Patient', 'p1'));
    expect(err.outcome.issue[0]).toMatchObject({ code: 'transient', details: { text: 'FHIR server answered 502 Bad Gateway' } });
  });
});

describe('lost answers', () => {
  it('times out a server that never answers, trying again for an idempotent call', async () => {
    server.script('hang', 'hang', 'hang');
    const started = Date.now();
    const err = await failure(fhir.read('Patient', 'p1'));
    const elapsed = Date.now() - started;
    expect(server.requests).toHaveLength(3);
    expect(elapsed).toBeGreaterThanOrEqual(3 * 300 - 30);
    expect(elapsed).toBeLessThan(3 * 300 + 2 * 40 + 1_000);
    expect(statusOf(err)).toBe(504);
    expect(err.outcome.issue[0]?.code).toBe('timeout');
    expect(failureOf(err)?.kind).toBe('timeout');
  });

  it('recovers from a reset connection on a read', async () => {
    server.script('reset', { status: 200, body: patient });
    await expect(fhir.read('Patient', 'p1')).resolves.toMatchObject({ id: 'p1' });
    expect(server.requests).toHaveLength(2);
  });

  it('does not repeat a plain create whose connection was reset after sending (it may have been written)', async () => {
    server.script('reset', { status: 201, body: patient });
    const err = await failure(fhir.create({ resourceType: 'Patient' }));
    expect(server.requests).toHaveLength(1);
    expect(failureOf(err)).toMatchObject({ kind: 'network', maybeProcessed: true });
    expect(err.outcome.issue[0]?.code).toBe('transient');
    expect(isTransient(err)).toBe(true);
  });

  it('retries even a create when the connection is refused (nothing was sent)', async () => {
    const { baseUrl } = server;
    await server.close();
    const client = new FhirClient({ baseUrl, retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 10 }, logger });
    try {
      const err = await failure(client.create({ resourceType: 'Patient' }));
      expect(failureOf(err)).toMatchObject({ kind: 'network', status: 502, maybeProcessed: false });
      expect(logger.lines.filter((l) => l.msg === 'fhir request failed, retrying')).toHaveLength(2);
    } finally {
      await client.close();
    }
  });
});

describe('requests on the wire', () => {
  it('sends FHIR JSON headers, the configured headers, If-Match and If-None-Exist', async () => {
    await fhir.close();
    fhir = new FhirClient({ baseUrl: server.baseUrl, headers: { authorization: 'Bearer t0ken' } });
    server.script({ status: 200, body: patient }, { status: 201, body: patient });
    await fhir.update(patient, { ifMatch: '1' });
    await fhir.create(patient, { ifNoneExist: { identifier: 'urn:oid:1.2.3|42' } });
    const [put, post] = server.requests;
    expect(put).toMatchObject({ method: 'PUT', url: '/fhir/Patient/p1' });
    expect(put?.headers).toMatchObject({
      accept: 'application/fhir+json',
      'content-type': 'application/fhir+json',
      'if-match': 'W/"1"',
      authorization: 'Bearer t0ken',
      prefer: 'return=representation',
    });
    expect(post).toMatchObject({ method: 'POST', url: '/fhir/Patient' });
    expect(post?.headers['if-none-exist']).toBe('identifier=urn%3Aoid%3A1.2.3%7C42');
    // The server assigns ids on create: the one in hand is not sent.
    expect(JSON.parse(post?.body ?? '{}')).not.toHaveProperty('id');
  });

  it('completes meta.versionId from the ETag when the body lacks it', async () => {
    server.script({ status: 200, body: { resourceType: 'Patient', id: 'p1' }, headers: { etag: 'W/"7"' } });
    const updated = await fhir.update<Patient>({ resourceType: 'Patient', id: 'p1' });
    expect(updated.meta?.versionId).toBe('7');
  });

  it('reads back the written version when the server answers a create without a body', async () => {
    server.script(
      { status: 201, headers: { location: `${server.baseUrl}/Patient/p1/_history/1` } },
      { status: 200, body: patient },
    );
    const result = await fhir.conditionalCreate({ resourceType: 'Patient' }, 'identifier=urn:x|1');
    expect(result).toMatchObject({ created: true, status: 201, resource: { id: 'p1', meta: { versionId: '1' } } });
    expect(server.requests[1]).toMatchObject({ method: 'GET', url: '/fhir/Patient/p1/_history/1' });
  });

  it('sends a JSON patch with its own content type', async () => {
    server.script({ status: 200, body: patient });
    await fhir.patch('Patient', 'p1', [{ op: 'replace', path: '/active', value: false }], { ifMatch: 'W/"1"' });
    expect(server.requests[0]?.headers['content-type']).toBe('application/json-patch+json');
    expect(server.requests[0]?.headers['if-match']).toBe('W/"1"');
  });

  it('refuses a bad id before anything is sent', async () => {
    const err = await failure(fhir.read('Patient', '../metadata'));
    expect(statusOf(err)).toBe(400);
    expect(server.requests).toHaveLength(0);
  });

  it('logs method, type, status and duration, never query values, ids or bodies', async () => {
    server.script({ status: 503 }, { status: 200, body: { resourceType: 'Bundle', type: 'searchset' } });
    await fhir.search('Patient', { family: 'Dupont', birthdate: '1950-01-02' });
    server.script({ status: 200, body: patient });
    await fhir.read('Patient', 'p1');
    const logged = JSON.stringify(logger.lines);
    for (const secret of ['Dupont', '1950', 'p1']) expect(logged).not.toContain(secret);
    expect(logger.lines.at(-1)?.obj).toMatchObject({ method: 'GET', target: 'Patient', status: 200, attempt: 1 });
    expect(logger.lines.at(-1)?.obj).toHaveProperty('durationMs');
  });

  it('fails calls made after close', async () => {
    await fhir.close();
    await expect(fhir.read('Patient', 'p1')).rejects.toThrow('FhirClient is closed');
  });
});
