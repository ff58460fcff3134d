/**
 * The store's SQLite file: schema and connection settings.
 *
 * Checkpoints run on a worker thread (`checkpoints.ts`); the connection's own automatic
 * checkpoint stays as a backstop at `WAL_BACKSTOP_PAGES`.
 *
 * Durability: WAL with `synchronous=NORMAL`. A commit is written to the WAL (in the OS page
 * cache) before the answer goes out, so an answered write survives the process being killed
 * (`kill -9`, crash, OOM). It is not fsynced on every commit, so a power loss or OS crash may
 * lose the last transactions: out of scope for an embedded store (use an external FHIR server
 * for that).
 *
 * Tables:
 * - `res`: one row per resource (current version number, last update, deleted flag, pointer
 *   to the current `ver` row);
 * - `ver`: every version, JSON included (deleted versions have no content);
 * - `idx`: search index rows `(type, code, a, b, rid)`, see `search-params.ts`. The table is
 *   its own lookup index (WITHOUT ROWID): every B-tree page a write touches is a page written
 *   to the WAL at commit, and that write is most of a commit's cost.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export type Db = Database.Database;

/** File name inside DATA_DIR. */
export const DB_FILE = 'fhir-store.sqlite';
const SCHEMA_VERSION = 1;
/** The writer checkpoints by itself only past 10,000 WAL pages (40 MB); see checkpoints.ts. */
const WAL_BACKSTOP_PAGES = 10_000;
/** A WAL file larger than this is truncated back once rewound. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS res (
  rid INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  last_updated TEXT NOT NULL,
  deleted INTEGER NOT NULL,
  vrow INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS res_type_id ON res(type, id);
CREATE INDEX IF NOT EXISTS res_type_updated ON res(type, last_updated);
CREATE TABLE IF NOT EXISTS ver (
  vrow INTEGER PRIMARY KEY,
  rid INTEGER NOT NULL,
  version INTEGER NOT NULL,
  last_updated TEXT NOT NULL,
  deleted INTEGER NOT NULL,
  content TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS ver_rid_version ON ver(rid, version);
CREATE TABLE IF NOT EXISTS idx (
  type TEXT NOT NULL,
  code TEXT NOT NULL,
  a TEXT NOT NULL,
  b TEXT NOT NULL,
  rid INTEGER NOT NULL,
  PRIMARY KEY (type, code, a, b, rid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idx_rid ON idx(rid, code);
`;

/** Opens (creating if needed) the store database in `dataDir`. */
export function openDatabase(dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, DB_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = OFF');
  // 32 MB page cache: enough for the hot index pages at 100k resources, bounded for RSS.
  db.pragma('cache_size = -32000');
  db.pragma('temp_store = MEMORY');
  db.pragma(`wal_autocheckpoint = ${WAL_BACKSTOP_PAGES}`);
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    db.close();
    throw new Error(`${DB_FILE} has schema version ${version}, newer than this store (${SCHEMA_VERSION})`);
  }
  db.exec(SCHEMA);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
  return db;
}
