/**
 * `POST /v1/import` end to end, as a vendor uses it: the gateway runs as its own process (as
 * `npm start` does, with the embedded FHIR store beside it), the upload goes over HTTP, the job
 * is polled on `GET /v1/jobs/{jobId}` and the written resources are read back from the store.
 */
import { readdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCases, toNdjson, type CaseLine } from '../../bench/lib/case-corpus.js';
import { sourceIdentifierSystem } from '../../profiles/canonical.js';
import { startGatewayProcess, type GatewayProcess } from '../../test/helpers/gateway-process.js';
import { FhirClient } from '../../workers/fhir-client/index.js';

const DAC = { authorization: 'Bearer demo-dac-key', 'content-type': 'application/x-ndjson' };
/** Small enough to test 413 quickly, large enough for the 10,000-case upload (~15 MB). */
const IMPORT_BODY_LIMIT = 32 * 1024 * 1024;
const BIG_IMPORT = 10_000;
/**
 * The embedded store writes ~50–90 of these 12-resource case transactions per second on a quiet
 * 2-core machine (2–3 min for 10,000), far fewer when other work shares the cores: the budget
 * is generous so that a slow machine reports its rate instead of a timeout.
 */
const BIG_IMPORT_TIMEOUT_MS = 600_000;

interface JobBody {
  jobId: string;
  status: string;
  progress?: { processed: number; failed: number; total: number };
  lineErrors?: { line: number; caseId?: string; errors: { path: string; message: string }[] }[];
  lineErrorsOmitted?: number;
  errors?: unknown[];
}

let gw: GatewayProcess;
let fhir: FhirClient;
let stopping = false;
let exitedEarly = false;

beforeAll(async () => {
  gw = await startGatewayProcess({ env: { IMPORT_BODY_LIMIT: String(IMPORT_BODY_LIMIT) } });
  fhir = new FhirClient({ baseUrl: gw.fhirBaseUrl });
  void gw.process.exited.then(() => {
    exitedEarly = !stopping;
  });
});

afterAll(async () => {
  stopping = true;
  await fhir?.close();
  await gw?.destroy();
});

async function postImport(body: string | Buffer | Readable, headers: Record<string, string> = DAC): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await request(`${gw.httpUrl}/v1/import`, { method: 'POST', headers, body });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

async function getJob(jobId: string): Promise<JobBody> {
  // Say it plainly rather than as a refused connection.
  if (exitedEarly) throw new Error('the gateway process exited during the test');
  const res = await fetch(`${gw.httpUrl}/v1/jobs/${jobId}`, { headers: { authorization: DAC.authorization } });
  expect(res.status).toBe(200);
  return (await res.json()) as JobBody;
}

