/**
 * Focused benchmark of the embedded store's hot write path: content-changing conditional
 * updates (`PUT Patient?identifier=…`) over HTTP, 10 connections, against 1,000 stored Patients.
 * Prints updates/s and, less sensitive to a busy machine, the store's CPU µs per update.
 *
 * Run: `npx tsx bench/lib/fhir-store-updates.ts [updates] [--profile <dir>]`. With `--profile`,
 * the store writes a V8 CPU profile (`<dir>/store/<pid>.cpuprofile`) when it stops, covering
 * the whole run (the 1,000 creates included) — open it in Chrome DevTools.
 */
import { loadavg } from 'node:os';
import { Pool } from 'undici';
import { cpuSeconds } from './mllp-cpu.js';
import { startStore } from './processes.js';
import { fmt, runConcurrently } from './load.js';
import { benchPatient, INS } from './bench-patient.js';

const STORED = 1_000;
const CONCURRENCY = 20;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const profileAt = args.indexOf('--profile');
  const profileDir = profileAt >= 0 ? args[profileAt + 1] : undefined;
  const updates = Number(args.find((a, i) => /^\d+$/.test(a) && (profileAt < 0 || i !== profileAt + 1)) ?? 8_000);
  const store = await startStore({ profileDir });
  const url = new URL(store.url);
  const pool = new Pool(url.origin, { connections: 10, pipelining: 1 });
  const send = async (method: 'POST' | 'PUT', path: string, body: unknown): Promise<void> => {
    const res = await pool.request({ method, path: url.pathname + path, headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`${method} ${path} → ${res.statusCode}: ${text.slice(0, 300)}`);
  };
  try {
    await runConcurrently(Array.from({ length: STORED }, (_, i) => i), CONCURRENCY, (i) => send('POST', '/Patient', benchPatient(i, 0)));
    // Warm-up, then the measured pass; each update gives its Patient a new telephone number.
    const put = (round: number) => (k: number): Promise<void> => send('PUT', `/Patient?identifier=${INS}|${100_000_000_000 + k}`, benchPatient(k, round));
    const keys = Array.from({ length: updates }, (_, i) => (i * 7919) % STORED);
    await runConcurrently(keys.slice(0, 1_000), CONCURRENCY, (k, i) => put(1 + i)(k));
    const cpuBefore = cpuSeconds(store.pid);
    const run = await runConcurrently(keys, CONCURRENCY, (k, i) => put(10_000 + i)(k));
    const cpuPerOp = ((cpuSeconds(store.pid) - cpuBefore) * 1e6) / updates;
    console.log(`conditional updates, content changed: ${fmt(run.perSecond)}/s, store CPU ${fmt(cpuPerOp)} µs/update (${updates} updates, load ${loadavg()[0]?.toFixed(2)})`);
  } finally {
    await pool.close();
    await store.stop();
  }
}

await main();
