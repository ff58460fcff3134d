/**
 * Runs a FHIR search against the index: SQL for the filters, sort and page; paging links
 * (relative; the HTTP layer makes them absolute); `_total`, `_summary=count`, `_elements`,
 * `_include` and `_revinclude` (with `:iterate`, a few rounds).
 */
import { badRequest, formatSearchQuery, isResourceType, OperationOutcomeError } from '@medplum/core';
import type { IncludeTarget, SearchRequest, WithId } from '@medplum/core';
import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
import { limitClause } from './engine.js';
import type { CurrentRow, StoreEngine } from './engine.js';
import { indexedParams } from './search-params.js';
import { fromWhere, orderClause } from './search-sql.js';

/** Page size when `_count` is absent, and the largest accepted. */
export const DEFAULT_COUNT = 20;
export const MAX_COUNT = 1000;
const MAX_INCLUDE_ROUNDS = 3;
const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };

interface ContentRow {
  rid: number;
  content: string;
}

function pageBounds(req: SearchRequest): { count: number; offset: number } {
  const count = req.count ?? DEFAULT_COUNT;
  const offset = req.offset ?? 0;
  if (!Number.isInteger(count) || count < 0) throw new OperationOutcomeError(badRequest('Invalid _count', '_count'));
  if (!Number.isInteger(offset) || offset < 0) throw new OperationOutcomeError(badRequest('Invalid _offset', '_offset'));
  return { count: Math.min(count, MAX_COUNT), offset };
}

function pageLink(req: SearchRequest, relation: string, offset: number, count: number): BundleLink {
  return { relation, url: `${req.resourceType}${formatSearchQuery({ ...req, offset, count })}` };
}

function applyElements(resource: Resource, fields: string[] | undefined): Resource {
  if (!fields?.length) return resource;
  const keep = new Set(['resourceType', 'id', 'meta', ...fields.map((f) => f.trim())]);
  const subset = Object.fromEntries(Object.entries(resource).filter(([k]) => keep.has(k))) as Resource;
  subset.meta = { ...subset.meta, tag: [...(subset.meta?.tag ?? []), SUBSETTED] };
  return subset;
}

function loadByRids(engine: StoreEngine, rids: number[]): Map<number, Resource> {
  const out = new Map<number, Resource>();
  for (let i = 0; i < rids.length; i += 500) {
    const chunk = rids.slice(i, i + 500);
    const rows = engine
      .prepare(`SELECT r.rid, v.content FROM res r JOIN ver v ON v.vrow = r.vrow WHERE r.deleted = 0 AND r.rid IN (${chunk.map(() => '?').join(', ')})`)
      .all(...chunk) as ContentRow[];
    for (const row of rows) out.set(row.rid, JSON.parse(row.content) as Resource);
  }
  return out;
}

function includeParam(target: IncludeTarget, kind: '_include' | '_revinclude'): string {
  if (!isResourceType(target.resourceType)) throw new OperationOutcomeError(badRequest(`Unknown type in ${kind}`, kind));
  const param = indexedParams(target.resourceType).find((p) => p.code === target.searchParam && p.kind === 'reference');
  if (!param) throw new OperationOutcomeError(badRequest(`${kind}=${target.resourceType}:${target.searchParam} is not a reference parameter`, kind));
  return param.storedAs;
}

/** Rows referenced by `rids` through `_include` targets. */
function includedRids(engine: StoreEngine, rids: number[], target: IncludeTarget): number[] {
  const code = includeParam(target, '_include');
  if (rids.length === 0) return [];
  const refs = engine
    .prepare(`SELECT DISTINCT a FROM idx WHERE type = ? AND code = ? AND rid IN (${rids.map(() => '?').join(', ')})`)
    .all(target.resourceType, code, ...rids) as { a: string }[];
  const out: number[] = [];
  for (const { a } of refs) {
    const [type, id] = a.split('/');
    if (!type || !id || (target.targetType && target.targetType !== type)) continue;
    const row = engine.prepare('SELECT rid FROM res WHERE type = ? AND id = ? AND deleted = 0').get(type, id) as { rid: number } | undefined;
    if (row) out.push(row.rid);
  }
  return out;
}

/** Rows whose `_revinclude` parameter points at one of `resources`. */
function revIncludedRids(engine: StoreEngine, resources: Resource[], target: IncludeTarget): number[] {
  const code = includeParam(target, '_revinclude');
  const refs = resources.map((r) => `${r.resourceType}/${r.id ?? ''}`);
  if (refs.length === 0) return [];
  const rows = engine
    .prepare(`SELECT DISTINCT rid FROM idx WHERE type = ? AND code = ? AND a IN (${refs.map(() => '?').join(', ')})`)
    .all(target.resourceType, code, ...refs) as { rid: number }[];
  return rows.map((r) => r.rid);
}

