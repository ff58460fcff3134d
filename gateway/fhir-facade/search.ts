/**
 * Search on one type (`GET /fhir/{type}?…`, `POST /fhir/{type}/_search`, and `?_page=` links):
 * validate, narrow to the tenant, ask the FHIR server for one page, check every match again,
 * resolve the includes in the facade, and answer with the facade's own links.
 */
import { badRequest, OperationOutcomeError } from '@medplum/core';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { Caller } from './caller.js';
import { resolveIncludes } from './include-resolver.js';
import { facadeLinks, includeParams, pageTokenQuery } from './paging.js';
import type { FacadeType } from './resource-table.js';
import { parseSearchQuery } from './search-query.js';
import { searchset } from './searchset.js';
import { visibleTo, withTenant } from './tenancy.js';
import { upstream } from './upstream.js';

export interface SearchResult {
  readonly bundle: Bundle;
  /** Every resource in the answer (matches and includes), for the audit trail. */
  readonly returned: readonly Resource[];
}

/** The query to run and the `self` link to answer with, for a plain query or a `_page` link. */
function effectiveQuery(caller: Caller, type: FacadeType, query: URLSearchParams): { query: URLSearchParams; self: string; fromPageToken: boolean } {
  const token = query.get('_page');
  if (token === null) {
    const text = query.toString();
    return { query, self: `${caller.publicBase}/${type}${text ? `?${text}` : ''}`, fromPageToken: false };
  }
  if ([...query.keys()].some((name) => name !== '_page') || query.getAll('_page').length > 1) {
    throw new OperationOutcomeError(badRequest('_page is a paging link: use it alone, as the facade gave it', '_page'));
  }
  return { query: pageTokenQuery(token), self: `${caller.publicBase}/${type}?${new URLSearchParams({ _page: token })}`, fromPageToken: true };
}

/**
 * Runs a search for `caller`.
 * @throws OperationOutcomeError 400 naming each unsupported parameter; upstream failures as in `upstream.ts`.
 */
export async function searchType(caller: Caller, type: FacadeType, clientQuery: URLSearchParams): Promise<SearchResult> {
  const { query, self, fromPageToken } = effectiveQuery(caller, type, clientQuery);
  const parsed = parseSearchQuery(type, query, { fromPageToken, publicBase: caller.publicBase });
  const page = await upstream(() => caller.fhir.search(type, withTenant(type, parsed.forward, caller.tenant)));

  let dropped = 0;
  const matches: Resource[] = [];
  for (const entry of page.entry ?? []) {
    const mode = entry.search?.mode;
    // Only matches: includes and outcomes the server added on its own are not ours to pass on.
    if (!entry.resource || (mode !== undefined && mode !== 'match')) continue;
    if (entry.resource.resourceType === type && visibleTo(entry.resource, caller.tenant)) matches.push(entry.resource);
    else dropped++;
  }

  const included = await resolveIncludes(caller, parsed.includes, matches);
  dropped += included.dropped;
  if (dropped > 0) {
    caller.log.warn({ type, dropped }, 'FHIR server returned resources outside the caller\'s tenant or search; dropped them');
  }

  const links = facadeLinks(page.link, self, { type, tenant: caller.tenant, includes: includeParams(query), publicBase: caller.publicBase });
  const bundle = searchset({
    publicBase: caller.publicBase,
    links,
    matches,
    included: included.resources,
    // A total the server computed over resources we had to drop would be wrong: leave it out.
    ...(page.total !== undefined && dropped === 0 ? { total: page.total } : {}),
    includesTruncated: included.truncated,
  });
  return { bundle, returned: [...matches, ...included.resources] };
}
