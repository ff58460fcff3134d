/**
 * Reads a stored NDJSON upload line by line, from any byte offset, in bounded memory: a line
 * longer than `maxLineBytes` is reported as too long (its bytes are skipped, never buffered),
 * so a 1 GiB upload without a newline cannot exhaust the worker.
 *
 * Lines are numbered from 1 over the physical lines of the file (blank lines count, so numbers
 * match what an editor shows); blank lines are skipped. `\n` and `\r\n` endings both work.
 * Each line is decoded as strict UTF-8: invalid bytes make the line fail, they are never
 * silently replaced.
 *
 * @example
 *   for await (const line of readUploadLines(path, { maxLineBytes: 1 << 20 })) {
 *     if ('text' in line) handle(line.number, line.text);
 *   }
 */
import { createReadStream } from 'node:fs';

/** A non-blank line of the upload. `end` is the byte offset just after it (where reading resumes). */
export type UploadLine =
  | { number: number; end: number; text: string }
  | { number: number; end: number; problem: 'too-long' | 'not-utf8' };

export interface ReadLinesOptions {
  /** Byte offset to start at: the start of a line (0, or an `end` seen before). Default 0. */
  offset?: number;
  /** Number of the line at `offset`. Default 1. */
  firstLine?: number;
  /** Longest line accepted, in bytes (without its line ending). */
  maxLineBytes: number;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
/** Large reads: a 1 GiB upload is walked in ~1,000 reads rather than 16,000. */
const READ_CHUNK_BYTES = 1 << 20;

/** Non-blank lines of the file at `path`, in order. */
export async function* readUploadLines(path: string, options: ReadLinesOptions): AsyncGenerator<UploadLine> {
  const { maxLineBytes } = options;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let number = options.firstLine ?? 1;
  let chunkStart = options.offset ?? 0;
  let parts: Buffer[] = [];
  let length = 0;
  let tooLong = false;

  const complete = (end: number): UploadLine | undefined => {
    const line = number;
    number += 1;
    if (tooLong) return { number: line, end, problem: 'too-long' };
    let bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts, length);
    if (bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN) bytes = bytes.subarray(0, bytes.length - 1);
    if (bytes.length > maxLineBytes) return { number: line, end, problem: 'too-long' };
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      return { number: line, end, problem: 'not-utf8' };
    }
    return text.trim() === '' ? undefined : { number: line, end, text };
  };

  const stream = createReadStream(path, { start: chunkStart, highWaterMark: READ_CHUNK_BYTES });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let from = 0;
    while (from < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, from);
      const stop = newline === -1 ? chunk.length : newline;
      if (!tooLong) {
        // One byte of slack for the `\r` of a `\r\n` ending; `complete` checks the exact length.
        if (length + (stop - from) > maxLineBytes + 1) {
          tooLong = true;
          parts = [];
          length = 0;
        } else if (stop > from) {
          parts.push(chunk.subarray(from, stop));
          length += stop - from;
        }
      }
      if (newline === -1) break;
      const line = complete(chunkStart + newline + 1);
      parts = [];
      length = 0;
      tooLong = false;
      if (line) yield line;
      from = newline + 1;
    }
    chunkStart += chunk.length;
  }
  // A last line without its newline.
  if (length > 0 || tooLong) {
    const line = complete(chunkStart);
    if (line) yield line;
  }
}

/** How many non-blank lines the upload holds (too-long and undecodable lines included). */
export async function countUploadLines(path: string, maxLineBytes: number): Promise<number> {
  let count = 0;
  const lines = readUploadLines(path, { maxLineBytes });
  while (!(await lines.next()).done) count += 1;
  return count;
}