function resolveIncludes(engine: StoreEngine, req: SearchRequest, matches: Map<number, Resource>): BundleEntry[] {
  if (!req.include?.length && !req.revInclude?.length) return [];
  const seen = new Set(matches.keys());
  const included: BundleEntry[] = [];
  let frontier = matches;
  for (let round = 0; round < MAX_INCLUDE_ROUNDS && frontier.size > 0; round++) {
    const found: number[] = [];
    for (const target of req.include ?? []) {
      if (round > 0 && target.modifier !== 'iterate') continue;
      const sources = [...frontier].filter(([, r]) => r.resourceType === target.resourceType).map(([rid]) => rid);
      found.push(...includedRids(engine, sources, target));
    }
    for (const target of req.revInclude ?? []) {
      if (round > 0 && target.modifier !== 'iterate') continue;
      found.push(...revIncludedRids(engine, [...frontier.values()], target));
    }
    const fresh = [...new Set(found)].filter((rid) => !seen.has(rid));
    fresh.forEach((rid) => seen.add(rid));
    frontier = loadByRids(engine, fresh);
    for (const resource of frontier.values()) included.push({ resource, search: { mode: 'include' } });
  }
  return included;
}

/**
 * The current rows (id and content) of the first `limit` resources a search matches, in no
 * particular order: what a conditional write needs (none, one, several; then the current
 * version), in one query, without building a Bundle. Refuses what `executeSearch` refuses.
 */
export function matchingRows(engine: StoreEngine, req: SearchRequest, limit: number): (CurrentRow & { id: string })[] {
  if (req.types?.length) throw new OperationOutcomeError(badRequest('Searching several types at once is not supported', '_type'));
  if (!isResourceType(req.resourceType)) throw new OperationOutcomeError(badRequest(`Unknown resource type ${req.resourceType}`));
  const from = fromWhere(req);
  return engine
    .prepare(`SELECT r.id, r.rid, r.version, r.deleted, r.last_updated, (SELECT content FROM ver WHERE vrow = r.vrow) AS content ${from.sql} ${limitClause(limit)}`)
    .all(...from.params) as (CurrentRow & { id: string })[];
}

/** Executes a search; the Bundle's links are relative to the FHIR base URL. */
export function executeSearch<T extends Resource>(engine: StoreEngine, req: SearchRequest<T>): Bundle<WithId<T>> {
  if (req.types?.length) throw new OperationOutcomeError(badRequest('Searching several types at once is not supported', '_type'));
  if (!isResourceType(req.resourceType)) throw new OperationOutcomeError(badRequest(`Unknown resource type ${req.resourceType}`));
  const { count, offset } = pageBounds(req);
  const from = fromWhere(req);
  const order = orderClause(req);

  let rids: number[] = [];
  let hasMore = false;
  if (count > 0) {
    // One row more than the page tells whether a next page exists without a count. Contents
    // are loaded afterwards, for the page only.
    rids = (
      engine
        .prepare(`SELECT r.rid ${from.sql} ORDER BY ${order.sql} ${limitClause(count + 1)} OFFSET ?`)
        .all(...from.params, ...order.params, offset) as { rid: number }[]
    ).map((row) => row.rid);
    hasMore = rids.length > count;
    if (hasMore) rids = rids.slice(0, count);
  }

  let total: number | undefined;
  if (req.total !== 'none') {
    // The last page (or a page-less query) already tells the total; count only otherwise.
    const lastPageKnown = count > 0 && !hasMore && (rids.length > 0 || offset === 0);
    total = lastPageKnown
      ? offset + rids.length
      : (engine.prepare(`SELECT count(*) AS n ${from.sql}`).get(...from.params) as { n: number }).n;
  }

  const loaded = loadByRids(engine, rids);
  const matches = new Map<number, Resource>();
  for (const rid of rids) {
    const resource = loaded.get(rid);
    if (resource) matches.set(rid, resource);
  }
  const entry: BundleEntry[] = [...matches.values()].map((resource) => ({ resource: applyElements(resource, req.fields), search: { mode: 'match' } }));
  entry.push(...resolveIncludes(engine, req, matches));

  const link: BundleLink[] = [pageLink(req, 'self', offset, count)];
  if (count > 0) {
    link.push(pageLink(req, 'first', 0, count));
    if (hasMore) link.push(pageLink(req, 'next', offset + count, count));
    if (offset > 0) link.push(pageLink(req, 'previous', Math.max(offset - count, 0), count));
  }
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(total !== undefined ? { total } : {}),
    link,
    entry: entry as BundleEntry<WithId<T>>[],
  };
}
