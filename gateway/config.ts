/**
 * Configuration, parsed once at start-up from the environment. This is the only module that
 * reads `process.env`; everything else receives a `Config`.
 *
 * @example
 *   const config = loadConfig(process.env); // throws ConfigError naming the bad variable
 */
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

const envSchema = z.object({
  PORT: port.default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  MLLP_PORT: port.default(2575),
  MLLP_HOST: z.string().min(1).default('0.0.0.0'),
  /**
   * HL7 processing ids (MSH-11: P production, T training/test, D debugging) this installation
   * takes, comma-separated; others get AR 202, so a test feed never writes into production.
   */
  HL7_PROCESSING_IDS: z.string().regex(/^[PTD](,[PTD])*$/, 'a comma-separated list of P, T and D').default('P').transform((ids) => ids.split(',')),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
  /** External FHIR R4 server; unset means the embedded store. */
  FHIR_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Port of the embedded FHIR store when it runs inside the gateway process; 0 picks a free one. */
  FHIR_STORE_PORT: port.default(0),
  /** Interface the embedded FHIR store binds to; loopback by default (it has no authentication). */
  FHIR_STORE_HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  CLIENTS_FILE: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT: positiveInt.default(1024 * 1024),
  IMPORT_BODY_LIMIT: positiveInt.default(1024 * 1024 * 1024),
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/).default('passerelle'),
  WORKER_CONCURRENCY: positiveInt.default(16),
  /** How long `?wait=true` may hold a request before answering with the job as it stands. */
  WAIT_TIMEOUT_MS: positiveInt.default(10_000),
  ALLOW_PRIVATE_WEBHOOKS: bool.default(false),
  /**
   * How often the change feed polls the external FHIR server's history for changes made there
   * directly (`workers/change-feed`); `0` turns it off. Whether it runs at all: CHANGE_FEED.
   */
  CHANGE_FEED_INTERVAL_MS: z.coerce.number().int().min(0).max(24 * 60 * 60 * 1000).default(5000),
  /**
   * Whether the change feed runs: `auto` when FHIR_BASE_URL is set and its CapabilityStatement is
   * not Passerelle's own embedded store (written only through Passerelle, whose writers announce
   * everything already); `on` always (whatever the server); `off` never.
   */
  CHANGE_FEED: z.enum(['auto', 'on', 'off']).default('auto'),
  /**
   * How far behind its cursor the change feed's catch-up sweep (once per this period) starts:
   * longer than the server's longest transaction and its clock skew (a version committed late is
   * otherwise missed). Re-read versions are announced once (same event key).
   */
  CHANGE_FEED_OVERLAP_MS: z.coerce.number().int().min(0).max(24 * 60 * 60 * 1000).default(30_000),
  /** Default per-client HTTP rate limit (per gateway process): sustained requests per second… */
  RATE_LIMIT_PER_SECOND: positiveInt.default(2000),
  /** …and requests at once after a quiet spell. A client's `rateLimit` in the clients file overrides both. */
  RATE_LIMIT_BURST: positiveInt.default(4000),
  /**
   * The gateway's URL as clients reach it (behind a proxy: the proxy's), e.g. `https://passerelle.example`.
   * Unset: each request's own origin. It makes the `/fhir` links and the SMART token endpoint (the
   * `aud` client assertions must carry).
   */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, '')).optional(),
});

export type Config = z.infer<typeof envSchema>;

export const ROLES = ['all', 'gateway', 'worker', 'mllp'] as const;
export type Role = (typeof ROLES)[number];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; the error message is one line naming each faulty variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // An empty variable means "not set": shells and compose files often export `FOO=`.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** Reads `--role <name>` (or `--role=<name>`) from the command line; default `all`. */
export function parseRole(argv: readonly string[]): Role {
  const index = argv.findIndex((arg) => arg === '--role' || arg.startsWith('--role='));
  if (index === -1) return 'all';
  const arg = argv[index] ?? '';
  const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[index + 1];
  const role = ROLES.find((r) => r === value);
  if (!role) throw new ConfigError(`invalid --role "${value ?? ''}": expected one of ${ROLES.join(', ')}`);
  return role;
}
