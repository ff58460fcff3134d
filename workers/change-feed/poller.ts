/**
 * The change feed: polls the FHIR server's type-level history for the plan-bearing types and
 * announces each version that another system wrote directly on the server (issue #5, item 4).
 *
 * Each cycle, per type: read `GET <Type>/_history?_since=<cursor>` to its last page (once per
 * overlap period, a catch-up sweep from further back: `read-window.ts`), decide each version
 * (`version-event.ts`: Passerelle's own writes are skipped by their `meta.source`), publish the
 * events oldest first (the order per person that subscribers see), then move the type's cursor to
 * the newest `lastUpdated` read. The sweep re-reads versions that committed late or under a
 * skewed clock; their event key makes the re-read harmless.
 *
 * One poller at a time: a Redis lease (`feed-state.ts`) taken or extended before each cycle and
 * after each page. Another worker process takes over once the lease expires.
 *
 * @example
 *   const feed = startChangeFeed({ fhir, redis, prefix, publish: (e) => events.publishEvent(e),
 *     passerelleSource: PASSERELLE_META_SOURCE, intervalMs: 5000, logger });
 *   await feed.close(); // on shutdown, before the queues close
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { PublishEventInput } from '../events/index.js';
import type { FhirClient } from '../fhir-client/index.js';
import { FeedState } from './feed-state.js';
import { forgetBefore, readWindow, type LastSweep } from './read-window.js';
import { FEED_TYPES, versionEvent, type FeedType, type SkipReason } from './version-event.js';

/**
 * Default of how far behind its cursor a catch-up sweep starts (once per this period). Covers
 * clock skew between server nodes and transactions that commit after a later one was already read
 * (on HAPI over PostgreSQL, `lastUpdated` is taken when a transaction starts); 30 s is far beyond
 * a normal commit. Versions read twice are published once (same event key), and skipped in memory
 * while this process runs.
 */
export const CURSOR_OVERLAP_MS = 30_000;
/** Entries per history page asked of the server. */
export const HISTORY_PAGE_SIZE = 200;
/** Shortest lease: a slow server page must not let a second poller in during a normal cycle. */
export const MIN_LEASE_MS = 30_000;
/** One failure line per this window while the server or Redis is away, not one per poll. */
const FAILURE_LOG_WINDOW_MS = 60_000;

export interface ChangeFeedDeps {
  fhir: Pick<FhirClient, 'historyPages'>;
  /** The shared connection (cursor and lease live under `prefix`). */
  redis: Redis;
  /** `QUEUE_PREFIX`. */
  prefix: string;
  /** `EventPublisher.publishEvent`: idempotent per (tenant, eventKey). */
  publish: (event: PublishEventInput) => Promise<unknown>;
  /** The `meta.source` Passerelle stamps on its writes (`PASSERELLE_META_SOURCE`). */
  passerelleSource: string;
  /** Pause between two cycles (`CHANGE_FEED_INTERVAL_MS`). */
  intervalMs: number;
  /** `CHANGE_FEED_OVERLAP_MS`; default `CURSOR_OVERLAP_MS`. Also how often a sweep re-reads it. */
  overlapMs?: number;
  logger?: Logger;
  /** Defaults to every type of `FEED_EVENT_OF_TYPE`. */
  types?: readonly FeedType[];
  /** Called after each completed cycle with its counts (metrics, tests). */
  onCycle?: (result: PollResult) => void;
}

/** What one cycle did: counts only (never content). */
export interface PollResult {
  announced: number;
  /** History entries read (all types, all pages): what the cycle cost the server. */
  read: number;
  skipped: Partial<Record<SkipReason, number>>;
}

export interface ChangeFeed {
  /** Stops polling, waits for the cycle in progress and gives the lease up. */
  close(): Promise<void>;
}

class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}

