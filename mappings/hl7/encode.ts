/**
 * Text → bytes in the character set a message declared, so an ACK goes back in the encoding the
 * sender reads (MSH-18 is echoed in the ACK).
 */
import { CP1252_BYTE_BY_CODE_POINT, CP1252_UNDEFINED_BYTES, type Hl7Charset } from './charset.js';

/** Byte written for a character the target encoding cannot represent. */
const REPLACEMENT = 0x3f; // '?'

/**
 * Encodes HL7 text. For ISO-8859-1 this is the inverse of the decoder (windows-1252 for 0x80–0x9F):
 * characters outside it become `?` rather than being truncated to their low byte, which is what
 * `Buffer.from(text, 'latin1')` would silently do (`œ` U+0153 would become `S`).
 *
 * @example
 *   encodeHl7(ackText, decoded.ok ? decoded.charset : 'utf-8');
 */
export function encodeHl7(text: string, charset: Hl7Charset): Buffer {
  if (charset === 'utf-8') return Buffer.from(text, 'utf8');
  const out = Buffer.allocUnsafe(text.length);
  let length = 0;
  for (const char of text) {
    const codePoint = char.codePointAt(0) ?? REPLACEMENT;
    if (codePoint < 0x80 || (codePoint >= 0xa0 && codePoint <= 0xff) || CP1252_UNDEFINED_BYTES.has(codePoint)) {
      out[length++] = codePoint;
    } else {
      out[length++] = CP1252_BYTE_BY_CODE_POINT.get(codePoint) ?? REPLACEMENT;
    }
  }
  return out.subarray(0, length);
}
