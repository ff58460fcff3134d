/**
 * Test-only: the fixed context golden bundles are produced with (no clock: `now` is a
 * constant), and the pipeline from a sample message to its transaction, exactly as the worker
 * runs it: decodeHl7 → parseHl7 → extractAdt → adtToTransaction.
 */
import { FIXTURES } from '../../hl7/__fixtures__/arbitraries.js';
import type { AdtEvent, AdtExtraction } from '../../hl7/adt-types.js';
import { extractAdt } from '../../hl7/adt.js';
import { decodeHl7 } from '../../hl7/decode.js';
import { parseHl7 } from '../../hl7/parse.js';
import { facilityNamespaceFor, type AdtMappingContext } from '../context.js';
import { adtToTransaction, type AdtTransaction } from '../transaction.js';

export const GOLDEN_CLIENT = 'chu-exemple';
export const GOLDEN_NOW = '2025-01-20T09:00:00.000Z';

/** Every sample message: the hl7 helper's fixtures (they include the shared examples). */
export const GOLDEN_FIXTURES: readonly string[] = [...FIXTURES.keys()];

/** The golden bundle file of a fixture. */
export function goldenPath(fixture: string): URL {
  return new URL(`./${fixture.replace(/\.hl7$/, '')}.bundle.json`, import.meta.url);
}

/** The extraction of a message (throws on a message that does not parse: fixtures must). */
export function extractionOf(bytes: Uint8Array): AdtExtraction {
  const decoded = decodeHl7(bytes);
  if (!decoded.ok) throw new Error(decoded.reason);
  const parsed = parseHl7(decoded.text, { charset: decoded.charset });
  if (!parsed.ok) throw new Error(parsed.reason);
  return extractAdt(parsed);
}

/** The extracted event of a message. */
export function eventOf(bytes: Uint8Array): AdtEvent {
  return extractionOf(bytes).event;
}

/** The context of a golden run: the facility of MSH-4, a message id derived from MSH-10. */
export function goldenContext(event: AdtEvent): AdtMappingContext {
  return {
    clientId: GOLDEN_CLIENT,
    tenant: 'doubs',
    facilityNamespace: facilityNamespaceFor(GOLDEN_CLIENT, event.sendingFacility, { name: 'Centre hospitalier exemple' }),
    now: GOLDEN_NOW,
    messageId: `msg-${event.controlId}`,
  };
}

/** The bytes of a fixture (throws if missing: a test typo should fail loudly). */
export function fixtureBytes(name: string): Buffer {
  const bytes = FIXTURES.get(name);
  if (bytes === undefined) throw new Error(`no fixture ${name}`);
  return bytes;
}

/** A fixture → its transaction, and what extraction could not read (segments and fields not mapped). */
export function mapFixture(name: string): AdtTransaction & { extractionIssues: string[] } {
  const { event, issues } = extractionOf(fixtureBytes(name));
  return { ...adtToTransaction(event, goldenContext(event)), extractionIssues: issues };
}

/** The golden text of a transaction (what the file holds). */
export function goldenText(t: AdtTransaction): string {
  return `${JSON.stringify(t.bundle, null, 2)}\n`;
}
