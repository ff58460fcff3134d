/**
 * The store's synchronous core: reads and writes of resources, versions and index rows in
 * SQLite. It assumes its caller (the repository) holds the store lock and, for writes, has
 * opened a transaction; it keeps no state of its own that a rollback would have to undo.
 *
 * Versions are "1", "2", … per resource. An update whose content equals the current version
 * (meta.versionId / meta.lastUpdated aside) is a no-op: it returns the current version and
 * writes nothing, so replaying the same PUT leaves every versionId unchanged.
 */
import {
  badRequest,
  conflict,
  deepEquals,
  generateId,
  gone,
  notFound,
  OperationOutcomeError,
  preconditionFailed,
} from '@medplum/core';
import type { WithId } from '@medplum/core';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import type { Statement } from 'better-sqlite3';
import type { Db } from './database.js';
import { extractIndexRows, paramsAffectedBy, rowCodes } from './search-params.js';
import type { IndexRow } from './search-params.js';
import type { ProfileRegistry } from './validation.js';

const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;
const TYPE_PATTERN = /^[A-Z][A-Za-z]{1,63}$/;
const STATEMENT_CACHE_SIZE = 500;
/** History pages: default and largest page size. */
const HISTORY_DEFAULT_COUNT = 100;
const HISTORY_MAX_COUNT = 1000;

/** A resource's row with its current version's content (null: deleted). */
export interface CurrentRow {
  rid: number;
  version: number;
  deleted: number;
  last_updated: string;
  content: string | null;
}

interface VersionRow {
  version: number;
  last_updated: string;
  deleted: number;
  content: string | null;
}

/**
 * `LIMIT n` with n written into the SQL text. A bound `LIMIT ?` makes SQLite run the query
 * 2–3× slower here, whatever the value (the conditional-write lookup: 20 µs against 6), while
 * a bound `OFFSET ?` costs nothing; so limits are literals and offsets stay parameters.
 */
export function limitClause(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`Invalid SQL limit ${n}`);
  return `LIMIT ${n}`;
}

export function assertType(type: string): void {
  if (!TYPE_PATTERN.test(type)) throw new OperationOutcomeError(badRequest(`Invalid resource type ${type}`));
}

function assertId(id: string | undefined, path: string): asserts id is string {
  if (!id || !ID_PATTERN.test(id)) throw new OperationOutcomeError(badRequest(`Invalid resource id`, path));
}

/** The resource without the store-managed meta fields, for content comparison. */
function comparable(resource: Resource): Resource {
  if (!resource.meta) return resource;
  const meta: Record<string, unknown> = { ...resource.meta };
  delete meta.versionId;
  delete meta.lastUpdated;
  const copy: Record<string, unknown> = { ...resource, meta };
  if (Object.keys(meta).length === 0) delete copy.meta;
  return copy as unknown as Resource;
}

/**
 * The top-level properties whose content differs between two versions (store-managed meta
 * aside; compared as `deepEquals` compares, so empty equals absent). Empty: same content.
 */
export function changedProperties(a: Resource, b: Resource): Set<string> {
  const left = comparable(a) as unknown as Record<string, unknown>;
  const right = comparable(b) as unknown as Record<string, unknown>;
  const changed = new Set<string>();
  for (const key of new Set([...Object.keys(left), ...Object.keys(right)])) {
    if (!deepEquals(left[key], right[key], key)) changed.add(key);
  }
  return changed;
}

export class StoreEngine {
  private readonly statements = new Map<string, Statement>();
  private lastTimestamp = 0;

  constructor(
    readonly db: Db,
    private readonly profiles: ProfileRegistry,
  ) {}

