/**
 * Type-level history, `GET [base]/<Type>/_history?_since=<instant>&_count=<n>`: every version of
 * every resource of one type, newest first (R4 http.html#history), deletions included. It is what
 * a change feed polls (`workers/change-feed`) to learn of writes it did not make.
 *
 * Order and paging: versions are listed by their row in `ver`, i.e. by commit order, newest first.
 * The `next` link carries a keyset cursor (`_cursor` = the row of the page's last entry), not an
 * offset: versions written while a reader pages are above the first page and never shift, skip or
 * repeat an entry of the later pages.
 *
 * Cost: with `_since`, only resources whose current version is that recent are visited (the
 * `res(type, last_updated)` index: a resource's current version is its newest), then their versions
 * (`ver(rid, version)`): a poll costs what changed, not the size of the store.
 */
import { allOk, badRequest, OperationOutcomeError } from '@medplum/core';
import type { WithId } from '@medplum/core';
import type { FhirRepository, FhirRequest, FhirResponse } from '@medplum/fhir-router';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { assertType, limitClause } from './engine.js';
import type { StoreEngine } from './engine.js';

/** Page sizes: default and largest (as for the instance history). */
const DEFAULT_COUNT = 100;
const MAX_COUNT = 1000;
/** An R4 `instant`: date and time to the second at least, with a zone. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const KNOWN_PARAMS = new Set(['_since', '_count', '_cursor']);

export interface TypeHistoryOptions {
  /** Only versions written at or after this instant (ISO 8601, normalised to UTC milliseconds). */
  since?: string;
  /** Page size, at most `MAX_COUNT`. */
  count: number;
  /** Keyset cursor from a `next` link: only versions older than this row. */
  cursor?: number;
}

interface VersionRow {
  vrow: number;
  id: string;
  version: number;
  last_updated: string;
  deleted: number;
  content: string | null;
}

/** A repository that can answer a type-level history (the SQLite store's does). */
export interface TypeHistoryRepository {
  readTypeHistory(resourceType: string, options: TypeHistoryOptions): Promise<Bundle>;
}

function hasTypeHistory(repo: FhirRepository): repo is FhirRepository & TypeHistoryRepository {
  return typeof (repo as Partial<TypeHistoryRepository>).readTypeHistory === 'function';
}

function single(query: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw new OperationOutcomeError(badRequest(`${name} may be given once`, name));
  return value;
}

/**
 * Reads `_since`, `_count` and `_cursor`; any other parameter, or a malformed value, is a 400
 * naming it (as the store's search does), rather than a history silently wider than asked.
 */
export function parseTypeHistoryQuery(query: Record<string, string | string[] | undefined>): TypeHistoryOptions {
  for (const name of Object.keys(query)) {
    if (!KNOWN_PARAMS.has(name)) throw new OperationOutcomeError(badRequest(`Unsupported history parameter ${name}`, name));
  }
  const options: TypeHistoryOptions = { count: DEFAULT_COUNT };
  const since = single(query, '_since');
  if (since !== undefined) {
    const time = INSTANT.test(since) ? Date.parse(since) : Number.NaN;
    if (Number.isNaN(time)) throw new OperationOutcomeError(badRequest('_since must be an instant, e.g. 2024-03-01T10:00:00Z', '_since'));
    options.since = new Date(time).toISOString();
  }
  const count = single(query, '_count');
  if (count !== undefined) {
    if (!/^\d{1,9}$/.test(count)) throw new OperationOutcomeError(badRequest('_count must be a non-negative integer', '_count'));
    options.count = Math.min(Number(count), MAX_COUNT);
  }
  const cursor = single(query, '_cursor');
  if (cursor !== undefined) {
    if (!/^\d{1,15}$/.test(cursor)) throw new OperationOutcomeError(badRequest('_cursor must come from a next link', '_cursor'));
    options.cursor = Number(cursor);
  }
  return options;
}

/** One page of the type-level history (engine work: the caller holds the store lock). */
export function typeHistory(engine: StoreEngine, type: string, options: TypeHistoryOptions): Bundle<WithId<Resource>> {
  assertType(type);
  let sql = 'SELECT v.vrow, r.id, v.version, v.last_updated, v.deleted, v.content FROM res r JOIN ver v ON v.rid = r.rid WHERE r.type = ?';
  const params: (string | number)[] = [type];
  if (options.since !== undefined) {
    sql += ' AND r.last_updated >= ? AND v.last_updated >= ?';
    params.push(options.since, options.since);
  }
  if (options.cursor !== undefined) {
    sql += ' AND v.vrow < ?';
    params.push(options.cursor);
  }
  // One row more than the page tells whether a next page exists.
  sql += ` ORDER BY v.vrow DESC ${limitClause(options.count + 1)}`;
  const rows = engine.prepare(sql).all(...params) as VersionRow[];
  const page = rows.slice(0, options.count);

  const entry: BundleEntry<WithId<Resource>>[] = page.map((row) => {
    const url = `${type}/${row.id}`;
    const response = { status: row.deleted ? '204' : row.version === 1 ? '201' : '200', etag: `W/"${row.version}"`, lastModified: row.last_updated };
    if (row.deleted || !row.content) return { request: { method: 'DELETE', url }, response };
    return { resource: JSON.parse(row.content) as WithId<Resource>, request: { method: row.version === 1 ? 'POST' : 'PUT', url }, response };
  });

  const link = (cursor?: number): string => {
    const query = new URLSearchParams();
    if (options.since !== undefined) query.set('_since', options.since);
    query.set('_count', String(options.count));
    if (cursor !== undefined) query.set('_cursor', String(cursor));
    return `${type}/_history?${query.toString()}`;
  };
  const links = [{ relation: 'self', url: link(options.cursor) }];
  const last = page[page.length - 1];
  if (rows.length > options.count && last) links.push({ relation: 'next', url: link(last.vrow) });
  return { resourceType: 'Bundle', type: 'history', link: links, entry };
}

/** The router's `GET :resourceType/_history` handler. */
export async function typeHistoryHandler(req: FhirRequest, repo: FhirRepository): Promise<FhirResponse> {
  if (!hasTypeHistory(repo)) return [badRequest('This repository has no type-level history')];
  const options = parseTypeHistoryQuery(req.query);
  return [allOk, await repo.readTypeHistory(req.params.resourceType ?? '', options)];
}
