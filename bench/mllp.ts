/**
 * Benchmark of HL7 v2 over MLLP, end to end. Run: `npx tsx bench/mllp.ts [--rate 200]
 * [--seconds 20] [--patients 200] [--lag 1] [--parts 1,2,3] [--profile <dir>]` (about 2–3 minutes
 * on 2 quiet cores; needs Redis). `--parts 3` runs the discharge part alone; `--profile` makes the
 * store and Passerelle write V8 CPU profiles under `<dir>/store` and `<dir>/passerelle-<role>`
 * when they stop (open them in Chrome DevTools).
 *
 * Measures in one run, each server as its own process:
 *   1. a bare MLLP echo server (our deframer + one fixed ACK): msg/s on 1 connection (64 in
 *      flight), on 8 connections (64 in flight each), and sent one at a time (an MLLP sender in
 *      original mode waits for each ACK) — the ceiling;
 *   2. Passerelle `--role mllp` (the ACK path alone: message log + person order + queue, committed
 *      before the ACK): ACKed msg/s on 1 and 8 connections, ACK latency p50/p99 sent one at a time,
 *      the ratios to the echo server (like for like), and whether every ACK was AA.
 *      Targets: 1 connection ≥ 50 % of the echo; 8 connections ≥ 1,500 msg/s;
 *   3. discharge → Task visible: Passerelle `--role all` against a FHIR store process, with one
 *      active coordination case seeded per patient (`PUT /v1/cases/{id}?wait=true`, matched by
 *      qualified INS); A01+A03 pairs sent on schedule at `--rate` msg/s for `--seconds`, each A03
 *      `--lag` seconds after its A01, after a warm-up of 800 such messages on other persons
 *      (reported, not counted); per A03, the time from its ACK to its discharge Task being
 *      readable in the store (polled by the Task's identifier). Target: p99 < 500 ms. When the
 *      worker falls behind, the rate it actually sustained is printed instead of pretending.
 *
 * Prints figures only; asserts nothing.
 */
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { connectRedis, createJobQueues } from '../workers/queue/index.js';
import { fmt, percentile } from './lib/load.js';
import { cpuSeconds } from './lib/mllp-cpu.js';
import { allAa, codesText, runPaced, runWindowed, type MllpRun } from './lib/mllp-load.js';
import { adtMessage, benchCase, benchPerson, DAC, dischargeTaskId, type BenchPerson } from './lib/mllp-messages.js';
import { cpuProfileEnv, startEcho, startPasserelle, startStore, type Service } from './lib/mllp-services.js';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '20' },
    patients: { type: 'string', default: '200' },
    lag: { type: 'string', default: '1' },
    parts: { type: 'string', default: '1,2,3' },
    profile: { type: 'string' },
  },
});
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const PATIENTS = Number(args.patients);
/** Seconds between a stay's A01 and its A03. */
const LAG = Number(args.lag);
const PARTS = new Set(args.parts.split(',').map((part) => part.trim()));
const PROFILE_DIR = args.profile;
const WINDOW = 64;
const ECHO_MESSAGES = 30_000;
const PASSERELLE_MESSAGES = 8_000;
const SEQUENTIAL_MESSAGES = 500;
const WARMUP_MESSAGES = 1_000;
/**
 * Discharge warm-up: A01+A03 pairs sent at RATE, like the measured run, on persons of their own,
 * before it; ~4 s at 200 msg/s. With 20 pairs only, the measured run's first quarter waited
 * ~0.7–1.1 s at p50 and its last ~0.1 s: the code paths were still being compiled.
 */
const WARMUP_PAIRS = 400;
const WARMUP_PERSONS = 200;
/** How long Tasks may keep appearing after the last message was sent. */
const DRAIN_TIMEOUT_MS = 60_000;
const POLL_INTERVAL_MS = 50;
/** Task identifiers asked per search (`identifier=a,b,…` is an OR). */
const POLL_BATCH = 20;
const REDIS_URL = 'redis://127.0.0.1:6379';

