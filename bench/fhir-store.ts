/**
 * Benchmark of the embedded FHIR store, as a separate process over HTTP (undici Pool, 10
 * connections). Run: `npx tsx bench/fhir-store.ts` (about 1 minute).
 *
 * Measures at 1,000 and at 100,000 stored Patients: creates/s (POST), conditional updates/s
 * (PUT Patient?identifier=sys|val, content changed and unchanged), identifier searches/s
 * (concurrent) and per-search latency (one at a time), 10-entry conditional transaction
 * Bundles/s, and the store's RSS. The store is filled from 1k to 100k with 1,000-entry
 * transaction Bundles over the same HTTP API (no side door); that rate is printed too.
 * Content-changing updates (8,000) are measured after 2,000 untimed ones: the steady rate, not
 * the JIT's warm-up. Baseline, measured first in the same run: the same PUTs against a bare HTTP
 * JSON echo (`lib/http-echo.ts`); the changed updates are also printed as a share of its rate.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { startFhirStoreProcess } from '../test/helpers/fhir-store-process.js';
import { spawnService } from '../gateway/process/spawn-service.js';
import { benchPatient, INS } from './lib/bench-patient.js';
import { problemsOnly } from './lib/processes.js';

const CONNECTIONS = 10;
const CONCURRENCY = 20;
const WARM_UP_UPDATES = 2_000;
const CHANGED_UPDATES = 8_000;
/** Offset of the warm-up's content rounds from the measured ones'. */
const WARM_UP_ROUNDS = 500_000;
const HEADERS = { 'content-type': 'application/fhir+json' };

interface Row {
  metric: string;
  at1k?: string;
  at100k?: string;
}

class Client {
  private readonly pool: Pool;
  private readonly prefix: string;

  constructor(baseUrl: string) {
    const url = new URL(baseUrl);
    this.pool = new Pool(url.origin, { connections: CONNECTIONS, pipelining: 1 });
    this.prefix = url.pathname;
  }

