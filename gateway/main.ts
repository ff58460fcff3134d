/**
 * `npm start [-- --role all|gateway|worker|mllp]`. Start-up problems (configuration, clients
 * file, Redis, ports) end the process with one readable line on stderr, not a stack trace.
 */
import { RedisUnavailableError } from '../workers/queue/index.js';
import { ClientsFileError } from './auth/clients-file.js';
import { ConfigError, loadConfig, parseRole } from './config.js';
import { createLogger } from './log.js';
import { startPasserelle, StartupError } from './runtime.js';

const ONE_LINE_ERRORS = [ConfigError, ClientsFileError, RedisUnavailableError, StartupError];

function die(err: unknown): never {
  if (ONE_LINE_ERRORS.some((type) => err instanceof type)) {
    process.stderr.write(`passerelle: ${(err as Error).message}\n`);
  } else {
    process.stderr.write(`passerelle: failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
  }
  process.exit(1);
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const role = parseRole(process.argv.slice(2));
  const logger = createLogger(config.LOG_LEVEL);
  const runtime = await startPasserelle(config, role, logger);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'passerelle stopping');
    runtime.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch(die);
