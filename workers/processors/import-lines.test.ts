import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countUploadLines, readUploadLines, type UploadLine } from './import-lines.js';

let dir: string;
let n = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'import-lines-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileWith(content: string | Buffer): Promise<string> {
  const path = join(dir, `upload-${n++}.ndjson`);
  await writeFile(path, content);
  return path;
}

async function collect(path: string, options: Parameters<typeof readUploadLines>[1] = { maxLineBytes: 1024 }): Promise<UploadLine[]> {
  const out: UploadLine[] = [];
  for await (const line of readUploadLines(path, options)) out.push(line);
  return out;
}

/** The expected reading, computed the naive way (whole file in memory). */
function naive(content: string, maxLineBytes: number): { number: number; text?: string; problem?: string }[] {
  const out: { number: number; text?: string; problem?: string }[] = [];
  const lines = content.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((raw, i) => {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (Buffer.byteLength(text) > maxLineBytes) out.push({ number: i + 1, problem: 'too-long' });
    else if (text.trim() !== '') out.push({ number: i + 1, text });
  });
  return out;
}

const strip = (lines: UploadLine[]) => lines.map((l) => ('text' in l ? { number: l.number, text: l.text } : { number: l.number, problem: l.problem }));

describe('readUploadLines', () => {
  it('numbers physical lines, skips blank ones and accepts \\n, \\r\\n and a last line without newline', async () => {
    const path = await fileWith('{"a":1}\r\n\n   \n{"b":2}\n{"c":3}');
    expect(strip(await collect(path))).toEqual([
      { number: 1, text: '{"a":1}' },
      { number: 4, text: '{"b":2}' },
      { number: 5, text: '{"c":3}' },
    ]);
  });

  it('gives each line the byte offset where the next one starts, so reading resumes exactly there', async () => {
    const content = 'première ligne é\n\nseconde\r\ntroisième\n';
    const path = await fileWith(content);
    const all = await collect(path);
    expect(all.map((l) => l.end)).toEqual([
      Buffer.byteLength('première ligne é\n'),
      Buffer.byteLength('première ligne é\n\nseconde\r\n'),
      Buffer.byteLength(content),
    ]);
    const first = all[0]!;
    const resumed = await collect(path, { offset: first.end, firstLine: first.number + 1, maxLineBytes: 1024 });
    expect(strip(resumed)).toEqual(strip(all.slice(1)));
  });

  it('reports a line longer than the limit without keeping it, and reads on', async () => {
    const path = await fileWith(`${'x'.repeat(50)}\n${'y'.repeat(11)}\r\n${'z'.repeat(10)}\r\n${'w'.repeat(11)}`);
    expect(strip(await collect(path, { maxLineBytes: 10 }))).toEqual([
      { number: 1, problem: 'too-long' },
      { number: 2, problem: 'too-long' },
      { number: 3, text: 'z'.repeat(10) },
      { number: 4, problem: 'too-long' },
    ]);
  });

  it('reports a line that is not valid UTF-8 instead of replacing its bytes', async () => {
    const path = await fileWith(Buffer.concat([Buffer.from('{"ok":1}\n{"bad":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n{"ok":2}\n')]));
    expect(strip(await collect(path))).toEqual([
      { number: 1, text: '{"ok":1}' },
      { number: 2, problem: 'not-utf8' },
      { number: 3, text: '{"ok":2}' },
    ]);
  });

  it('reads lines that straddle its 1 MiB reads exactly as a whole-file split does', async () => {
    // Lines of 1 to 300 KB cross every read boundary of a ~3 MiB file at varied places.
    const lines: string[] = [];
    for (let i = 0, size = 0; size < 3 * 1024 * 1024; i++) {
      const line = `${i}:${'é'.repeat((i * 7919) % 150_000)}${i % 3 === 0 ? '\r' : ''}`;
      lines.push(line);
      size += Buffer.byteLength(line) + 1;
    }
    const content = `${lines.join('\n')}\n`;
    const path = await fileWith(content);
    expect(strip(await collect(path, { maxLineBytes: 200_000 }))).toEqual(naive(content, 200_000));
  });

  it('agrees with a whole-file split on any content (property)', async () => {
    const lineArb = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('', ' ', '\r', 'é\r', '{"a":"b"}')).filter((s) => !s.includes('\n'));
    await fc.assert(
      fc.asyncProperty(fc.array(lineArb, { maxLength: 20 }), fc.boolean(), async (lines, trailingNewline) => {
        const content = lines.join('\n') + (trailingNewline && lines.length > 0 ? '\n' : '');
        const path = await fileWith(content);
        expect(strip(await collect(path, { maxLineBytes: 20 }))).toEqual(naive(content, 20));
      }),
      { numRuns: 200 },
    );
  });
});

describe('countUploadLines', () => {
  it('counts the non-blank lines, unreadable ones included', async () => {
    const path = await fileWith(`a\n\nb\n${'x'.repeat(100)}\n \n`);
    expect(await countUploadLines(path, 10)).toBe(3);
  });
});
