/**
 * Bytes → text for one HL7 v2 message, honouring the character set the message declares in
 * MSH-18. The declaration is read from the raw MSH bytes decoded as Latin-1 first: every delimiter
 * and every charset name is ASCII, and Latin-1 maps each byte to one character, so the MSH fields
 * can be located before knowing the real encoding.
 */
import { charsetFromMsh18, decodeWindows1252, type Hl7Charset } from './charset.js';

/** Outcome of {@link decodeHl7}. Never thrown: a failure is a value the ACK can explain. */
export type DecodeResult =
  | {
      ok: true;
      text: string;
      /** The encoding used; reuse it to encode the answer ({@link encodeHl7}). */
      charset: Hl7Charset;
      /** MSH-18 as sent (first repetition, first component), `''` when absent. */
      declared: string;
      /** Things worth recording that did not stop decoding. */
      warnings: string[];
    }
  | {
      ok: false;
      reason: string;
      field: 'MSH-18';
      declared: string;
      /** The bytes read as Latin-1: lossless (one character per byte), for building the ACK. */
      text: string;
    };

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;
const CR = 0x0d;
const LF = 0x0a;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

/**
 * Decodes one message. UTF-8 is the default when MSH-18 is empty; `8859/1`, `ISO IR100`,
 * `ISO-8859-1` select Latin-1 (see `charset.ts` for why windows-1252 is used to decode it).
 *
 * - MSH-18 names a character set we do not support → `ok: false` (the sender gets `AR`).
 * - MSH-18 says UTF-8 and the bytes are not valid UTF-8 → `ok: false`.
 * - MSH-18 is empty and the bytes are not valid UTF-8 → decoded as Latin-1 with a warning: HL7
 *   makes ASCII the default, so such a sender is already out of spec, and Latin-1 text is
 *   practically never valid UTF-8 by accident.
 *
 * @example
 *   const decoded = decodeHl7(frame);
 *   if (decoded.ok) parseHl7(decoded.text);
 */
export function decodeHl7(bytes: Uint8Array): DecodeResult {
  const declared = readDeclaredCharset(bytes);
  const charset = charsetFromMsh18(declared);
  if (charset === undefined) {
    return {
      ok: false,
      reason: `unsupported character set "${declared}" in MSH-18 (supported: UNICODE UTF-8, 8859/1)`,
      field: 'MSH-18',
      declared,
      text: latin1(bytes),
    };
  }
  if (charset === 'iso-8859-1') {
    return { ok: true, text: decodeWindows1252(bytes), charset, declared, warnings: [] };
  }
  try {
    return { ok: true, text: strictUtf8.decode(bytes), charset, declared, warnings: [] };
  } catch {
    if (declared.trim() !== '' && declared.trim().toUpperCase() !== 'ASCII') {
      return {
        ok: false,
        reason: `MSH-18 declares "${declared}" but the message contains bytes that are not valid UTF-8`,
        field: 'MSH-18',
        declared,
        text: latin1(bytes),
      };
    }
    return {
      ok: true,
      text: decodeWindows1252(bytes),
      charset: 'iso-8859-1',
      declared,
      warnings: ['MSH-18 is empty and the message is not valid UTF-8: decoded as ISO-8859-1'],
    };
  }
}

/**
 * Reads MSH-18 (first repetition, first component) from the raw bytes without decoding the
 * message. Returns `''` when there is no MSH segment or no MSH-18.
 */
export function readDeclaredCharset(bytes: Uint8Array): string {
  let start = 0;
  if (UTF8_BOM.every((b, i) => bytes[i] === b)) start = UTF8_BOM.length;
  while (start < bytes.length && (bytes[start] === CR || bytes[start] === LF || bytes[start] === 0x20)) start++;
  let end = start;
  while (end < bytes.length && bytes[end] !== CR && bytes[end] !== LF) end++;
  const msh = latin1(bytes.subarray(start, end));
  if (!msh.startsWith('MSH') || msh.length < 4) return '';
  const fieldSeparator = msh.charAt(3);
  // split() gives [MSH, MSH-2, MSH-3, ...]: MSH-1 is the separator itself, so MSH-n is at n-1.
  const msh18 = msh.split(fieldSeparator)[17] ?? '';
  const componentSeparator = msh.charAt(4);
  const repetitionSeparator = msh.charAt(5);
  let first = msh18;
  if (repetitionSeparator !== '' && repetitionSeparator !== fieldSeparator) first = first.split(repetitionSeparator)[0] ?? '';
  if (componentSeparator !== '' && componentSeparator !== fieldSeparator) first = first.split(componentSeparator)[0] ?? '';
  return first;
}
