/**
 * FHIR R4 client over undici: typed interactions, retries with backoff, one error type.
 * See `client.ts` for the interactions and `errors.ts` for telling failures apart.
 */
export { FhirClient, MAX_PAGES } from './client.js';
export type { FhirClientOptions, PagingOptions, WriteResult } from './client.js';
export { DEFAULT_CONNECTIONS } from './transport.js';
export type { FhirClientLogger } from './transport.js';
export { failureOf, isTransient, statusOf } from './errors.js';
export type { FailureKind, FhirFailure } from './errors.js';
export {
  DEFAULT_ATTEMPTS, DEFAULT_BASE_DELAY_MS, DEFAULT_MAX_DELAY_MS, DEFAULT_RETRY_POLICY, DEFAULT_TIMEOUT_MS,
  MAX_RETRY_AFTER_MS,
} from './retry-policy.js';
export type { RetryPolicy } from './retry-policy.js';
export { etagForVersion, failedEntries, nextLink, searchMatches, versionIdFromEtag } from './bundle.js';
export type { FailedEntry } from './bundle.js';
export { identifierQuery, toQueryString } from './request-path.js';
export { entryMatches, searchBatch, searchEntry } from './search-batch.js';
export type { BatchResults, BatchSearch } from './search-batch.js';
export { hasSource, stampBundleSource, stampSource } from './meta-source.js';
export type { SearchParams, SearchValue } from './request-path.js';