interface Row { measure: string; value: string; target?: string }
const rows: Row[] = [];
const row = (measure: string, value: string, target?: string) => rows.push({ measure, value, ...(target !== undefined ? { target } : {}) });

/** `n` distinct messages: A01 and A03 alternately, each of its own person and visit. */
function distinctMessages(series: number, n: number, offset = 0): Buffer[] {
  return Array.from({ length: n }, (_, i) => {
    const k = offset + i;
    const kind = k % 2 === 0 ? 'a01' : 'a03';
    return adtMessage(kind, benchPerson(series, k), `V${series}-${k}`, `B${series}-${k}`);
  });
}

const ms = (values: readonly number[], p: number) => `${fmt(percentile(values, p), 1)} ms`;
const aaText = (run: MllpRun) => (allAa(run) ? 'all AA' : `NOT all AA: ${codesText(run.codes)}`);

interface EchoRates {
  one: number;
  eight: number;
  /** One message in flight: how an MLLP sender in original mode sends (waiting for each ACK). */
  sequential: number;
}

async function echoPart(): Promise<EchoRates> {
  const echo = await startEcho();
  try {
    const port = echo.ready.port;
    await runWindowed('127.0.0.1', port, distinctMessages(1, WARMUP_MESSAGES), { connections: 1, window: WINDOW });
    const messages = distinctMessages(1, ECHO_MESSAGES);
    const one = await runWindowed('127.0.0.1', port, messages, { connections: 1, window: WINDOW });
    const eight = await runWindowed('127.0.0.1', port, messages, { connections: 8, window: WINDOW });
    const sequential = await runWindowed('127.0.0.1', port, distinctMessages(1, SEQUENTIAL_MESSAGES * 4), { connections: 1, window: 1 });
    row('1. echo, 1 connection (64 in flight)', `${fmt(one.perSecond)} msg/s`);
    row('1. echo, 8 connections (64 in flight each)', `${fmt(eight.perSecond)} msg/s`);
    row('1. echo, sent one at a time', `${fmt(sequential.perSecond)} msg/s, p50 ${ms(sequential.latenciesMs, 50)}`);
    return { one: one.perSecond, eight: eight.perSecond, sequential: sequential.perSecond };
  } finally {
    await echo.stop();
  }
}

async function ackPathPart(fhirBaseUrl: string, echo: EchoRates): Promise<void> {
  const gw = await startPasserelle('mllp', fhirBaseUrl, cpuProfileEnv(PROFILE_DIR, 'passerelle-mllp'));
  try {
    const port = gw.ready.mllp!;
    const warm = await runWindowed('127.0.0.1', port, distinctMessages(2, WARMUP_MESSAGES), { connections: 1, window: WINDOW });
    const cpuBefore = cpuSeconds(gw.pid);
    const one = await runWindowed('127.0.0.1', port, distinctMessages(3, PASSERELLE_MESSAGES), { connections: 1, window: WINDOW });
    const eight = await runWindowed('127.0.0.1', port, distinctMessages(4, PASSERELLE_MESSAGES), { connections: 8, window: WINDOW });
    const cpuMs = ((cpuSeconds(gw.pid) - cpuBefore) * 1000) / (2 * PASSERELLE_MESSAGES);
    const busy = (cpuSeconds(gw.pid) - cpuBefore) / (one.seconds + eight.seconds);
    const sequential = await runWindowed('127.0.0.1', port, distinctMessages(5, SEQUENTIAL_MESSAGES), { connections: 1, window: 1 });
    // The share of its own 8-connection rate tells whether one connection is served as fast as the
    // process can: the echo answers in ~11 µs a message, under what parsing one ADT message costs.
    row('2. --role mllp, 1 connection (64 in flight)', `${fmt(one.perSecond)} msg/s, ${fmt((100 * one.perSecond) / echo.one)} % of echo, ${fmt((100 * one.perSecond) / eight.perSecond)} % of its 8 connections; ${aaText(one)}`, '≥ 50 % of echo');
    row('2. --role mllp, 8 connections (64 in flight each)', `${fmt(eight.perSecond)} msg/s, ${fmt((100 * eight.perSecond) / echo.eight)} % of echo; ${aaText(eight)}`, '≥ 1,500 msg/s');
    row('2.   ACK latency under load, 1 conn × 64', `p50 ${ms(one.latenciesMs, 50)}, p99 ${ms(one.latenciesMs, 99)}`);
    row('2.   ACK latency under load, 8 conn × 64', `p50 ${ms(eight.latenciesMs, 50)}, p99 ${ms(eight.latenciesMs, 99)}`);
    row('2.   CPU of the mllp process per ACKed message', `${fmt(cpuMs, 2)} ms (${fmt(busy, 2)} of a core busy while loaded)`);
    row('2.   ACK latency, sent one at a time', `p50 ${ms(sequential.latenciesMs, 50)}, p99 ${ms(sequential.latenciesMs, 99)} (${fmt(sequential.perSecond)} msg/s, ${fmt((100 * sequential.perSecond) / echo.sequential)} % of the echo sent one at a time); ${aaText(sequential)}`);
    if (!allAa(warm)) row('2.   warm-up ACKs', codesText(warm.codes));
  } finally {
    await gw.stop();
  }
}

