/**
 * Where `POST /v1/import` uploads live: `DATA_DIR/imports/<importId>.ndjson`, beside a small
 * checkpoint `<importId>.checkpoint.json` written by the import worker.
 *
 * Why files and not Redis: an upload may be 1 GiB, and Redis holds everything in memory (and
 * again in its AOF); a case job holding each document would also keep that personal data in
 * Redis for the retention period. On disk the upload costs memory only while a line is being
 * read. The price: the gateway and the import workers must share `DATA_DIR` (one volume in
 * docker compose), which `npm start` (one process) gives for free.
 *
 * The upload is written to `<importId>.ndjson.part`, fsynced, renamed and the directory
 * fsynced before the API answers `202`: once accepted, a power cut loses nothing.
 *
 * @example
 *   const stored = await storeUpload(request.body, { dataDir, importId: newImportId(), maxBytes });
 *   if (stored.outcome === 'too-large') answer413();
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ImportCheckpointSchema, type ImportCheckpoint } from './import-cursor.js';

/** Subdirectory of DATA_DIR holding uploads and checkpoints. */
export const IMPORTS_DIR = 'imports';

const IMPORT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A fresh import id (a UUID: safe in file names, job ids and URLs). */
export function newImportId(): string {
  return randomUUID();
}

function checkedId(importId: string): string {
  // The id comes from job data: never let it walk out of the imports directory.
  if (!IMPORT_ID.test(importId)) throw new Error('invalid import id');
  return importId;
}

export function importsDir(dataDir: string): string {
  return join(dataDir, IMPORTS_DIR);
}

/** Path of the stored upload of `importId`. */
export function uploadPath(dataDir: string, importId: string): string {
  return join(importsDir(dataDir), `${checkedId(importId)}.ndjson`);
}

function checkpointPath(dataDir: string, importId: string): string {
  return join(importsDir(dataDir), `${checkedId(importId)}.checkpoint.json`);
}

export type StoredUpload =
  | { outcome: 'stored'; bytes: number; path: string }
  | { outcome: 'too-large' }
  | { outcome: 'empty' }
  /** The client went away (or the body broke off) before the end. */
  | { outcome: 'interrupted' };

export interface StoreUploadOptions {
  dataDir: string;
  importId: string;
  /** Bytes accepted at most (IMPORT_BODY_LIMIT); counted while streaming. */
  maxBytes: number;
}

/** Bytes that leave a line blank: space, tab, CR, LF. */
function isBlank(chunk: Uint8Array): boolean {
  for (const byte of chunk) if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d && byte !== 0x0a) return false;
  return true;
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Streams `body` to disk, counting bytes as they come, and makes it durable. Never holds more
 * than one chunk in memory. Past `maxBytes` the stream is cancelled and nothing is kept; a body
 * of blanks only is refused as `empty`, a body that breaks off as `interrupted`. Whatever the
 * outcome but `stored`, the partial file is removed; a write error (disk full) is rethrown.
 */
export async function storeUpload(body: ReadableStream<Uint8Array> | null, options: StoreUploadOptions): Promise<StoredUpload> {
  const dir = importsDir(options.dataDir);
  await mkdir(dir, { recursive: true });
  const final = uploadPath(options.dataDir, options.importId);
  const partial = `${final}.part`;
  const handle = await open(partial, 'wx');
  let keep = false;
  try {
    let bytes = 0;
    let blank = true;
    if (body) {
      const reader = body.getReader();
      const next = () => reader.read().catch(() => undefined);
      for (let read = await next(); ; read = await next()) {
        if (read === undefined) return { outcome: 'interrupted' };
        if (read.done) break;
        bytes += read.value.byteLength;
        if (bytes > options.maxBytes) {
          await reader.cancel().catch(() => undefined);
          return { outcome: 'too-large' };
        }
        if (blank && !isBlank(read.value)) blank = false;
        await handle.write(read.value);
      }
    }
    if (blank) return { outcome: 'empty' };
    await handle.sync();
    keep = true;
    return { outcome: 'stored', bytes, path: final };
  } finally {
    await handle.close();
    if (keep) {
      await rename(partial, final);
      await fsyncDir(dir);
    } else {
      await rm(partial, { force: true });
    }
  }
}

/** Removes an upload (e.g. when it could not be queued). */
export async function removeUpload(dataDir: string, importId: string): Promise<void> {
  await rm(uploadPath(dataDir, importId), { force: true });
}

/**
 * The last checkpoint of `importId`, or `undefined` when there is none (or it is unreadable:
 * starting over is safe, every write being conditional).
 */
export async function readCheckpoint(dataDir: string, importId: string): Promise<ImportCheckpoint | undefined> {
  let text: string;
  try {
    text = await readFile(checkpointPath(dataDir, importId), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const parsed = ImportCheckpointSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Replaces the checkpoint atomically (write, then rename): a crash leaves the old one or the
 * new one, never half of one. Only `durable` checkpoints are fsynced: losing an intermediate
 * one means redoing a few idempotent writes, but the final one must outlive its upload.
 */
export async function writeCheckpoint(
  dataDir: string,
  importId: string,
  checkpoint: ImportCheckpoint,
  options: { durable?: boolean } = {},
): Promise<void> {
  const path = checkpointPath(dataDir, importId);
  const temporary = `${path}.tmp`;
  if (!options.durable) {
    await writeFile(temporary, JSON.stringify(checkpoint));
    await rename(temporary, path);
    return;
  }
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(JSON.stringify(checkpoint));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
  await fsyncDir(importsDir(dataDir));
}
