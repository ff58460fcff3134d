/**
 * Several independent searches in one round trip: a `batch` Bundle of GET entries (R4
 * http.html#batch), each answered by its own searchset. A worker that needs three lookups
 * before it can decide pays one HTTP exchange instead of three (on our store, each exchange
 * costs more CPU than a small indexed search).
 *
 * Same results as `searchAll` per search: a failed entry throws as the search alone would
 * (its status and OperationOutcome), and a searchset with a `next` page is read in full with
 * `searchAll` (rare: the batch saves nothing then, but the answer stays complete).
 *
 * @example
 *   const [plans, task] = await searchBatch(fhir, [
 *     { type: 'CarePlan', params: { subject: 'Patient/1', status: 'active' } },
 *     { type: 'Task', params: { identifier: 'urn:x|1', _count: 1 } },
 *   ] as const);
 */
import type { WithId } from '@medplum/core';
import type { Bundle, BundleEntry, ExtractResource, ResourceType } from '@medplum/fhirtypes';
import { nextLink, searchMatches } from './bundle.js';
import type { FhirClient } from './client.js';
import { badGatewayError, httpError } from './errors.js';
import { checkType, relativePath, toQueryString, type SearchParams } from './request-path.js';

/** One search of a batch. */
export interface BatchSearch<K extends ResourceType = ResourceType> {
  readonly type: K;
  readonly params: SearchParams;
  /** Only the first page (as `searchOne` reads it): no paging even when the server has more. */
  readonly firstPage?: boolean;
}

/** The matches of each search, in the order of the searches. */
export type BatchResults<T extends readonly BatchSearch[]> = {
  -readonly [I in keyof T]: T[I] extends BatchSearch<infer K> ? WithId<ExtractResource<K>>[] : never;
};

/**
 * Runs `searches` as one batch and returns each one's matches (`_include`d resources left out,
 * as `searchAll` does). A single search is sent as a plain search.
 */
export async function searchBatch<const T extends readonly BatchSearch[]>(fhir: FhirClient, searches: T): Promise<BatchResults<T>> {
  if (searches.length === 1) {
    const only = searches[0]!;
    const matches = only.firstPage === true ? searchMatches(await fhir.search(only.type, only.params)) : await fhir.searchAll(only.type, only.params);
    return [matches] as BatchResults<T>;
  }
  if (searches.length === 0) return [] as unknown as BatchResults<T>;
  const request: Bundle = {
    resourceType: 'Bundle',
    type: 'batch',
    entry: searches.map(searchEntry),
  };
  // Only reads: repeating the batch after a lost answer is harmless.
  const response = await fhir.batch(request, { idempotent: true });
  const results = await Promise.all(searches.map((search, index) => entryMatches(fhir, response.entry?.[index], search)));
  return results as BatchResults<T>;
}

/** The GET entry of a batch or transaction Bundle that runs `search`. */
export function searchEntry(search: BatchSearch): BundleEntry {
  return { request: { method: 'GET', url: relativePath([checkType(search.type)], toQueryString(search.params)) } };
}

/**
 * The matches of `search` from the response entry that answered it (in a batch, or in a
 * transaction carrying GET entries): its error thrown as the search alone would have, its
 * other pages read with `searchAll` (unless `firstPage`).
 */
export async function entryMatches<K extends ResourceType>(
  fhir: FhirClient,
  entry: BundleEntry | undefined,
  search: BatchSearch<K>,
): Promise<WithId<ExtractResource<K>>[]> {
  const page = searchsetOf(entry, search.type) as Bundle<WithId<ExtractResource<K>>>;
  return search.firstPage === true || nextLink(page) === undefined ? searchMatches(page) : fhir.searchAll(search.type, search.params);
}

/** The searchset a batch entry answered, or the error the search alone would have thrown. */
function searchsetOf(entry: BundleEntry | undefined, type: string): Bundle {
  const facts = { method: 'GET', target: type };
  const status = Number.parseInt(entry?.response?.status ?? '', 10);
  if (Number.isInteger(status) && (status < 200 || status >= 300)) {
    throw httpError(status, '', entry?.response?.outcome ?? entry?.resource, facts);
  }
  const page = entry?.resource;
  if (page?.resourceType !== 'Bundle') throw badGatewayError('FHIR server answered a batch search without a Bundle', facts);
  return page;
}