/** Seeds one active case per person through the case API, waiting for each write. */
async function seedCases(httpUrl: string, persons: readonly BenchPerson[], firstCase: number): Promise<number> {
  const pool = new Pool(httpUrl, { connections: 8 });
  const headers = { authorization: `Bearer ${DAC.key}`, 'content-type': 'application/json' };
  const started = performance.now();
  let next = 0;
  try {
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < persons.length) {
        const i = next++;
        const n = firstCase + i;
        const res = await pool.request({ method: 'PUT', path: `/v1/cases/BENCH-${n}?wait=true`, headers, body: JSON.stringify(benchCase(persons[i]!, n)) });
        const text = await res.body.text();
        if (res.statusCode !== 200) throw new Error(`PUT /v1/cases/BENCH-${n}?wait=true → ${res.statusCode}: ${text.slice(0, 300)}`);
      }
    }));
  } finally {
    await pool.close();
  }
  return (performance.now() - started) / 1000;
}

/**
 * Watches the store for discharge Tasks: `expect(value, ackAt)` registers one, and a loop
 * searches the oldest pending identifiers (batched) every POLL_INTERVAL_MS. Polling the store
 * directly keeps the watch's own cost off the gateway being measured.
 */
function taskWatcher(fhirBaseUrl: string) {
  const url = new URL(fhirBaseUrl);
  const pool = new Pool(url.origin, { connections: 2 });
  const base = url.pathname.replace(/\/$/, '');
  const pending = new Map<string, { system: string; ackAt: number }>();
  const visibleAfterMs = new Map<string, number>();
  const visibleAt = new Map<string, number>();
  let stopped = false;
  let searches = 0;
  let identifiersAsked = 0;
  const loop = (async () => {
    while (!stopped) {
      const batch = [...pending].slice(0, POLL_BATCH);
      if (batch.length > 0) {
        const query = new URLSearchParams({ identifier: batch.map(([value, p]) => `${p.system}|${value}`).join(','), _count: String(POLL_BATCH * 2), _elements: 'identifier' });
        const res = await pool.request({ method: 'GET', path: `${base}/Task?${query}`, headers: { accept: 'application/fhir+json' } });
        const body = (await res.body.json()) as { entry?: { resource?: { identifier?: { system?: string; value?: string }[] } }[] };
        const now = performance.now();
        searches++;
        identifiersAsked += batch.length;
        if (res.statusCode !== 200) throw new Error(`Task search → ${res.statusCode}: ${JSON.stringify(body).slice(0, 300)}`);
        for (const entry of body.entry ?? []) {
          for (const id of entry.resource?.identifier ?? []) {
            const wanted = id.value !== undefined ? pending.get(id.value) : undefined;
            if (wanted === undefined || wanted.system !== id.system) continue;
            visibleAfterMs.set(id.value!, now - wanted.ackAt);
            visibleAt.set(id.value!, now);
            pending.delete(id.value!);
          }
        }
      }
      await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
    }
  })();
  return {
    expect(identifier: { system?: string; value?: string }, ackAt: number) {
      pending.set(identifier.value!, { system: identifier.system!, ackAt });
    },
    get pending() { return pending.size; },
    get searches() { return searches; },
    get identifiersAsked() { return identifiersAsked; },
    visibleAfterMs,
    visibleAt,
    async stop() {
      stopped = true;
      await loop;
      await pool.close();
    },
  };
}

