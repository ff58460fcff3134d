/**
 * Starts the embedded FHIR store (`gateway/fhir-store/main.ts`) as a child process on a free
 * port, for integration tests and benchmarks that need a real process boundary (restart,
 * `kill -9`, RSS).
 *
 * @example
 *   const store = await startFhirStoreProcess({ dataDir });
 *   await fetch(`${store.baseUrl}/Patient`);
 *   await store.stop();
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface FhirStoreProcess {
  /** e.g. `http://127.0.0.1:41234/fhir` */
  baseUrl: string;
  pid: number;
  /** Sends `signal` (default SIGTERM) and resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGTERM, then SIGKILL if it has not exited after 10 s. */
  stop(): Promise<void>;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;
const STDERR_KEPT = 8_000;

/** Spawns the store with FHIR_STORE_PORT=0 and waits for its "fhir store listening" line. */
export function startFhirStoreProcess(opts: { dataDir: string; env?: Record<string, string> }): Promise<FhirStoreProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/fhir-store/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...opts.env, FHIR_STORE_PORT: '0', DATA_DIR: opts.dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEPT);
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

  const kill = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  const stop = async (): Promise<void> => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    try {
      await kill('SIGTERM');
    } finally {
      clearTimeout(timer);
    }
  };

  return new Promise<FhirStoreProcess>((resolve, reject) => {
    let buffered = '';
    let settled = false;
    const fail = (reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`fhir store process ${reason}; stderr:\n${stderr}`));
    };
    const timer = setTimeout(() => fail(`did not report listening within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.once('exit', (code, signal) => fail(`exited before listening (code ${code}, signal ${signal})`));
    child.once('error', (err) => fail(`could not start: ${err.message}`));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (settled) return;
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        let parsed: { msg?: unknown; url?: unknown };
        try {
          parsed = JSON.parse(line) as { msg?: unknown; url?: unknown };
        } catch {
          continue;
        }
        if (parsed.msg === 'fhir store listening' && typeof parsed.url === 'string' && child.pid !== undefined) {
          settled = true;
          clearTimeout(timer);
          // Keep draining stdout so the child never blocks on a full pipe.
          child.stdout.resume();
          resolve({ baseUrl: parsed.url, pid: child.pid, kill, stop });
          return;
        }
      }
    });
  });
}
