/**
 * Benchmark of the case API, end to end. Run: `npx tsx bench/cases.ts [--cases 2000]
 * [--concurrency 32] [--profile]` (about 2–3 minutes on 2 quiet cores; needs Redis).
 *
 * Starts the FHIR store and the gateway (HTTP + workers, pointed at that store) as separate
 * processes, then measures in one run:
 *   (a) accepted case writes: `PUT /v1/cases/{id}` → 202, per second and p50/p99 latency, at
 *       `--concurrency` requests in flight (undici Pool), while the workers write them; and
 *       (a') the same with the `cases` queue paused (the API alone; those jobs are dropped);
 *   (b) end to end: FHIR resources written per second, from the first PUT until every `cases`
 *       job has completed;
 *   (c) the store's own rate for the same transaction Bundles (the `caseToTransaction` output
 *       the workers send, POSTed straight to a second, fresh store — on the first one they
 *       would be no-op re-writes), at the workers' concurrency;
 *   (d) `POST /v1/import` of as many other cases, until its job completes;
 * and prints a table with the ratio (b)/(c): how much of the store's capacity the gateway
 * delivers. Targets: (a) ≥ 1,500/s with p99 < 50 ms, (b)/(c) ≥ 0.8.
 *
 * `--profile` writes V8 CPU profiles of the gateway and the stores to a temporary directory
 * (printed at the end; open them in Chrome DevTools).
 */
import { mkdtemp } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { loadConfig } from '../gateway/config.js';
import { CaseDocumentSchema } from '../mappings/case/schema.js';
import { caseToTransaction } from '../mappings/case/to-fhir/index.js';
import { connectRedis, createJobQueues, type JobQueues } from '../workers/queue/index.js';
import { generateCases, toNdjson, type CaseLine } from './lib/case-corpus.js';
import { fmt, percentile, runConcurrently, waitUntil } from './lib/load.js';
import { startGateway, startStore, type BenchProcess } from './lib/processes.js';

const { values: args } = parseArgs({
  options: {
    cases: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '32' },
    profile: { type: 'boolean', default: false },
  },
});
const CASES = Number(args.cases);
const CONCURRENCY = Number(args.concurrency);
/** As the `cases` workers: WORKER_CONCURRENCY jobs at once over the FHIR client's 10 connections. */
const CONFIG = loadConfig(process.env);
const WORKER_CONCURRENCY = CONFIG.WORKER_CONCURRENCY;
const FHIR_CLIENT_CONNECTIONS = 10;
const CLIENT = { id: 'dac-doubs', tenant: 'doubs', key: 'demo-dac-key' };
const FINISH_TIMEOUT_MS = 10 * 60_000;
const WARMUP_REQUESTS = 500;

interface Row { measure: string; value: string; target?: string }

function entriesOf(lines: CaseLine[], now: string): { bodies: string[]; resources: number } {
  let resources = 0;
  const bodies = lines.map((line) => {
    const { bundle } = caseToTransaction(CaseDocumentSchema.parse(line.case), { clientId: CLIENT.id, tenant: CLIENT.tenant, caseId: line.caseId, now });
    resources += bundle.entry?.length ?? 0;
    return JSON.stringify(bundle);
  });
  return { bodies, resources };
}

function poolFor(url: string, connections: number): { pool: Pool; base: string } {
  const parsed = new URL(url);
  return { pool: new Pool(parsed.origin, { connections, pipelining: 1 }), base: parsed.pathname.replace(/\/$/, '') };
}

async function expectStatus(res: { statusCode: number; body: { text(): Promise<string> } }, expected: number, what: string): Promise<string> {
  const text = await res.body.text();
  if (res.statusCode !== expected) throw new Error(`${what}: ${res.statusCode} ${text.slice(0, 300)}`);
  return text;
}