/** Polls the job until it ends, keeping every progress seen on the way. */
async function untilFinished(jobId: string, timeoutMs: number): Promise<{ job: JobBody; seen: JobBody[] }> {
  const seen: JobBody[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJob(jobId);
    seen.push(job);
    if (job.status === 'completed' || job.status === 'failed') return { job, seen };
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.status} after ${timeoutMs} ms: ${JSON.stringify(job.progress)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function patientsOf(caseLine: CaseLine): Promise<unknown[]> {
  return fhir.searchAll('Patient', { identifier: `${sourceIdentifierSystem('dac-doubs', 'patient')}|${caseLine.case.patient.id}` });
}

async function count(type: 'Patient' | 'CarePlan'): Promise<number> {
  const bundle = await fhir.search(type, { _summary: 'count' });
  return bundle.total ?? -1;
}

/** Uploads kept or being written (checkpoints left aside). */
async function uploadFiles(): Promise<string[]> {
  const files = await readdir(join(gw.dataDir, 'imports')).catch(() => []);
  return files.filter((f) => f.endsWith('.ndjson') || f.endsWith('.part')).sort();
}

describe('POST /v1/import', () => {
  it(`imports ${BIG_IMPORT.toLocaleString('en')} distinct cases without error, showing progress while it runs`, async () => {
    const lines = generateCases(BIG_IMPORT, { seed: 2024, prefix: 'IMP' });
    const started = performance.now();
    const { status, body } = await postImport(toNdjson(lines));
    const acceptedMs = performance.now() - started;
    expect(status).toBe(202);
    expect(body).toMatchObject({ status: 'queued', jobId: expect.stringMatching(/^import-/) });

    const { job, seen } = await untilFinished(String(body.jobId), BIG_IMPORT_TIMEOUT_MS - 20_000);
    const seconds = (performance.now() - started) / 1000;
    console.info(`import of ${BIG_IMPORT} cases: upload accepted in ${Math.round(acceptedMs)} ms, completed in ${seconds.toFixed(1)} s (${Math.round(BIG_IMPORT / seconds)} cases/s)`);

    expect(job).toMatchObject({ status: 'completed', progress: { processed: BIG_IMPORT, failed: 0, total: BIG_IMPORT }, lineErrors: [] });
    // Progress was visible while it ran: known total, a part processed, not yet completed.
    const midway = seen.filter((j) => j.status === 'active' && j.progress && j.progress.processed > 0 && j.progress.processed < BIG_IMPORT);
    expect(midway.length).toBeGreaterThan(0);
    expect(midway[0]!.progress!.total).toBe(BIG_IMPORT);
    const processed = midway.map((j) => j.progress!.processed);
    expect(processed).toEqual([...processed].sort((a, b) => a - b));

    // Every case is in the store once: one Patient per case, one CarePlan per case that has a plan.
    expect(await count('Patient')).toBe(BIG_IMPORT);
    expect(await count('CarePlan')).toBe(lines.filter((l) => l.case.plan).length);
    for (const index of [0, 1, 4_999, 7_777, BIG_IMPORT - 1]) {
      const line = lines[index]!;
      const found = await patientsOf(line);
      expect(found, `patient of line ${index + 1}`).toHaveLength(1);
      expect(found[0]).toMatchObject({ resourceType: 'Patient' });
    }
    // A clean upload is not kept once imported.
    expect(await uploadFiles()).toEqual([]);
  }, BIG_IMPORT_TIMEOUT_MS);

  it('reports each bad line with its number and field paths, and writes the good lines', async () => {
    const [good1, bad, good2, unknownField] = generateCases(4, { seed: 7, prefix: 'MIX' });
    const badCase = { ...bad!.case, patient: { ...bad!.case.patient, birthDate: '12/05/1938' } };
    const upload = [
      JSON.stringify(good1),
      '',
      '{"caseId":"MIX-broken","case":{"patient":',
      JSON.stringify({ caseId: bad!.caseId, case: badCase }),
      JSON.stringify(good2),
      JSON.stringify({ ...unknownField, colour: 'blue' }),
    ].join('\r\n');
    const { status, body } = await postImport(upload);
    expect(status).toBe(202);

    const { job } = await untilFinished(String(body.jobId), 60_000);
    expect(job).toMatchObject({ status: 'completed', progress: { processed: 5, failed: 3, total: 5 }, lineErrorsOmitted: 0 });
    expect(job.lineErrors).toEqual([
      { line: 3, errors: [{ path: '', message: expect.stringContaining('JSON') }] },
      { line: 4, caseId: bad!.caseId, errors: [{ path: 'case.patient.birthDate', message: expect.any(String) }] },
      { line: 6, caseId: unknownField!.caseId, errors: [{ path: 'colour', message: expect.any(String) }] },
    ]);
    expect(await patientsOf(good1!)).toHaveLength(1);
    expect(await patientsOf(good2!)).toHaveLength(1);
    expect(await patientsOf(bad!)).toHaveLength(0);
  });

  it('answers 413 at once for a declared length over IMPORT_BODY_LIMIT, before reading the body', async () => {
    // A raw socket: send the headers only, as a client about to upload too much would.
    const { hostname, port } = new URL(gw.httpUrl);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write(`POST /v1/import HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: ${DAC.authorization}\r\nContent-Type: application/x-ndjson\r\nContent-Length: ${IMPORT_BODY_LIMIT + 1}\r\n\r\n`);
      });
      let received = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        received += chunk;
        if (received.includes('}')) socket.destroy();
      });
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('IMPORT_BODY_LIMIT');
  });

  it('answers 413 for a streamed body that grows past the limit, and keeps nothing of it', async () => {
    const before = await uploadFiles();
    const line = `${JSON.stringify(generateCases(1, { prefix: 'BIG' })[0])}\n`;
    const chunk = Buffer.from(line.repeat(Math.ceil((256 * 1024) / line.length)));
    const chunks = Math.ceil(IMPORT_BODY_LIMIT / chunk.length) + 8;
    const body = Readable.from((function* () { for (let i = 0; i < chunks; i++) yield chunk; })());
    const { status, body: problem } = await postImport(body); // no Content-Length: chunked
    expect(status).toBe(413);
    expect(problem).toMatchObject({ status: 413 });
    expect(await uploadFiles()).toEqual(before);
  });

  it('keeps nothing of an upload that breaks off', async () => {
    const before = await uploadFiles();
    const { hostname, port } = new URL(gw.httpUrl);
    const data = `${JSON.stringify(generateCases(1, { prefix: 'CUT' })[0])}\n`.repeat(50);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write(`POST /v1/import HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: ${DAC.authorization}\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n`);
        socket.write(`${Buffer.byteLength(data).toString(16)}\r\n${data}\r\n`);
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 200);
      });
      socket.on('error', reject);
    });
    const deadline = Date.now() + 5_000;
    while (JSON.stringify(await uploadFiles()) !== JSON.stringify(before) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await uploadFiles()).toEqual(before);
  });

  it('refuses an empty upload, a multipart form and a client without the cases.write scope', async () => {
    expect((await postImport('\n  \n')).status).toBe(400);
    expect((await postImport('x', { ...DAC, 'content-type': 'multipart/form-data; boundary=x' })).status).toBe(415);
    expect((await postImport('{}', { authorization: 'Bearer demo-hospital-key', 'content-type': 'application/x-ndjson' })).status).toBe(403);
    expect((await postImport('{}', { 'content-type': 'application/x-ndjson' })).status).toBe(401);
  });

  it('describes the line format in /openapi.json', async () => {
    const doc = (await (await fetch(`${gw.httpUrl}/openapi.json`)).json()) as { paths: Record<string, { post?: { requestBody?: { content?: Record<string, unknown> }; description?: string } }> };
    const post = doc.paths['/v1/import']?.post;
    expect(post?.requestBody?.content).toHaveProperty('application/x-ndjson');
    expect(post?.description).toContain('"caseId"');
  });
});