  /** A prepared statement, cached by SQL text (bounded: search SQL varies with the query). */
  prepare(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      if (this.statements.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.statements.keys().next().value;
        if (oldest !== undefined) this.statements.delete(oldest);
      }
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  begin(): void {
    this.prepare('BEGIN IMMEDIATE').run();
  }

  commit(): void {
    this.prepare('COMMIT').run();
  }

  rollback(): void {
    if (this.db.inTransaction) this.prepare('ROLLBACK').run();
  }

  savepoint(): void {
    this.prepare('SAVEPOINT w').run();
  }

  release(): void {
    this.prepare('RELEASE w').run();
  }

  /** Undoes everything since `savepoint()` (the outer transaction stays open). */
  rollbackToSavepoint(): void {
    if (!this.db.inTransaction) return;
    this.prepare('ROLLBACK TO w').run();
    this.prepare('RELEASE w').run();
  }

  private now(): string {
    // Never go backwards, even if the wall clock does.
    this.lastTimestamp = Math.max(Date.now(), this.lastTimestamp);
    return new Date(this.lastTimestamp).toISOString();
  }

  private currentRow(type: string, id: string): CurrentRow | undefined {
    return this.prepare(
      'SELECT r.rid, r.version, r.deleted, r.last_updated, v.content FROM res r JOIN ver v ON v.vrow = r.vrow WHERE r.type = ? AND r.id = ?',
    ).get(type, id) as CurrentRow | undefined;
  }

  /**
   * Writes a new version (a resource, or a deletion when `resource` is null) and its index rows.
   * `changed`: the top-level properties that differ from the current version, when known.
   */
  private writeVersion(type: string, id: string, existing: CurrentRow | undefined, resource: Resource | null, changed?: ReadonlySet<string>): Resource | null {
    const version = (existing?.version ?? 0) + 1;
    const lastUpdated = this.now();
    let content: string | null = null;
    let stored: Resource | null = null;
    if (resource) {
      // resourceType, id and meta first, for readable JSON; the spread keeps everything else.
      stored = { resourceType: type, id, meta: { ...resource.meta, versionId: String(version), lastUpdated } } as Resource;
      stored = { ...stored, ...resource, id, meta: stored.meta } as Resource;
      content = JSON.stringify(stored);
    }
    let rid = existing?.rid;
    if (rid === undefined) {
      rid = Number(this.prepare('INSERT INTO res (type, id, version, last_updated, deleted, vrow) VALUES (?, ?, ?, ?, ?, 0)').run(type, id, version, lastUpdated, resource ? 0 : 1).lastInsertRowid);
    }
    const vrow = this.prepare('INSERT INTO ver (rid, version, last_updated, deleted, content) VALUES (?, ?, ?, ?, ?)').run(rid, version, lastUpdated, resource ? 0 : 1, content).lastInsertRowid;
    this.prepare('UPDATE res SET version = ?, last_updated = ?, deleted = ?, vrow = ? WHERE rid = ?').run(version, lastUpdated, resource ? 0 : 1, vrow, rid);
    this.replaceIndexRows(type, rid, existing !== undefined, stored, changed);
    return stored;
  }

  /**
   * Brings the resource's index rows up to date, touching only the rows that changed: an
   * update that changes one field rewrites one or two rows, not all of them. With `changed`
   * (the top-level properties that differ from the previous version), only the parameters
   * reading those properties are extracted and compared; the other rows cannot have changed.
   */
  private replaceIndexRows(type: string, rid: number, existed: boolean, stored: Resource | null, changed?: ReadonlySet<string>): void {
    if (!stored) {
      this.prepare('DELETE FROM idx WHERE rid = ?').run(rid);
      return;
    }
    const params = existed && changed ? paramsAffectedBy(type, changed) : undefined;
    const codes = params ? new Set(params.flatMap(rowCodes)) : undefined;
    const key = (r: IndexRow): string => `${r.code}\u0000${r.a}\u0000${r.b}`;
    const wanted = new Map(extractIndexRows(stored, params).map((r) => [key(r), r]));
    if (existed) {
      const remove = this.prepare('DELETE FROM idx WHERE type = ? AND code = ? AND a = ? AND b = ? AND rid = ?');
      // Only the rows of the affected parameters are read: each row read costs ~1 µs.
      const current = codes
        ? (this.prepare(`SELECT code, a, b FROM idx WHERE rid = ? AND code IN (${[...codes].map(() => '?').join(', ')})`).all(rid, ...codes) as IndexRow[])
        : (this.prepare('SELECT code, a, b FROM idx WHERE rid = ?').all(rid) as IndexRow[]);
      for (const row of current) {
        if (!wanted.delete(key(row))) remove.run(type, row.code, row.a, row.b, rid);
      }
    }
    const insert = this.prepare('INSERT INTO idx (type, code, a, b, rid) VALUES (?, ?, ?, ?, ?)');
    for (const row of wanted.values()) insert.run(type, row.code, row.a, row.b, rid);
  }

  private validate(resource: Resource): void {
    this.profiles.validate(resource);
  }

  /** Creates a resource; a new id is generated unless `assignedId` (batch placeholders). */
  create<T extends Resource>(input: T, assignedId = false): WithId<T> {
    if (!input || typeof input !== 'object') throw new OperationOutcomeError(badRequest('Missing resource'));
    assertType(input.resourceType);
    const id = assignedId && input.id ? input.id : generateId();
    assertId(id, `${input.resourceType}.id`);
    const candidate = { ...input, id } as T;
    this.validate(candidate);
    const existing = this.currentRow(input.resourceType, id);
    if (existing && !existing.deleted) throw new OperationOutcomeError(conflict(`${input.resourceType}/${id} already exists`));
    return this.writeVersion(input.resourceType, id, existing, candidate) as WithId<T>;
  }

  /**
   * Updates (or creates, with a client-chosen id) a resource. `ifMatch` is the expected
   * current versionId (412 otherwise). Unchanged content returns the current version as is.
   */
  update<T extends Resource>(input: T, ifMatch?: string): WithId<T> {
    if (!input || typeof input !== 'object') throw new OperationOutcomeError(badRequest('Missing resource'));
    assertType(input.resourceType);
    assertId(input.id, `${input.resourceType}.id`);
    return this.updateCurrent(input, this.currentRow(input.resourceType, input.id), ifMatch);
  }

  /**
   * `update` when the caller has just read the resource's current row in this transaction
   * (a conditional update's search returns it): saves reading it a second time.
   */
  updateCurrent<T extends Resource>(input: T, existing: CurrentRow | undefined, ifMatch?: string): WithId<T> {
    assertType(input.resourceType);
    assertId(input.id, `${input.resourceType}.id`);
    if (ifMatch !== undefined && (!existing || existing.deleted || String(existing.version) !== ifMatch)) {
      throw new OperationOutcomeError(preconditionFailed);
    }
    let changed: Set<string> | undefined;
    if (existing && !existing.deleted && existing.content) {
      const current = JSON.parse(existing.content) as WithId<T>;
      changed = changedProperties(current, input);
      if (changed.size === 0) return current;
    }
    this.validate(input);
    return this.writeVersion(input.resourceType, input.id, existing, input, changed) as WithId<T>;
  }

  /** Deletes a resource (recorded as a version in its history); deleting twice is a no-op. */
  delete(type: string, id: string): void {
    assertType(type);
    const existing = this.currentRow(type, id);
    if (!existing) throw new OperationOutcomeError(notFound);
    if (existing.deleted) return;
    this.writeVersion(type, id, existing, null);
  }

  /** The current version; 404 if it never existed, 410 if deleted. */
  read<T extends Resource>(type: string, id: string): WithId<T> {
    assertType(type);
    const row = this.currentRow(type, id);
    if (!row) throw new OperationOutcomeError(notFound);
    if (row.deleted || !row.content) throw new OperationOutcomeError(gone);
    return JSON.parse(row.content) as WithId<T>;
  }

  /** One version; 410 when that version is a deletion. */
  readVersion<T extends Resource>(type: string, id: string, versionId: string): WithId<T> {
    assertType(type);
    const row = this.prepare(
      'SELECT v.content, v.deleted FROM res r JOIN ver v ON v.rid = r.rid WHERE r.type = ? AND r.id = ? AND v.version = ?',
    ).get(type, id, /^\d+$/.test(versionId) ? Number(versionId) : -1) as { content: string | null; deleted: number } | undefined;
    if (!row) throw new OperationOutcomeError(notFound);
    if (row.deleted || !row.content) throw new OperationOutcomeError(gone);
    return JSON.parse(row.content) as WithId<T>;
  }

  /** The instance history, newest first (ordered by versionId, so always the same order). */
  history<T extends Resource>(type: string, id: string, options: { offset?: number; limit?: number }): Bundle<WithId<T>> {
    assertType(type);
    const current = this.prepare('SELECT rid, version FROM res WHERE type = ? AND id = ?').get(type, id) as { rid: number; version: number } | undefined;
    if (!current) throw new OperationOutcomeError(notFound);
    const count = Math.trunc(Math.min(Math.max(Number.isFinite(options.limit) ? Number(options.limit) : HISTORY_DEFAULT_COUNT, 0), HISTORY_MAX_COUNT));
    const offset = Math.max(Number.isFinite(options.offset) ? Number(options.offset) : 0, 0);
    const rows = this.prepare(`SELECT version, last_updated, deleted, content FROM ver WHERE rid = ? ORDER BY version DESC ${limitClause(count)} OFFSET ?`).all(current.rid, offset) as VersionRow[];
    const url = `${type}/${id}`;
    const entry: BundleEntry<WithId<T>>[] = rows.map((row) => {
      const response = { status: row.deleted ? '204' : row.version === 1 ? '201' : '200', etag: `W/"${row.version}"`, lastModified: row.last_updated };
      if (row.deleted || !row.content) return { request: { method: 'DELETE', url }, response };
      return { resource: JSON.parse(row.content) as WithId<T>, request: { method: row.version === 1 ? 'POST' : 'PUT', url }, response };
    });
    const page = (o: number): string => `${url}/_history?_count=${count}&_offset=${o}`;
    const link = [{ relation: 'self', url: page(offset) }];
    if (offset + count < current.version) link.push({ relation: 'next', url: page(offset + count) });
    if (offset > 0) link.push({ relation: 'previous', url: page(Math.max(offset - count, 0)) });
    return { resourceType: 'Bundle', type: 'history', total: current.version, link, entry };
  }
}
