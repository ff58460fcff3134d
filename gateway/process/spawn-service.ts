/**
 * Starts one of our own entry points as a child process and waits for the JSON log line that
 * says it is listening. Used by `npm start` (the embedded FHIR store runs beside the gateway, on
 * the second core), by integration tests that need a real process boundary (restart, `kill -9`)
 * and by benchmarks.
 *
 * @example
 *   const store = await spawnService({ entry: 'gateway/fhir-store/main.ts', readyMessage: 'fhir store listening', env });
 *   store.ready.url; // from the log line
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ServiceProcess<Ready> {
  /** The fields of the "listening" log line. */
  ready: Ready;
  pid: number;
  /** Sends `signal` (default SIGTERM) and resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGTERM, then SIGKILL if it has not exited after the grace period. */
  stop(): Promise<void>;
  /** Resolves when the process exits, whoever stopped it. */
  exited: Promise<void>;
}

export interface SpawnServiceOptions {
  /** Entry point, relative to the repository root. */
  entry: string;
  args?: string[];
  /** Flags for Node itself (before the entry point), e.g. heap sizing. */
  nodeArgs?: readonly string[];
  /** `msg` of the log line that says the service is ready. */
  readyMessage: string;
  env?: Record<string, string | undefined>;
  /** Forward the child's log lines (stdout) to this stream once ready; default: drained. */
  forwardLogs?: NodeJS.WritableStream;
  startTimeoutMs?: number;
  stopGraceMs?: number;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STDERR_KEPT = 8_000;

export function spawnService<Ready extends Record<string, unknown>>(opts: SpawnServiceOptions): Promise<ServiceProcess<Ready>> {
  const startTimeoutMs = opts.startTimeoutMs ?? 30_000;
  const stopGraceMs = opts.stopGraceMs ?? 10_000;
  // The IPC channel lets the child notice when we die (even by SIGKILL) and exit with us.
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', opts.entry, ...(opts.args ?? [])], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const { stdout, stderr: stderrStream } = child as typeof child & { stdout: NodeJS.ReadableStream; stderr: NodeJS.ReadableStream };
  let stderr = '';
  stderrStream.setEncoding('utf8');
  stderrStream.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEPT);
    opts.forwardLogs?.write(chunk);
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
    const timer = setTimeout(() => child.kill('SIGKILL'), stopGraceMs);
    try {
      await kill('SIGTERM');
    } finally {
      clearTimeout(timer);
    }
  };

  return new Promise((resolve, reject) => {
    let buffered = '';
    let settled = false;
    const fail = (reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${opts.entry} ${reason}; stderr:\n${stderr}`));
    };
    const timer = setTimeout(() => fail(`did not report "${opts.readyMessage}" within ${startTimeoutMs} ms`), startTimeoutMs);
    child.once('exit', (code, signal) => fail(`exited before it was ready (code ${code}, signal ${signal})`));
    child.once('error', (err) => fail(`could not start: ${err.message}`));
    stdout.setEncoding('utf8');
    stdout.on('data', (chunk: string) => {
      if (settled) {
        opts.forwardLogs?.write(chunk);
        return;
      }
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        opts.forwardLogs?.write(`${line}\n`);
        let parsed: Record<string, unknown>;
        try {
          parsed = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        if (parsed.msg === opts.readyMessage && child.pid !== undefined) {
          settled = true;
          clearTimeout(timer);
          stdout.resume();
          resolve({ ready: parsed as Ready, pid: child.pid, kill, stop, exited });
          return;
        }
      }
    });
  });
}

/** In a child started by `spawnService`: run `onOrphaned` when the parent goes away. */
export function exitWithParent(onOrphaned: () => void): void {
  if (process.send) process.once('disconnect', onOrphaned);
}
