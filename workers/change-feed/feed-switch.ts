/**
 * Whether the change feed runs (`CHANGE_FEED` = `auto` | `on` | `off`), decided once at start and
 * logged once.
 *
 * `auto` runs it only against an external server. Passerelle's own embedded store — also when it
 * runs as its own process behind `FHIR_BASE_URL` — is loopback-bound, unauthenticated and written
 * only through Passerelle, whose writers announce every change already: polling its history would
 * only cost it CPU (every version read, every one skipped as Passerelle's). It is recognised by
 * the `software.name` of its CapabilityStatement. While the server does not answer `metadata`,
 * the question is asked again every `retryMs` (the feed waits; nothing else does).
 *
 * @example
 *   const feed = startChangeFeedSwitch({ mode: config.CHANGE_FEED, externalServer: Boolean(config.FHIR_BASE_URL),
 *     capabilities: () => fhir.capabilities(), ownStoreName: EMBEDDED_STORE_SOFTWARE_NAME,
 *     start: () => startChangeFeed({ … }), retryMs: 5000, logger });
 *   await feed.close();
 */
import type { CapabilityStatement } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import type { ChangeFeed } from './poller.js';

export type ChangeFeedMode = 'auto' | 'on' | 'off';

export interface FeedDecision {
  run: boolean;
  /** Why, for the start-up log line. */
  reason: string;
}

/**
 * The decision (pure). `softwareName` is the server's `software.name`, asked only in `auto` mode
 * of an external server.
 */
export function feedDecision(mode: ChangeFeedMode, externalServer: boolean, softwareName: string | undefined, ownStoreName: string): FeedDecision {
  if (mode === 'off') return { run: false, reason: 'CHANGE_FEED=off or CHANGE_FEED_INTERVAL_MS=0' };
  if (mode === 'on') return { run: true, reason: 'CHANGE_FEED=on' };
  if (!externalServer) return { run: false, reason: 'the embedded store is written only through Passerelle' };
  if (softwareName === ownStoreName) return { run: false, reason: "FHIR_BASE_URL is Passerelle's embedded store, written only through Passerelle" };
  return { run: true, reason: 'FHIR_BASE_URL is an external FHIR server' };
}

export interface FeedSwitchDeps {
  mode: ChangeFeedMode;
  /** True when `FHIR_BASE_URL` is set (false: the store started inside this process). */
  externalServer: boolean;
  /** The server's CapabilityStatement (`FhirClient.capabilities`). */
  capabilities: () => Promise<CapabilityStatement>;
  /** `software.name` of Passerelle's embedded store. */
  ownStoreName: string;
  /** Starts the feed; called at most once. */
  start: () => ChangeFeed;
  /** Wait before asking `metadata` again when the server did not answer. */
  retryMs: number;
  logger?: Logger;
}

/** Decides (asking the server if needed), logs the decision once, and starts the feed if it runs. */
export function startChangeFeedSwitch(deps: FeedSwitchDeps): ChangeFeed {
  let closed = false;
  let feed: ChangeFeed | undefined;
  let timer: NodeJS.Timeout | undefined;
  let warned = false;

  const apply = (decision: FeedDecision): void => {
    deps.logger?.info({ changeFeed: decision.run ? 'on' : 'off', reason: decision.reason }, `change feed ${decision.run ? 'on' : 'off'}`);
    if (decision.run) feed = deps.start();
  };

  const ask = async (): Promise<void> => {
    try {
      const statement = await deps.capabilities();
      if (!closed) apply(feedDecision(deps.mode, true, statement.software?.name, deps.ownStoreName));
    } catch (err) {
      if (closed) return;
      if (!warned) {
        warned = true;
        deps.logger?.warn({ err: { name: (err as Error).name, message: (err as Error).message } }, 'change feed: FHIR server metadata unreadable, will ask again');
      }
      timer = setTimeout(() => void (asking = ask()), deps.retryMs);
    }
  };

  let asking: Promise<void> | undefined;
  if (deps.mode === 'auto' && deps.externalServer) asking = ask();
  else apply(feedDecision(deps.mode, deps.externalServer, undefined, deps.ownStoreName));

  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await asking;
      await feed?.close();
    },
  };
}