/**
 * Sends `pairs` A01+A03 pairs at RATE and returns per-A03 ACK → Task times. Each A03 follows its
 * A01 by `lagPairs` pairs (LAG seconds), as a discharge follows an admission: sent back to back,
 * the A03 would often meet its A01 still being written and be held by the per-person order for
 * ORDER_RETRY_DELAY_MS (500 ms), which measures the order guard rather than the pipeline.
 */
async function dischargeRun(
  gw: Service<{ mllp?: number; fhir: string; queuePrefix: string }>,
  persons: readonly BenchPerson[],
  pairs: number,
  label: string,
  atSendEnd: () => Promise<unknown> = async () => undefined,
) {
  const lagPairs = Math.max(1, Math.min(Math.round((LAG * RATE) / 2), Math.floor(pairs / 4)));
  const messages: Buffer[] = [];
  /** For each message index, the discharge Task its ACK starts the clock of (A03s only). */
  const taskOf: ({ system?: string; value?: string } | undefined)[] = [];
  const visit = (j: number) => `V${label}${j}`;
  for (let k = 0; k < pairs + lagPairs; k++) {
    if (k < pairs) {
      messages.push(adtMessage('a01', persons[k % persons.length]!, visit(k), `${label}-${k}-1`));
      taskOf.push(undefined);
    }
    const j = k - lagPairs;
    if (j >= 0) {
      messages.push(adtMessage('a03', persons[j % persons.length]!, visit(j), `${label}-${j}-3`));
      taskOf.push(dischargeTaskId(visit(j)));
    }
  }
  const watcher = taskWatcher(gw.ready.fhir);
  const started = performance.now();
  try {
    const sent = await runPaced('127.0.0.1', gw.ready.mllp!, messages, {
      perSecond: RATE,
      timeoutMs: (pairs * 2 * 1000) / RATE + 60_000,
      onAck: (index, at) => {
        const task = taskOf[index];
        if (task !== undefined) watcher.expect(task, at);
      },
    });
    const sendEnd = performance.now();
    const pendingAtSendEnd = watcher.pending;
    const queueAtSendEnd = await atSendEnd();
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    while (watcher.pending > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return {
      sent, started, sendEnd, pendingAtSendEnd, queueAtSendEnd, lagPairs, missing: watcher.pending,
      latencies: [...watcher.visibleAfterMs.values()], lastVisible: Math.max(...watcher.visibleAt.values()), searches: watcher.searches, identifiersAsked: watcher.identifiersAsked,
    };
  } finally {
    await watcher.stop();
  }
}

/**
 * Store CPU seconds one watcher search costs with these identifiers (all found), so the
 * per-message figure can leave the watcher's own load out.
 */
async function watcherSearchCost(fhirBaseUrl: string, storePid: number, identifiers: readonly { system?: string; value?: string }[]): Promise<number> {
  const url = new URL(fhirBaseUrl);
  const pool = new Pool(url.origin, { connections: 1 });
  const query = new URLSearchParams({ identifier: identifiers.map((i) => `${i.system}|${i.value}`).join(','), _count: String(POLL_BATCH * 2), _elements: 'identifier' });
  const path = `${url.pathname.replace(/\/$/, '')}/Task?${query}`;
  const searches = 100;
  try {
    const before = cpuSeconds(storePid);
    for (let i = 0; i < searches; i++) await (await pool.request({ method: 'GET', path })).body.text();
    return (cpuSeconds(storePid) - before) / searches;
  } finally {
    await pool.close();
  }
}

async function dischargePart(fhirBaseUrl: string, storePid: number): Promise<void> {
  const gw = await startPasserelle('all', fhirBaseUrl, cpuProfileEnv(PROFILE_DIR, 'passerelle-all'));
  const redis = await connectRedis(REDIS_URL);
  const queues = await createJobQueues({ connection: redis, prefix: gw.ready.queuePrefix });
  try {
    const warmPersons = Array.from({ length: WARMUP_PERSONS }, (_, i) => benchPerson(6, i));
    const persons = Array.from({ length: PATIENTS }, (_, i) => benchPerson(7, i));
    await seedCases(gw.ready.http!, warmPersons, 0);
    const seedSeconds = await seedCases(gw.ready.http!, persons, WARMUP_PERSONS);
    row('3. seeding: active cases via PUT /v1/cases?wait=true (8 in flight)', `${fmt(PATIENTS)} cases in ${fmt(seedSeconds, 1)} s (${fmt(PATIENTS / seedSeconds, 1)}/s)`);

    const warm = await dischargeRun(gw, warmPersons, WARMUP_PAIRS, 'W');
    if (warm.missing > 0) {
      row('3. warm-up', `${warm.missing}/${WARMUP_PAIRS} discharge Tasks never became visible: check the worker's log above`);
      return;
    }
    row('3. warm-up, not counted: A01+A03 pairs on other persons', `${fmt(2 * WARMUP_PAIRS)} msgs at ${fmt(RATE)} msg/s; A03 ACK → Task p50 ${ms(warm.latencies, 50)}, p99 ${ms(warm.latencies, 99)}`);
    const pairs = Math.round((RATE * SECONDS) / 2);
    const cpuBefore = { gw: cpuSeconds(gw.pid), store: cpuSeconds(storePid), redis: await redisCpuSeconds(redis), at: performance.now() };
    const run = await dischargeRun(gw, persons, pairs, 'R', () => queues.queue('hl7-inbound').getJobCounts('waiting', 'active', 'delayed', 'failed'));
    const visible = run.latencies.length;
    const wall = (performance.now() - cpuBefore.at) / 1000;
    const gwCpu = cpuSeconds(gw.pid) - cpuBefore.gw;
    const storeCpu = cpuSeconds(storePid) - cpuBefore.store;
    const redisCpu = (await redisCpuSeconds(redis)) - cpuBefore.redis;
    // Linear model of a search's cost, a + b × identifiers, from searches of 1 and POLL_BATCH.
    const costOne = await watcherSearchCost(gw.ready.fhir, storePid, [dischargeTaskId('VR0')]);
    const costBatch = await watcherSearchCost(gw.ready.fhir, storePid, Array.from({ length: POLL_BATCH }, (_, j) => dischargeTaskId(`VR${j}`)));
    const perIdentifier = (costBatch - costOne) / (POLL_BATCH - 1);
    const watcherCpu = run.searches * (costOne - perIdentifier) + run.identifiersAsked * perIdentifier;
    const storeCpuNet = storeCpu - watcherCpu;
    const sustained = (2 * visible) / ((run.lastVisible - run.started) / 1000);
    const offered = (2 * pairs) / ((run.sendEnd - run.started) / 1000);
    const quarter = Math.max(1, Math.floor(visible / 4));
    // visibleAfterMs keeps insertion (visibility) order: first vs last quarter shows a growing backlog.
    const first = run.latencies.slice(0, quarter);
    const last = run.latencies.slice(-quarter);
    row('3. offered: A01+A03 pairs, paced, 1 connection', `${fmt(2 * pairs)} msgs (A03 ${fmt((2 * run.lagPairs * 1000) / RATE)} ms after its A01) at ${fmt(offered)} msg/s over ${fmt((run.sendEnd - run.started) / 1000, 1)} s; ${aaText(run.sent)}; ACK p50 ${ms(run.sent.latenciesMs, 50)}, p99 ${ms(run.sent.latenciesMs, 99)}`);
    row('3. A03 ACK → discharge Task readable', `p50 ${ms(run.latencies, 50)}, p99 ${ms(run.latencies, 99)}, max ${ms(run.latencies, 100)} (${fmt(visible)}/${fmt(pairs)} Tasks)`, 'p99 < 500 ms');
    row('3.   first quarter / last quarter of Tasks', `p50 ${ms(first, 50)} → ${ms(last, 50)}; p99 ${ms(first, 99)} → ${ms(last, 99)}`);
    row('3.   at the end of sending', `${fmt(run.pendingAtSendEnd)} Tasks not yet visible; hl7-inbound jobs: ${JSON.stringify(run.queueAtSendEnd)}`);
    row('3. sustained: messages fully processed per second', `${fmt(sustained)} msg/s (2 × Tasks visible ÷ first send → last Task)${run.missing > 0 ? `; ${fmt(run.missing)} Tasks still missing after ${DRAIN_TIMEOUT_MS / 1000} s` : ''}`, `${fmt(RATE)} msg/s offered`);
    row('3.   CPU per processed message (A01 or A03)', `passerelle ${fmt((gwCpu * 1000) / (2 * visible), 1)} ms, store ${fmt((storeCpuNet * 1000) / (2 * visible), 1)} ms (without the watcher's searches: ${fmt(costOne * 1000, 1)} ms for 1 identifier, ${fmt(costBatch * 1000, 1)} ms for ${POLL_BATCH}; ${fmt(watcherCpu, 1)} s in all); busy: passerelle ${fmt(gwCpu / wall, 2)} core, store ${fmt(storeCpu / wall, 2)} core`);
    row('3.   CPU of Redis per processed message', `${fmt((redisCpu * 1000) / (2 * visible), 2)} ms (INFO cpu: the whole server, other clients of this Redis included)`);
    row('3.   Task searches made by the watcher', `${fmt(run.searches)} (${fmt(run.identifiersAsked)} identifiers, ≤ ${POLL_BATCH} per search, every ${POLL_INTERVAL_MS} ms)`);
  } finally {
    await queues.close();
    redis.disconnect();
    await gw.stop();
  }
}

/** CPU seconds (user + system) the Redis server has used, from INFO cpu. */
async function redisCpuSeconds(redis: Awaited<ReturnType<typeof connectRedis>>): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info)?.[1]);
  return field('used_cpu_user') + field('used_cpu_sys');
}