/** Starts polling at once, then every `intervalMs` after each cycle ends. */
export function startChangeFeed(deps: ChangeFeedDeps): ChangeFeed {
  const state = new FeedState(deps.redis, deps.prefix);
  const types = deps.types ?? FEED_TYPES;
  const token = randomUUID();
  const leaseMs = Math.max(MIN_LEASE_MS, deps.intervalMs * 3);
  const overlapMs = deps.overlapMs ?? CURSOR_OVERLAP_MS;
  /** Event keys published by this process, per type, with their lastUpdated: the sweeps re-read them. */
  const recent = new Map<FeedType, Map<string, number>>(types.map((t) => [t, new Map()]));
  /** This process's last completed sweep per type; forgotten when the lease goes to another poller. */
  const sweeps = new Map<FeedType, LastSweep>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let lastFailureLog = 0;

  const keepLease = async (): Promise<void> => {
    if (!(await state.acquire(token, leaseMs))) throw new LeaseLostError('change feed lease taken by another poller');
  };

  async function pollType(type: FeedType, result: PollResult): Promise<void> {
    let cursor = await state.cursor(type);
    if (cursor === undefined) {
      // First start: announce from now on, not the server's whole past. Stored at once, so
      // changes made while this first poller is down are still found after a restart.
      cursor = Date.now();
      await state.advance(type, cursor);
    }
    const startedAt = Date.now();
    const window = readWindow(cursor, sweeps.get(type), startedAt, overlapMs, overlapMs);
    const since = new Date(window.sinceMs).toISOString();
    const events: { event: PublishEventInput; ms: number }[] = [];
    let newest = cursor;
    for await (const page of deps.fhir.historyPages(type, { _since: since, _count: HISTORY_PAGE_SIZE })) {
      for (const entry of page.entry ?? []) {
        result.read++;
        const decision = versionEvent(entry, deps.passerelleSource);
        if (decision.lastUpdatedMs !== undefined) newest = Math.max(newest, decision.lastUpdatedMs);
        if (decision.announce) events.push({ event: decision.event, ms: decision.lastUpdatedMs });
        else result.skipped[decision.reason] = (result.skipped[decision.reason] ?? 0) + 1;
      }
      await keepLease();
    }
    // History pages are newest first; subscribers get each person's changes oldest first.
    events.reverse().sort((a, b) => a.ms - b.ms);
    const seen = recent.get(type) ?? new Map<string, number>();
    for (const { event, ms } of events) {
      if (seen.has(event.eventKey)) continue;
      await deps.publish(event);
      seen.set(event.eventKey, ms);
      result.announced++;
    }
    await state.advance(type, newest);
    if (window.sweep) sweeps.set(type, { atMs: startedAt, cursorMs: cursor });
    const forget = forgetBefore(newest, sweeps.get(type), overlapMs);
    for (const [key, ms] of seen) if (ms < forget) seen.delete(key);
  }

  /** One cycle, if this process holds (or gets) the lease; undefined when another does. */
  async function pollOnce(): Promise<PollResult | undefined> {
    if (!(await state.acquire(token, leaseMs))) {
      // Another poller runs: when this one is back, its first read of each type is a sweep.
      sweeps.clear();
      return undefined;
    }
    const result: PollResult = { announced: 0, read: 0, skipped: {} };
    for (const type of types) {
      if (stopped) break;
      await pollType(type, result);
    }
    const { 'no-tenant': noTenant = 0, 'no-patient': noPatient = 0 } = result.skipped;
    if (noTenant + noPatient > 0) {
      deps.logger?.warn({ noTenant, noPatient }, 'change feed: versions without a tenant tag or a patient cannot be announced');
    }
    if (result.announced > 0) deps.logger?.info({ announced: result.announced }, 'change feed: changes announced');
    deps.onCycle?.(result);
    return result;
  }

  const cycle = async (): Promise<void> => {
    try {
      await pollOnce();
    } catch (err) {
      // A server or Redis outage: the cursor did not move, the next cycle retries the same window.
      if (err instanceof LeaseLostError) sweeps.clear();
      const now = Date.now();
      if (now - lastFailureLog >= FAILURE_LOG_WINDOW_MS || err instanceof LeaseLostError) {
        lastFailureLog = now;
        deps.logger?.warn({ err: { name: (err as Error).name, message: (err as Error).message } }, 'change feed: poll failed, will retry');
      }
    } finally {
      if (!stopped) timer = setTimeout(run, deps.intervalMs);
    }
  };
  const run = (): void => {
    running = cycle();
  };
  run();

  return {
    async close() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await state.release(token).catch(() => undefined);
    },
  };
}
