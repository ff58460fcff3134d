// The store's WAL checkpoints, on a worker thread (see checkpoints.ts). Plain JS so that it
// loads the same way whatever runs the store (node with tsx, vitest).
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

const db = new Database(workerData.file, { fileMustExist: true });
// A checkpoint copies pages from the WAL to the file: it needs no page cache of its own.
db.pragma('cache_size = -512');

const timer = setInterval(() => {
  try {
    // PASSIVE: copies what it can without waiting for, or blocking, the store's writer.
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
}, workerData.intervalMs);

parentPort?.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort?.close();
});
