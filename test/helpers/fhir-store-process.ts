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
import { spawnService } from '../../gateway/process/spawn-service.js';
import { FHIR_STORE_PROCESS } from '../../gateway/fhir-store/process-entry.js';

export interface FhirStoreProcess {
  /** e.g. `http://127.0.0.1:41234/fhir` */
  baseUrl: string;
  pid: number;
  /** Sends `signal` (default SIGTERM) and resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGTERM, then SIGKILL if it has not exited after 10 s. */
  stop(): Promise<void>;
}

/** Spawns the store with FHIR_STORE_PORT=0 and waits for its "fhir store listening" log line. */
export async function startFhirStoreProcess(opts: { dataDir: string; env?: Record<string, string> }): Promise<FhirStoreProcess> {
  const child = await spawnService<{ url: string }>({
    ...FHIR_STORE_PROCESS,
    env: { LOG_LEVEL: 'info', ...opts.env, FHIR_STORE_PORT: '0', DATA_DIR: opts.dataDir },
  });
  return { baseUrl: child.ready.url, pid: child.pid, kill: child.kill, stop: child.stop };
}
