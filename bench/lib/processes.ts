/**
 * The processes a benchmark measures, each started as users run them: the FHIR store
 * (`npm run fhir-store`) and the gateway (`npm start`, pointed at that store with FHIR_BASE_URL),
 * on free ports, fresh data directories and their own queue prefix.
 *
 * With `profileDir`, each process writes a V8 CPU profile there when it exits (see
 * `cpu-profile.mjs`), to be opened in Chrome DevTools.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { spawnService, type ServiceProcess } from '../../gateway/process/spawn-service.js';
import { deleteQueueKeys } from '../../test/helpers/gateway-process.js';
import { FHIR_STORE_PROCESS } from '../../gateway/fhir-store/process-entry.js';

export interface BenchProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * The services log at `info`: their "listening" line, which tells they are ready, is an info
 * line. Request lines are info too, so they cost the gateway a little, as in production.
 */
const READY_LOG_LEVEL = 'info';

/**
 * What a benchmark shows of its services' output: warnings, errors and anything that is not a
 * log line (a crash's stack trace), prefixed with the service's name; info lines are dropped.
 */
export function problemsOnly(name: string): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
        let level = Number.POSITIVE_INFINITY;
        try {
          level = Number((JSON.parse(line) as { level?: unknown }).level ?? level);
        } catch {
          // not a log line: keep it
        }
        if (level >= WARN_LEVEL) process.stderr.write(`[${name}] ${line}\n`);
      }
      done();
    },
  });
}
const WARN_LEVEL = 40;

const PROFILER = fileURLToPath(new URL('./cpu-profile.mjs', import.meta.url));

function profileEnv(profileDir: string | undefined, name: string): Record<string, string> {
  return profileDir ? { NODE_OPTIONS: `--import ${PROFILER}`, CPU_PROFILE_DIR: join(profileDir, name) } : {};
}

async function withDataDir<P extends ServiceProcess<Record<string, unknown>>>(
  name: string,
  start: (dir: string) => Promise<P>,
): Promise<{ child: P; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `bench-${name}-`));
  const child = await start(dir);
  let stopping = false;
  // A service that dies mid-run makes every later number meaningless: say so at once.
  void child.exited.then(() => {
    if (!stopping) process.stderr.write(`[${name}] pid ${child.pid} exited unexpectedly\n`);
  });
  return {
    child,
    stop: async () => {
      stopping = true;
      await child.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Starts `gateway/fhir-store/main.ts` on a fresh DATA_DIR. */
export async function startStore(options: { profileDir?: string; name?: string } = {}): Promise<BenchProcess> {
  const { child, stop } = await withDataDir(options.name ?? 'store', (dir) =>
    spawnService<{ url: string }>({
      ...FHIR_STORE_PROCESS,
      env: { FHIR_STORE_PORT: '0', DATA_DIR: dir, LOG_LEVEL: READY_LOG_LEVEL, ...profileEnv(options.profileDir, options.name ?? 'store') },
      forwardLogs: problemsOnly(options.name ?? 'store'),
    }),
  );
  return { url: child.ready.url, pid: child.pid, stop };
}

/** Starts `gateway/main.ts` (HTTP gateway and workers in one process) in front of `fhirBaseUrl`. */
export async function startGateway(options: { fhirBaseUrl: string; profileDir?: string }): Promise<BenchProcess & { queuePrefix: string }> {
  const queuePrefix = `bench${randomUUID().slice(0, 8)}`;
  const { child, stop } = await withDataDir('gateway', (dir) =>
    spawnService<{ http: string }>({
      entry: 'gateway/main.ts',
      readyMessage: 'passerelle listening',
      env: {
        PORT: '0', HOST: '127.0.0.1', MLLP_PORT: '0', MLLP_HOST: '127.0.0.1',
        DATA_DIR: dir, QUEUE_PREFIX: queuePrefix, FHIR_BASE_URL: options.fhirBaseUrl, LOG_LEVEL: READY_LOG_LEVEL,
        // The bench measures capacity, not the per-client limit (one client sends everything).
        RATE_LIMIT_PER_SECOND: '1000000', RATE_LIMIT_BURST: '1000000',
        ...profileEnv(options.profileDir, 'gateway'),
      },
      forwardLogs: problemsOnly('gateway'),
      startTimeoutMs: 60_000,
      // Imports and case jobs may still run at the end: give them the workers' 20 s shutdown grace.
      stopGraceMs: 25_000,
    }),
  );
  return {
    url: child.ready.http,
    pid: child.pid,
    queuePrefix,
    stop: async () => {
      await stop();
      await deleteQueueKeys(queuePrefix);
    },
  };
}
