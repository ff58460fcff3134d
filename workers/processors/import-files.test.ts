import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialCheckpoint } from './import-cursor.js';
import { importsDir, newImportId, readCheckpoint, storeUpload, uploadPath, writeCheckpoint } from './import-files.js';

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'import-files-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** A body delivered in the given chunks, optionally breaking off after them. */
function streamOf(chunks: string[], breakOff = false): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(new TextEncoder().encode(chunks[i++]));
      else if (breakOff) controller.error(new Error('socket hang up'));
      else controller.close();
    },
  });
}

const files = async () => (await readdir(importsDir(dataDir)).catch(() => [] as string[])).sort();

describe('storeUpload', () => {
  it('stores the body under DATA_DIR/imports/<importId>.ndjson, byte for byte', async () => {
    const importId = newImportId();
    const stored = await storeUpload(streamOf(['{"caseId":"A"}\n', '{"caseId":', '"B"}\n']), { dataDir, importId, maxBytes: 100 });
    expect(stored).toEqual({ outcome: 'stored', bytes: 30, path: uploadPath(dataDir, importId) });
    expect(await readFile(uploadPath(dataDir, importId), 'utf8')).toBe('{"caseId":"A"}\n{"caseId":"B"}\n');
  });

  it('refuses a body past the limit, counted while streaming, and keeps nothing of it', async () => {
    const before = await files();
    const stored = await storeUpload(streamOf(['x'.repeat(60), 'y'.repeat(60), 'z'.repeat(60)]), { dataDir, importId: newImportId(), maxBytes: 100 });
    expect(stored).toEqual({ outcome: 'too-large' });
    expect(await files()).toEqual(before);
  });

  it('refuses a body of blanks, and one that breaks off, keeping nothing', async () => {
    const before = await files();
    expect(await storeUpload(streamOf([' \n', '\r\n\t']), { dataDir, importId: newImportId(), maxBytes: 100 })).toEqual({ outcome: 'empty' });
    expect(await storeUpload(null, { dataDir, importId: newImportId(), maxBytes: 100 })).toEqual({ outcome: 'empty' });
    expect(await storeUpload(streamOf(['{"caseId":"A"}\n'], true), { dataDir, importId: newImportId(), maxBytes: 100 })).toEqual({ outcome: 'interrupted' });
    expect(await files()).toEqual(before);
  });

  it('never lets an import id walk out of the imports directory', () => {
    expect(() => uploadPath(dataDir, '../../etc/passwd')).toThrow(/invalid import id/);
  });
});

describe('checkpoints', () => {
  it('reads back what was written, durable or not', async () => {
    const importId = newImportId();
    expect(await readCheckpoint(dataDir, importId)).toBeUndefined();
    const checkpoint = { ...initialCheckpoint(3), processed: 2, failed: 1, offset: 40, nextLine: 3, lineErrors: [{ line: 2, errors: [{ path: 'caseId', message: 'bad' }] }] };
    await writeCheckpoint(dataDir, importId, checkpoint);
    expect(await readCheckpoint(dataDir, importId)).toEqual(checkpoint);
    await writeCheckpoint(dataDir, importId, { ...checkpoint, done: true }, { durable: true });
    expect(await readCheckpoint(dataDir, importId)).toMatchObject({ done: true });
  });

  it('treats an unreadable checkpoint as none (starting over is safe)', async () => {
    const importId = newImportId();
    await writeCheckpoint(dataDir, importId, initialCheckpoint(1));
    await writeFile(join(importsDir(dataDir), `${importId}.checkpoint.json`), '{"offset":');
    expect(await readCheckpoint(dataDir, importId)).toBeUndefined();
  });
});
