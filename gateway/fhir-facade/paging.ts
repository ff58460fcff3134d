/**
 * Paging through the facade. The FHIR server's `next` / `previous` / `first` links name the
 * server's own URL and carry the tenant tag the facade added; neither may reach the client.
 * Each becomes `<public base>/<Type>?_page=<token>`, the token an opaque (base64url JSON)
 * holder of the server's query without the tenant tag, plus the client's `_include`s.
 *
 * Following a token is a search like any other: its query is validated against the table
 * again (with the server's paging parameters allowed) and the tenant tag re-added, so a forged
 * token can ask nothing a plain search could not. Tokens hold no state: any gateway instance
 * can follow them.
 */
import { badRequest, OperationOutcomeError } from '@medplum/core';
import type { BundleLink } from '@medplum/fhirtypes';
import { tenantTagParam } from './tenancy.js';
import { badGateway } from './upstream.js';

interface PageState {
  /** The server's query for the page, without the tenant tag. */
  readonly q: string;
  /** The client's `_include` / `_revinclude` parameters, resolved again on every page. */
  readonly i: string;
}

/** Longest token accepted: a page link is short; anything longer is not one we made. */
const MAX_TOKEN_LENGTH = 8_192;

/** Links a searchset may carry that point at other pages. */
const PAGE_RELATIONS = new Set(['next', 'previous', 'prev', 'first', 'last']);

export function encodePageToken(state: PageState): string {
  return Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

/** The query a `_page` token stands for (server paging parameters and includes together). */
export function pageTokenQuery(token: string): URLSearchParams {
  const invalid = (): never => {
    throw new OperationOutcomeError(badRequest('_page is not a paging token issued by this server', '_page'));
  };
  if (token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) return invalid();
  let state: unknown;
  try {
    state = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return invalid();
  }
  const { q, i } = (state ?? {}) as Partial<PageState>;
  if (typeof q !== 'string' || typeof i !== 'string') return invalid();
  const query = new URLSearchParams(q);
  for (const [name, value] of new URLSearchParams(i)) query.append(name, value);
  return query;
}

/** The include parameters of a client query, as they must travel with every page. */
export function includeParams(query: URLSearchParams): string {
  const kept = new URLSearchParams();
  for (const [name, value] of query) {
    if (name.startsWith('_include') || name.startsWith('_revinclude')) kept.append(name, value);
  }
  return kept.toString();
}

/**
 * The facade's link for one of the server's paging links, or `undefined` when the server
 * pages in a way the facade cannot follow (a link that is not a search on `type`, e.g. HAPI's
 * `[base]?_getpages=…`).
 */
export function facadePageLink(serverUrl: string, context: { type: string; tenant: string; includes: string; publicBase: string }): string | undefined {
  let url: URL;
  try {
    url = new URL(serverUrl, 'http://server.invalid/');
  } catch {
    return undefined;
  }
  const lastSegment = url.pathname.replace(/\/+$/, '').split('/').pop();
  if (lastSegment !== context.type) return undefined;
  const tenantTag = tenantTagParam(context.tenant);
  const q = new URLSearchParams();
  for (const [name, value] of url.searchParams) {
    if (name === '_tag' && value === tenantTag) continue;
    q.append(name, value);
  }
  const token = encodePageToken({ q: q.toString(), i: context.includes });
  return `${context.publicBase}/${context.type}?_page=${token}`;
}

/**
 * The searchset's links: `self` as the client asked, each paging link of the server rewritten.
 * @throws HttpError (502) when the server has a next page the facade cannot follow:
 *   answering without it would silently drop results.
 */
export function facadeLinks(
  serverLinks: readonly BundleLink[] | undefined,
  selfUrl: string,
  context: { type: string; tenant: string; includes: string; publicBase: string },
): BundleLink[] {
  const links: BundleLink[] = [{ relation: 'self', url: selfUrl }];
  for (const link of serverLinks ?? []) {
    if (!link.relation || !link.url || !PAGE_RELATIONS.has(link.relation)) continue;
    const url = facadePageLink(link.url, context);
    if (url) links.push({ relation: link.relation === 'prev' ? 'previous' : link.relation, url });
    else if (link.relation === 'next') {
      throw badGateway('the FHIR server pages this search in a way the facade cannot follow');
    }
  }
  return links;
}