/** (d): uploads `lines` and waits for the import job; skipped when the gateway has no import route. */
async function measureImport(
  gatewayUrl: string,
  headers: Record<string, string>,
  lines: CaseLine[],
  queues: JobQueues,
): Promise<{ seconds: number; resources: number; failed: number } | { skipped: string }> {
  const resources = entriesOf(lines, new Date().toISOString()).resources;
  const upload = poolFor(gatewayUrl, 1);
  try {
    const started = performance.now();
    const res = await upload.pool.request({ method: 'POST', path: '/v1/import', headers: { ...headers, 'content-type': 'application/x-ndjson' }, body: toNdjson(lines) });
    if (res.statusCode === 404 || res.statusCode === 413) {
      const detail = (JSON.parse(await res.body.text()) as { detail?: string }).detail ?? '';
      return { skipped: `the gateway answered ${res.statusCode} "${detail}" (is the import route wired in gateway/runtime.ts and gateway/app.ts?)` };
    }
    const { jobId } = JSON.parse(await expectStatus(res, 202, 'POST /v1/import')) as { jobId: string };
    const importQueue = queues.queue('import');
    await waitUntil('the import job', async () => {
      const job = await importQueue.getJob(jobId);
      const state = await job?.getState();
      if (state === 'failed') throw new Error(`import failed: ${job?.failedReason}`);
      return state === 'completed';
    }, FINISH_TIMEOUT_MS, 100);
    const seconds = (performance.now() - started) / 1000;
    const result = (await importQueue.getJob(jobId))?.returnvalue as { failed: number } | undefined;
    return { seconds, resources, failed: result?.failed ?? Number.NaN };
  } finally {
    await upload.pool.close();
  }
}

