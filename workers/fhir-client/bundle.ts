/**
 * Small, pure helpers over Bundles: the matches of a search page, its `next` link, and the
 * failed entries of a batch response. Also the ETag ⇄ versionId conversions.
 */
import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';

/** The resources a search page matched (entries with `search.mode` `match` or no mode), leaving out `_include`d ones and outcomes. */
export function searchMatches<T extends Resource>(bundle: Bundle<T>): T[] {
  const matches: T[] = [];
  for (const entry of bundle.entry ?? []) {
    const mode = entry.search?.mode;
    if (entry.resource && (mode === undefined || mode === 'match')) matches.push(entry.resource);
  }
  return matches;
}

/** The URL of the bundle's `next` page, if any. */
export function nextLink(bundle: Bundle): string | undefined {
  return bundle.link?.find((link) => link.relation === 'next')?.url;
}

/** The URL of the bundle's `self` link, if any. */
export function selfLink(bundle: Bundle): string | undefined {
  return bundle.link?.find((link) => link.relation === 'self')?.url;
}

/** One entry of a batch (or transaction) response whose status is not 2xx. */
export interface FailedEntry {
  /** Position in the request bundle (responses keep the request's order). */
  readonly index: number;
  /** The HTTP status of the entry, e.g. 412, or 0 when the server gave none. */
  readonly status: number;
  readonly outcome?: OperationOutcome;
}

/**
 * The entries of a batch response that failed. A batch answers 200 even when entries fail
 * (each carries its own `response.status`, like `"412 Precondition Failed"`), so callers must look.
 */
export function failedEntries(response: Bundle): FailedEntry[] {
  const failed: FailedEntry[] = [];
  (response.entry ?? []).forEach((entry, index) => {
    const status = Number.parseInt(entry.response?.status ?? '', 10);
    if (Number.isInteger(status) && status >= 200 && status < 300) return;
    const outcome = entry.response?.outcome;
    failed.push({
      index,
      status: Number.isInteger(status) ? status : 0,
      ...(outcome?.resourceType === 'OperationOutcome' ? { outcome: outcome as OperationOutcome } : {}),
    });
  });
  return failed;
}

/** The versionId in an ETag (`W/"3"` → `3`); `undefined` if the header is absent or not an entity tag. */
export function versionIdFromEtag(etag: string | undefined): string | undefined {
  const match = etag?.trim().match(/^(?:W\/)?"([^"]+)"$/);
  return match?.[1];
}

/** The `If-Match` value for a versionId (`3` → `W/"3"`); a value already in ETag form is kept. */
export function etagForVersion(versionId: string): string {
  return versionId.startsWith('W/') || versionId.startsWith('"') ? versionId : `W/"${versionId}"`;
}

/** The versionId in a `Location` / `Content-Location` like `…/Patient/1/_history/2`. */
export function versionIdFromLocation(location: string | undefined): string | undefined {
  return location?.match(/\/_history\/([A-Za-z0-9\-.]{1,64})(?:[?#]|$)/)?.[1];
}
