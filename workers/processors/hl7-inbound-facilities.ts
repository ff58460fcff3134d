/**
 * The sending facility's Organization rides in every ADT transaction as a conditional create
 * (`mappings/adt/resources/organization.ts`): it never updates a stored Organization, so once the
 * server has matched or created it, the entry is a no-op that still costs the server a search
 * per message. This cache remembers, per condition, the Organization the server answered with,
 * and leaves the entry out of later transactions, their references re-pointed to it.
 *
 * The semantics stay those of the full transaction: a left-out entry could only have matched the
 * Organization the cache names. Should that Organization have gone (deleted by an operator),
 * a server that checks references (HAPI) refuses the transaction: it is then sent again whole,
 * and the cache forgotten; a server that does not (our store) gets the full entry back once the
 * knowledge is {@link KNOWN_FACILITY_TTL_MS} old, which bounds how long a stay may point at it.
 */
import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { statusOf, type FhirClient } from '../fhir-client/index.js';
import { referencesOf } from './fhir-references.js';
import { writtenReference } from './hl7-inbound-fhir.js';

/** Facilities remembered at most: a gateway serves a few dozen; past this the cache starts over. */
export const MAX_KNOWN_FACILITIES = 10_000;

/**
 * How long an answer is trusted: a minute saves all but one facility entry a minute (at 200
 * messages a second, 99.99 % of them) and heals a deleted Organization within that minute.
 */
export const KNOWN_FACILITY_TTL_MS = 60_000;

/** What {@link KnownFacilities.transaction} wrote. */
export interface FacilityTransactionResult {
  response: Bundle;
  /** `Type/id` written (or matched) for a request `fullUrl` of the full bundle, left-out entries included. */
  written: (fullUrl: string) => string | undefined;
  /**
   * Every reference the full transaction would have reported (`referencesOf` its response),
   * the answers of GET entries (searchsets) left out.
   */
  references: string[];
}

/** The Organization conditional creates already answered, per process. */
export class KnownFacilities {
  /** `Organization?<ifNoneExist>` → the reference answered, and until when it is trusted (ms). */
  readonly #known = new Map<string, { ref: string; until: number }>();

  /** @param now clock, ms since the epoch (tests move it) */
  constructor(private readonly now: () => number = Date.now) {}

  /** Sends `bundle` as a transaction, without the facility entries known to exist. */
  async transaction(fhir: FhirClient, bundle: Bundle): Promise<FacilityTransactionResult> {
    const skipped = this.#skippable(bundle);
    if (skipped.size > 0) {
      const pruned = withoutEntries(bundle, skipped);
      try {
        return this.#sent(pruned, await fhir.transaction(pruned, { idempotent: true }), skipped);
      } catch (err) {
        const status = statusOf(err);
        if (status === undefined || status < 400 || status >= 500) throw err;
        // Perhaps the Organization is gone: forget, and let the full transaction decide.
        this.#known.clear();
      }
    }
    // Every entry is conditional (mappings/adt): the transaction may safely be repeated.
    return this.#sent(bundle, await fhir.transaction(bundle, { idempotent: true }), new Map());
  }

  #sent(sent: Bundle, response: Bundle, skipped: ReadonlyMap<string, string>): FacilityTransactionResult {
    for (const entry of sent.entry ?? []) {
      const key = conditionOf(entry);
      const ref = key === undefined || entry.fullUrl === undefined ? undefined : writtenReference(sent, response, entry.fullUrl);
      if (key === undefined || ref === undefined) continue;
      if (this.#known.size >= MAX_KNOWN_FACILITIES) this.#known.clear();
      this.#known.set(key, { ref, until: this.now() + KNOWN_FACILITY_TTL_MS });
    }
    return {
      response,
      written: (fullUrl) => skipped.get(fullUrl) ?? writtenReference(sent, response, fullUrl),
      references: [...skipped.values(), ...referencesOf({ ...response, entry: (response.entry ?? []).filter((_, i) => sent.entry?.[i]?.request?.method !== 'GET') })],
    };
  }

  /** fullUrl → known `Organization/id`, for the entries that can be left out. */
  #skippable(bundle: Bundle): Map<string, string> {
    const skipped = new Map<string, string>();
    const now = this.now();
    for (const entry of bundle.entry ?? []) {
      const key = conditionOf(entry);
      const known = key === undefined ? undefined : this.#known.get(key);
      if (known !== undefined && known.until > now && entry.fullUrl !== undefined) skipped.set(entry.fullUrl, known.ref);
    }
    return skipped;
  }
}

/** The condition of an Organization conditional create (`Organization?<ifNoneExist>`), else undefined. */
function conditionOf(entry: BundleEntry): string | undefined {
  const request = entry.request;
  if (entry.resource?.resourceType !== 'Organization' || request?.method !== 'POST' || !request.ifNoneExist) return undefined;
  return `Organization?${request.ifNoneExist}`;
}

/** The bundle without the entries of `skipped`, references to their fullUrls replaced by the known references. */
function withoutEntries(bundle: Bundle, skipped: ReadonlyMap<string, string>): Bundle {
  const entry = (bundle.entry ?? []).filter((e) => e.fullUrl === undefined || !skipped.has(e.fullUrl));
  return { ...bundle, entry: entry.map((e) => (e.resource === undefined ? e : { ...e, resource: repoint(e.resource, skipped) })) };
}

/** A copy of `value` with every `reference` naming a skipped fullUrl re-pointed; untouched parts are shared. */
function repoint<T>(value: T, skipped: ReadonlyMap<string, string>): T {
  if (Array.isArray(value)) {
    const items = value.map((item: unknown) => repoint(item, skipped));
    return (items.some((item, i) => item !== value[i]) ? items : value) as T;
  }
  if (value === null || typeof value !== 'object') return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const next = key === 'reference' && typeof child === 'string' ? (skipped.get(child) ?? child) : repoint(child, skipped);
    if (next !== child) {
      copy ??= { ...(value as Record<string, unknown>) };
      copy[key] = next;
    }
  }
  return (copy ?? value) as T;
}