function printTable(): void {
  // Nothing measured (a failure before the first row): let the error speak, not an empty table.
  if (rows.length === 0) return;
  const w1 = Math.max(...rows.map((r) => r.measure.length));
  const w2 = Math.max(...rows.map((r) => r.value.length));
  console.log(`\n${'measure'.padEnd(w1)}  ${'value'.padEnd(w2)}  target`);
  console.log(`${'-'.repeat(w1)}  ${'-'.repeat(w2)}  ------`);
  for (const r of rows) console.log(`${r.measure.padEnd(w1)}  ${r.value.padEnd(w2)}  ${r.target ?? ''}`);
}

async function main(): Promise<void> {
  console.log(`bench/mllp: ${availableParallelism()} cores, load average ${fmt(loadavg()[0]!, 2)} at start; rate ${RATE} msg/s for ${SECONDS} s, ${PATIENTS} patients`);
  const store = await startStore(cpuProfileEnv(PROFILE_DIR, 'store'));
  try {
    let echo: EchoRates = { one: Number.NaN, eight: Number.NaN, sequential: Number.NaN };
    if (PARTS.has('1') || PARTS.has('2')) {
      console.log('1. echo server…');
      echo = await echoPart();
    }
    if (PARTS.has('2')) {
      console.log('2. passerelle --role mllp…');
      await ackPathPart(store.ready.url, echo);
    }
    if (PARTS.has('3')) {
      console.log('3. passerelle --role all: seeding cases, then discharges…');
      await dischargePart(store.ready.url, store.pid);
    }
  } finally {
    printTable();
    await store.stop();
    console.log(`load average at the end: ${fmt(loadavg()[0]!, 2)}`);
  }
}

main().catch((err: unknown) => {
  printTable();
  console.error(err);
  process.exit(1);
});
