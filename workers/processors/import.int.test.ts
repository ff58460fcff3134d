/**
 * The `import` worker on a real queue (Redis), writing through the real `cases` case writer to a
 * real FHIR server: the embedded store as its own process, or, to script the server's failures,
 * a scripted HTTP double standing for an external FHIR server.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateCases, toNdjson } from '../../bench/lib/case-corpus.js';
import { spawnService, type ServiceProcess } from '../../gateway/process/spawn-service.js';
import { sourceIdentifierSystem } from '../../profiles/canonical.js';
import { FhirClient } from '../fhir-client/index.js';
import { startScriptedFhirServer, type ScriptedServer, type Step } from '../fhir-client/testing/scripted-fhir-server.js';
import { getJobStatus, makeJobId, waitForJob, type JobStatus } from '../queue/index.js';
import { createQueueTestEnv, FAST_RETRY, type QueueTestEnv } from '../queue/test-env.js';
import { createCaseWriter } from './case-writer.js';
import { createImportProcessor, type ImportResult } from './import.js';
import { fromCaseWriter, type WriteCase } from './import-case-writer.js';
import { newImportId, storeUpload, uploadPath } from './import-files.js';
import { FHIR_STORE_PROCESS } from '../../gateway/fhir-store/process-entry.js';

const trace = { requestId: 'req-import', clientId: 'dac-doubs', tenant: 'doubs' };

let dataDir: string;
let env: QueueTestEnv | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'import-worker-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});
afterEach(async () => {
  await env?.cleanup();
  env = undefined;
});

/** Stores `text` as an upload and queues its import job, as `POST /v1/import` does. */
async function queueImport(queueEnv: QueueTestEnv, text: string): Promise<{ jobId: string; importId: string }> {
  const importId = newImportId();
  const stored = await storeUpload(new Response(text).body, { dataDir, importId, maxBytes: 1 << 30 });
  expect(stored.outcome).toBe('stored');
  const { jobId } = await queueEnv.queues.enqueue('import', { importId }, { trace, jobId: makeJobId('import', importId) });
  return { jobId, importId };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('import worker against the embedded FHIR store', () => {
  let store: ServiceProcess<{ url: string }>;
  let storeDir: string;
  let fhir: FhirClient;

  beforeAll(async () => {
    storeDir = await mkdtemp(join(tmpdir(), 'import-store-'));
    store = await spawnService<{ url: string }>({
      ...FHIR_STORE_PROCESS,
      env: { FHIR_STORE_PORT: '0', DATA_DIR: storeDir, LOG_LEVEL: 'info' },
    });
    fhir = new FhirClient({ baseUrl: store.ready.url });
  });
  afterAll(async () => {
    await fhir?.close();
    await store?.stop();
    await rm(storeDir, { recursive: true, force: true });
  });

  it('resumes an interrupted import from its checkpoint and writes every case exactly once', async () => {
    env = await createQueueTestEnv({ import: FAST_RETRY });
    const lines = generateCases(150, { seed: 99, prefix: 'RES' });
    const { jobId, importId } = await queueImport(env, toNdjson(lines));

    // First worker: stopped (its signal aborted) once part of the upload is written.
    const first = { writes: 0 };
    const counting = (tally: { writes: number }): WriteCase => {
      const write = fromCaseWriter(createCaseWriter({ fhir }));
      return (...args) => {
        tally.writes += 1;
        return write(...args);
      };
    };
    const worker1 = await env.worker('import', createImportProcessor({ writeCase: counting(first), dataDir, concurrency: 4 }));
    let stoppedAt: JobStatus | undefined;
    await until('some progress', async () => {
      stoppedAt = await getJobStatus(env!.queues, jobId);
      return ((stoppedAt?.progress as { processed?: number } | undefined)?.processed ?? 0) >= 30;
    });
    await worker1.close({ timeoutMs: 0 });
    const afterStop = await getJobStatus(env.queues, jobId);
    expect(afterStop?.status).toBe('queued'); // waiting for its retry
    const checkpointed = (afterStop?.progress as { processed: number }).processed;
    expect(checkpointed).toBeGreaterThanOrEqual(30);
    expect(checkpointed).toBeLessThan(lines.length);

    // Second worker: picks the retry up and starts from the checkpoint, not from line 1.
    const second = { writes: 0 };
    await env.worker('import', createImportProcessor({ writeCase: counting(second), dataDir, concurrency: 4 }));
    const done = await waitForJob(env.queues, jobId, 60_000);
    expect(done).toMatchObject({ status: 'completed', attemptsMade: 2 });
    expect(done?.result).toMatchObject({ processed: 150, failed: 0, total: 150, lineErrors: [] } satisfies Partial<ImportResult>);
    expect(second.writes).toBe(lines.length - checkpointed);

    // Lines written twice (finished past the checkpoint) created nothing new.
    const system = sourceIdentifierSystem('dac-doubs', 'patient');
    for (const line of [lines[0]!, lines[checkpointed]!, lines[checkpointed + 3]!, lines.at(-1)!]) {
      expect(await fhir.searchAll('Patient', { identifier: `${system}|${line.case.patient.id}` })).toHaveLength(1);
    }
    expect((await fhir.search('Patient', { _summary: 'count' })).total).toBe(lines.length);
    // A clean upload is removed once imported.
    expect((await readdir(join(dataDir, 'imports'))).filter((f) => f.startsWith(importId) && f.endsWith('.ndjson'))).toEqual([]);
  });
});

describe('import worker against a FHIR server that refuses or fails', () => {
  let server: ScriptedServer;
  let fhir: FhirClient;
  let writeCase: WriteCase;
  const ok = { status: 200, body: { resourceType: 'Bundle', type: 'transaction-response', entry: [] } } as const;
  /** Answers to the next transactions, in order; past them, `ok`. Searches find nothing. */
  const transactions: Exclude<Step, string | ((...args: never[]) => void)>[] = [];
  const noMatch = { resourceType: 'Bundle', type: 'searchset', entry: [] };
  /** A batch of searches (the case writer's lookups): each finds nothing. */
  const batchAnswer = (body: string) => {
    const bundle = JSON.parse(body) as { type?: string; entry?: unknown[] };
    if (bundle.type !== 'batch') return undefined;
    return { status: 200, body: { resourceType: 'Bundle', type: 'batch-response', entry: (bundle.entry ?? []).map(() => ({ resource: noMatch, response: { status: '200' } })) } };
  };

  beforeAll(async () => {
    server = await startScriptedFhirServer((request, response) => {
      const step = request.method === 'GET' ? { status: 200, body: noMatch } : (batchAnswer(request.body) ?? transactions.shift() ?? ok);
      response.writeHead(step.status, { 'content-type': 'application/fhir+json' });
      response.end(step.body === undefined ? '' : JSON.stringify(step.body));
    });
    fhir = new FhirClient({ baseUrl: server.baseUrl, retry: { attempts: 1 } });
    writeCase = fromCaseWriter(createCaseWriter({ fhir }));
  });
  afterAll(async () => {
    await fhir?.close();
    await server?.close();
  });

  it('fails a line the server refuses on its own, and resumes after the line the server could not take', async () => {
    env = await createQueueTestEnv({ import: FAST_RETRY });
    const lines = generateCases(4, { seed: 3, prefix: 'SRV' });
    transactions.push(
      ok,
      {
        status: 422,
        body: {
          resourceType: 'OperationOutcome',
          issue: [{ severity: 'error', code: 'processing', details: { text: 'birthDate in the future' }, expression: ['Bundle.entry[3].resource.birthDate'] }],
        },
      },
      { status: 503 },
    );
    const { jobId } = await queueImport(env, toNdjson(lines));
    await env.worker('import', createImportProcessor({ writeCase, dataDir, concurrency: 1 }));
    const done = await waitForJob(env.queues, jobId, 30_000);

    expect(done).toMatchObject({ status: 'completed', attemptsMade: 2 });
    expect(done?.result).toEqual({
      processed: 4,
      failed: 1,
      total: 4,
      lineErrors: [{ line: 2, caseId: lines[1]!.caseId, errors: [{ path: 'Bundle.entry[3].resource.birthDate', message: 'birthDate in the future' }] }],
      lineErrorsOmitted: 0,
    } satisfies ImportResult);
    // Lines 1, 2, 3 (503), then the retry: 3 and 4 — lines 1 and 2 were not sent again.
    const posted = server.requests.filter((r) => r.method === 'POST' && !r.body.includes('"type":"batch"'));
    const caseOf = (body: string) => lines.findIndex((l) => body.includes(`"${l.case.patient.id}"`)) + 1;
    expect(posted.map((r) => caseOf(r.body))).toEqual([1, 2, 3, 3, 4]);
  });

  it('fails the job at once when its upload is missing (a DATA_DIR not shared with the gateway)', async () => {
    env = await createQueueTestEnv({ import: FAST_RETRY });
    const { jobId, importId } = await queueImport(env, '{"caseId":"X"}\n');
    await rm(uploadPath(dataDir, importId));
    await env.worker('import', createImportProcessor({ writeCase, dataDir }));
    const done = await waitForJob(env.queues, jobId, 30_000);
    expect(done).toMatchObject({ status: 'failed', attemptsMade: 1 });
    expect(done?.error?.status).toBe(404);
  });
});
