/**
 * The processes the MLLP benchmark measures, started as users run them: the bare echo server
 * (`mllp-echo.ts`), the FHIR store (`npm run fhir-store`) and Passerelle (`npm start -- --role
 * …`), each on free ports, a fresh DATA_DIR and, for Passerelle, its own queue prefix whose Redis
 * keys are deleted when it stops. Only warnings and errors of the children reach our stderr.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { problemsOnly } from './processes.js';
import { spawnService } from '../../gateway/process/spawn-service.js';
import { deleteQueueKeys } from '../../test/helpers/gateway-process.js';
import { FHIR_STORE_PROCESS } from '../../gateway/fhir-store/process-entry.js';

/** A started service; `stop()` also removes its data directory and queue keys. */
export interface Service<Ready> {
  ready: Ready;
  pid: number;
  stop(): Promise<void>;
}

/** The ready line of `mllp-echo.ts` (not imported from it: importing it would start a server here). */
const ECHO_READY_MESSAGE = 'mllp echo listening';

/** Starts the bare MLLP echo server. */
export async function startEcho(): Promise<Service<{ port: number }>> {
  const child = await spawnService<{ port: number }>({ entry: 'bench/lib/mllp-echo.ts', readyMessage: ECHO_READY_MESSAGE, forwardLogs: problemsOnly('echo') });
  return { ready: child.ready, pid: child.pid, stop: () => child.stop() };
}

/**
 * Starts the FHIR store on a fresh DATA_DIR (its ready line is logged whatever the level);
 * `extraEnv` adds variables (e.g. {@link cpuProfileEnv}).
 */
export async function startStore(extraEnv: Record<string, string> = {}): Promise<Service<{ url: string }>> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-mllp-store-'));
  const child = await spawnService<{ url: string }>({
    ...FHIR_STORE_PROCESS,
    env: { FHIR_STORE_PORT: '0', FHIR_STORE_HOST: '127.0.0.1', DATA_DIR: dir, LOG_LEVEL: 'warn', ...extraEnv },
    forwardLogs: problemsOnly('store'),
  });
  return {
    ready: child.ready,
    pid: child.pid,
    stop: async () => {
      await child.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Environment that makes a started service write a V8 CPU profile to `dir/<name>/<pid>.cpuprofile`
 * when it exits (see `cpu-profile.mjs`); empty without a `dir`.
 */
export function cpuProfileEnv(dir: string | undefined, name: string): Record<string, string> {
  if (dir === undefined) return {};
  return { NODE_OPTIONS: `--import ${fileURLToPath(new URL('./cpu-profile.mjs', import.meta.url))}`, CPU_PROFILE_DIR: join(dir, name) };
}

/** What Passerelle's ready line says. */
export interface PasserelleReady {
  http?: string;
  mllp?: number;
  fhir: string;
  queuePrefix: string;
}

/**
 * Starts Passerelle with `--role <role>` against `fhirBaseUrl`. Logs at `info`, as users run it:
 * the "passerelle listening" line that tells it is ready is an info line (so `warn` would hide it),
 * and the per-message info lines are part of the cost being measured.
 */
export async function startPasserelle(role: 'all' | 'mllp', fhirBaseUrl: string, extraEnv: Record<string, string> = {}): Promise<Service<PasserelleReady>> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-mllp-gw-'));
  const queuePrefix = `benchmllp${randomUUID().slice(0, 8)}`;
  const child = await spawnService<Omit<PasserelleReady, 'queuePrefix'>>({
    entry: 'gateway/main.ts',
    args: ['--role', role],
    readyMessage: 'passerelle listening',
    env: {
      PORT: '0', HOST: '127.0.0.1', MLLP_PORT: '0', MLLP_HOST: '127.0.0.1',
      DATA_DIR: dir, QUEUE_PREFIX: queuePrefix, FHIR_BASE_URL: fhirBaseUrl, LOG_LEVEL: 'info',
      ...extraEnv,
    },
    forwardLogs: problemsOnly(`passerelle ${role}`),
    startTimeoutMs: 60_000,
    stopGraceMs: 25_000,
  });
  return {
    ready: { ...child.ready, queuePrefix },
    pid: child.pid,
    stop: async () => {
      try {
        await child.stop();
      } finally {
        await rm(dir, { recursive: true, force: true });
        await deleteQueueKeys(queuePrefix);
      }
    },
  };
}