  async send(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const res = await this.pool.request({ method, path: this.prefix + path, headers: HEADERS, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await res.body.json()) as unknown;
    if (res.statusCode >= 300) throw new Error(`${method} ${path} → ${res.statusCode}: ${JSON.stringify(json).slice(0, 300)}`);
    return { status: res.statusCode, json };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** CPU time (user + system) consumed so far by process `pid`, in ms. */
function cpuMs(pid: number): number {
  // /proc/<pid>/stat: fields 14 and 15 are utime and stime, in clock ticks (100 per second).
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

let storePid = 0;
/** Store CPU µs per operation of the last `throughput` run: capacity independent of load. */
let lastCpuPerOp = NaN;

/** Runs `total` calls of `fn` with `concurrency` in flight; returns ops per second. */
async function throughput(total: number, concurrency: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const cpuBefore = storePid ? cpuMs(storePid) : NaN;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < total) {
      const i = next++;
      await fn(i);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  lastCpuPerOp = storePid ? ((cpuMs(storePid) - cpuBefore) * 1000) / total : NaN;
  return total / elapsed;
}

/** "rate/s (store CPU µs/op)". */
interface Rate {
  perSecond: number;
  cpuPerOp: number;
}

async function rate(total: number, concurrency: number, fn: (i: number) => Promise<unknown>): Promise<Rate> {
  const perSecond = await throughput(total, concurrency, fn);
  return { perSecond, cpuPerOp: lastCpuPerOp };
}

/** Sequential latencies in ms: mean and p99. */
async function latency(total: number, fn: (i: number) => Promise<unknown>): Promise<{ mean: number; p50: number; p99: number }> {
  const samples: number[] = [];
  for (let i = 0; i < total; i++) {
    const started = performance.now();
    await fn(i);
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const pick = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? NaN;
  return { mean: samples.reduce((s, x) => s + x, 0) / samples.length, p50: pick(0.5), p99: pick(0.99) };
}

function rssMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

interface Measures {
  creates: Rate;
  condChanged: Rate;
  condSame: Rate;
  searches: Rate;
  latency: { mean: number; p50: number; p99: number };
  transactions: Rate;
}

/**
 * Measures at the current store size `n` (Patients 0..n-1 exist). Updates give content rounds
 * from `rounds` on (see `benchPatient`), so no measure rewrites a content an earlier one wrote.
 */
async function measure(client: Client, n: number, createFrom: number, rounds: number): Promise<Measures> {
  const pick = (i: number): number => (i * 7919) % n;
  const creates = await rate(2_000, CONCURRENCY, (i) => client.send('POST', '/Patient', benchPatient(createFrom + i)));
  const versionOf = (json: unknown): string | undefined => (json as { meta?: { versionId?: string } }).meta?.versionId;
  // Last content written per Patient (round and versionId), for the unchanged pass.
  const stored = new Map<number, { round: number; versionId?: string }>();
  const update = (k: number, round: number): Promise<{ json: unknown }> => client.send('PUT', `/Patient?identifier=${INS}|${100_000_000_000 + k}`, benchPatient(k, round));
  // Untimed warm-up: over the first few thousand updates V8 is still optimising the write path
  // (an 8,000-update run measured right after start-up is ~15 % slower per update).
  await throughput(WARM_UP_UPDATES, CONCURRENCY, (i) => update(pick(i), rounds + WARM_UP_ROUNDS + i));
  const condChanged = await rate(CHANGED_UPDATES, CONCURRENCY, async (i) => {
    const k = pick(i);
    const { json } = await update(k, rounds + i);
    stored.set(k, { round: rounds + i, versionId: versionOf(json) });
  });
  // Same content as stored now: answered without a new version.
  const condSame = await rate(4_000, CONCURRENCY, async (i) => {
    const k = pick(i);
    const last = stored.get(k);
    const { json } = await client.send('PUT', `/Patient?identifier=${INS}|${100_000_000_000 + k}`, benchPatient(k, last?.round ?? 0));
    if (last && versionOf(json) !== last.versionId) throw new Error('an unchanged conditional update created a version');
  });
  const search = (i: number): Promise<unknown> =>
    client.send('GET', `/Patient?identifier=${INS}|${100_000_000_000 + pick(i * 13 + 5)}`).then(({ json }) => {
      if ((json as { total?: number }).total !== 1) throw new Error('identifier search did not find exactly one');
    });
  const searches = await rate(6_000, CONCURRENCY, search);
  const lat = await latency(1_500, search);
  const transactions = await rate(300, CONCURRENCY / 2, (b) =>
    client.send('POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: Array.from({ length: 10 }, (_, j) => {
        const k = pick(b * 10 + j + 3);
        return { resource: benchPatient(k, 50_000 + b), request: { method: 'PUT', url: `Patient?identifier=${INS}|${100_000_000_000 + k}` } };
      }),
    }),
  );
  return { creates, condChanged, condSame, searches, latency: lat, transactions };
}

/**
 * The same-run baseline: the same client, connections, concurrency and PUTs against a bare
 * HTTP JSON echo (`lib/http-echo.ts`). This machine's speed varies by up to 2× from hour to
 * hour; the store's rates as a share of the echo's compare across runs where raw rates cannot.
 */
async function echoBaseline(): Promise<Rate> {
  const echo = await spawnService<{ port: number }>({ entry: 'bench/lib/http-echo.ts', readyMessage: 'http echo listening', forwardLogs: problemsOnly('echo') });
  storePid = echo.pid;
  const client = new Client(`http://127.0.0.1:${echo.ready.port}/fhir`);
  try {
    const put = (i: number): Promise<unknown> => client.send('PUT', `/Patient?identifier=${INS}|${100_000_000_000 + (i % 1_000)}`, benchPatient(i % 1_000, i));
    await throughput(WARM_UP_UPDATES, CONCURRENCY, put);
    return await rate(CHANGED_UPDATES, CONCURRENCY, put);
  } finally {
    await client.close();
    await echo.stop();
  }
}

async function main(): Promise<void> {
  const echo = await echoBaseline();
  const dataDir = mkdtempSync(join(tmpdir(), 'fhir-store-bench-'));
  const store = await startFhirStoreProcess({ dataDir }).catch((err: unknown) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  storePid = store.pid;
  const client = new Client(store.baseUrl);
  const started = performance.now();
  try {
    // 1,000 Patients, one POST each.
    await throughput(1_000, CONCURRENCY, (i) => client.send('POST', '/Patient', benchPatient(i)));
    const small = await measure(client, 1_000, 1_000_000, 1);
    const rssSmall = rssMb(store.pid);

    // Fill to 100,000 with 1,000-entry transaction Bundles.
    const BULK = 1_000;
    const target = 100_000;
    const batches = Math.ceil((target - 1_000) / BULK);
    const bulkRate = await rate(batches, 2, (b) =>
      client.send('POST', '', {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: Array.from({ length: Math.min(BULK, target - 1_000 - b * BULK) }, (_, j) => ({
          resource: benchPatient(1_000 + b * BULK + j),
          request: { method: 'POST', url: 'Patient' },
        })),
      }),
    );
    // The fill is the heaviest phase for memory (1,000-entry Bundles): tell it apart from the measures.
    const rssFilled = rssMb(store.pid);
    const large = await measure(client, target, 2_000_000, 1_000_000);
    const rssLarge = rssMb(store.pid);

    const r = (x: Rate): string => `${fmt(x.perSecond)} (${fmt(x.cpuPerOp)})`;
    const rows: Row[] = [
      { metric: 'creates/s (POST, concurrency 20)', at1k: r(small.creates), at100k: r(large.creates) },
      { metric: 'conditional updates/s, content changed', at1k: r(small.condChanged), at100k: r(large.condChanged) },
      { metric: 'conditional updates/s, content unchanged', at1k: r(small.condSame), at100k: r(large.condSame) },
      { metric: 'identifier searches/s (concurrency 20)', at1k: r(small.searches), at100k: r(large.searches) },
      { metric: 'identifier search latency mean (ms, sequential)', at1k: fmt(small.latency.mean, 3), at100k: fmt(large.latency.mean, 3) },
      { metric: 'identifier search latency p50 / p99 (ms)', at1k: `${fmt(small.latency.p50, 3)} / ${fmt(small.latency.p99, 3)}`, at100k: `${fmt(large.latency.p50, 3)} / ${fmt(large.latency.p99, 3)}` },
      { metric: '10-entry conditional transactions/s', at1k: r(small.transactions), at100k: r(large.transactions) },
      { metric: 'store RSS MB (current / peak)', at1k: `${fmt(rssSmall.rss)} / ${fmt(rssSmall.peak)}`, at100k: `${fmt(rssLarge.rss)} / ${fmt(rssLarge.peak)}` },
    ];
    const width = Math.max(...rows.map((r) => r.metric.length));
    console.log(`\nEmbedded FHIR store over HTTP (undici Pool, ${CONNECTIONS} connections)`);
    console.log('rates: operations/s (store CPU µs per operation; 1e6 / that = rate with one free core)\n');
    console.log(`${'metric'.padEnd(width)} | ${'1k'.padStart(14)} | ${'100k'.padStart(14)}`);
    console.log(`${'-'.repeat(width)}-+-${'-'.repeat(14)}-+-${'-'.repeat(14)}`);
    for (const r of rows) console.log(`${r.metric.padEnd(width)} | ${(r.at1k ?? '').padStart(14)} | ${(r.at100k ?? '').padStart(14)}`);
    console.log(`\nbaseline, a bare HTTP JSON echo (same client and PUTs): ${fmt(echo.perSecond)}/s (${fmt(echo.cpuPerOp)} µs CPU each)`);
    // One decimal: a 5 % change of the store's rate moves this share by ~0.6 point.
    const share = (x: Rate): string => `${fmt((100 * x.perSecond) / echo.perSecond, 1)} %`;
    console.log(`changed conditional updates as a share of it: ${share(small.condChanged)} at 1k, ${share(large.condChanged)} at 100k`);
    console.log(`search latency ratio 100k / 1k: ${fmt(large.latency.mean / small.latency.mean, 2)}`);
    console.log(`bulk load 1k → 100k: ${fmt(bulkRate.perSecond * BULK)} resources/s, ${fmt(bulkRate.cpuPerOp / BULK)} µs store CPU each (POST transaction Bundles of ${BULK}, 2 in flight); store RSS MB after it (current / peak): ${fmt(rssFilled.rss)} / ${fmt(rssFilled.peak)}`);
    console.log(`machine load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (${cpus().length} cores)`);
    console.log(`total run time: ${fmt((performance.now() - started) / 1000, 1)} s`);
  } finally {
    await client.close();
    await store.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