async function main(): Promise<void> {
  const profileDir = args.profile ? await mkdtemp(join(tmpdir(), 'bench-cases-prof-')) : undefined;
  const loadBefore = loadavg()[0]!;
  console.log(`corpus: ${fmt(CASES)} cases for the API, as many for the import and the API alone…`);
  const apiLines = generateCases(CASES, { seed: 101, prefix: 'API', series: 1 });
  const importLines = generateCases(CASES, { seed: 202, prefix: 'IMP', series: 2 });
  const aloneLines = generateCases(CASES, { seed: 404, prefix: 'ALONE', series: 4 });
  // The bundles a worker would write for the API cases (only the Provenance's time differs).
  const direct = entriesOf(apiLines, new Date().toISOString());
  console.log(`  ${fmt(direct.resources)} resources in the ${fmt(CASES)} API cases (${fmt(direct.resources / CASES, 1)} per case)`);

  const started: BenchProcess[] = [];
  const rows: Row[] = [];
  const redis = await connectRedis(CONFIG.REDIS_URL);
  try {
    const store = await startStore({ profileDir, name: 'store' });
    started.push(store);
    const gateway = await startGateway({ fhirBaseUrl: store.url, profileDir });
    started.push(gateway);
    const queues = await createJobQueues({ connection: redis, prefix: gateway.queuePrefix });
    const casesQueue = queues.queue('cases');
    console.log(`store ${store.url} (pid ${store.pid}), gateway ${gateway.url} (pid ${gateway.pid})`);

    // (a) + (b): PUT every case, then wait for every job.
    const api = poolFor(gateway.url, CONCURRENCY);
    const headers = { authorization: `Bearer ${CLIENT.key}`, 'content-type': 'application/json' };
    // (a'): the API alone — the queue paused, so no worker competes for the CPU — on cases
    // that are dropped afterwards, never written. A warm-up first (JIT, connections, Redis).
    await casesQueue.pause();
    const putAll = (lines: CaseLine[]) => runConcurrently(lines, CONCURRENCY, async (line) => {
      const res = await api.pool.request({ method: 'PUT', path: `/v1/cases/${line.caseId}`, headers, body: JSON.stringify(line.case) });
      await expectStatus(res, 202, 'PUT /v1/cases');
    });
    await putAll(generateCases(WARMUP_REQUESTS, { seed: 303, prefix: 'WARM', series: 3 }));
    console.log("(a') PUT /v1/cases/{id} with the workers paused…");
    const alone = await putAll(aloneLines);
    await casesQueue.obliterate({ force: true });
    await casesQueue.resume();

    console.log('(a) PUT /v1/cases/{id} while the workers write…');
    const e2eStart = performance.now();
    const put = await putAll(apiLines);
    console.log('(b) waiting for every case job…');
    // Every job is in Redis once its PUT was answered: done when none is left to run. (Not a
    // count of completed jobs: the queue keeps only the last 10,000.)
    await waitUntil('every case job', async () => {
      const counts = await casesQueue.getJobCounts('failed', 'waiting', 'active', 'delayed', 'prioritized');
      if ((counts.failed ?? 0) > 0) throw new Error(`${counts.failed} case jobs failed`);
      return (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0) === 0;
    }, FINISH_TIMEOUT_MS, 50);
    const e2eSeconds = (performance.now() - e2eStart) / 1000;
    await api.pool.close();
    const e2eRate = direct.resources / e2eSeconds;

    // (c): the same bundles straight to a fresh store.
    console.log('(c) the same bundles straight to a fresh store…');
    const store2 = await startStore({ profileDir, name: 'store-direct' });
    started.push(store2);
    const fhir = poolFor(store2.url, FHIR_CLIENT_CONNECTIONS);
    const fhirHeaders = { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' };
    const storeRun = await runConcurrently(direct.bodies, WORKER_CONCURRENCY, async (body) => {
      const res = await fhir.pool.request({ method: 'POST', path: fhir.base || '/', headers: fhirHeaders, body });
      await expectStatus(res, 200, 'store transaction');
    });
    await fhir.pool.close();
    const storeRate = direct.resources / storeRun.seconds;

    // (d): the same amount of other cases through POST /v1/import.
    console.log('(d) POST /v1/import…');
    const imported = await measureImport(gateway.url, headers, importLines, queues);
    await queues.close();

    const p50 = percentile(put.latenciesMs, 50);
    const p99 = percentile(put.latenciesMs, 99);
    const ratio = e2eRate / storeRate;
    rows.push(
      {
        measure: `(a') accepted PUT → 202, workers paused (${fmt(CASES)} requests, ${CONCURRENCY} in flight)`,
        value: `${fmt(alone.perSecond)}/s, p50 ${fmt(percentile(alone.latenciesMs, 50), 1)} ms, p99 ${fmt(percentile(alone.latenciesMs, 99), 1)} ms`,
      },
      { measure: `(a) accepted PUT /v1/cases/{id} → 202 while the workers write (${fmt(CASES)} requests, ${CONCURRENCY} in flight)`, value: `${fmt(put.perSecond)}/s`, target: `≥ 1,500/s ${put.perSecond >= 1500 ? 'met' : 'MISSED'}` },
      { measure: '(a) latency p50 / p99', value: `${fmt(p50, 1)} ms / ${fmt(p99, 1)} ms`, target: `p99 < 50 ms ${p99 < 50 ? 'met' : 'MISSED'}` },
      { measure: `(b) end to end: first PUT → last job completed (${fmt(e2eSeconds, 1)} s)`, value: `${fmt(e2eRate)} resources/s (${fmt(CASES / e2eSeconds, 1)} cases/s)` },
      { measure: `(c) store direct, same bundles, ${WORKER_CONCURRENCY} in flight (${fmt(storeRun.seconds, 1)} s)`, value: `${fmt(storeRate)} resources/s (${fmt(storeRun.perSecond, 1)} bundles/s, p50 ${fmt(percentile(storeRun.latenciesMs, 50), 1)} ms)` },
      { measure: '(b)/(c)', value: fmt(ratio, 2), target: `≥ 0.8 ${ratio >= 0.8 ? 'met' : 'MISSED'}` },
    );
    if ('skipped' in imported) {
      rows.push({ measure: '(d) POST /v1/import', value: `skipped: ${imported.skipped}` });
    } else {
      rows.push(
        { measure: `(d) POST /v1/import of ${fmt(CASES)} other cases → completed (${fmt(imported.seconds, 1)} s)`, value: `${fmt(imported.resources / imported.seconds)} resources/s (${fmt(CASES / imported.seconds, 1)} cases/s; failed lines: ${imported.failed})` },
        { measure: '(d)/(c)', value: fmt(imported.resources / imported.seconds / storeRate, 2) },
      );
    }
  } finally {
    for (const child of started.reverse()) await child.stop().catch((err: unknown) => console.error(`stopping pid ${child.pid}: ${(err as Error).message}`));
    redis.disconnect();
  }

  const width = Math.max(...rows.map((r) => r.measure.length));
  const valueWidth = Math.max(...rows.map((r) => r.value.length));
  console.log('');
  for (const row of rows) console.log(`${row.measure.padEnd(width)}  ${row.value.padEnd(valueWidth)}  ${row.target ?? ''}`);
  // Other work on the machine shares the cores: say how busy it was.
  console.log(`\nload average (1 min) at start ${fmt(loadBefore, 1)}, at end ${fmt(loadavg()[0]!, 1)}, on ${availableParallelism()} cores`);
  if (profileDir) console.log(`CPU profiles: ${profileDir}/{gateway,store,store-direct}/*.cpuprofile`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
