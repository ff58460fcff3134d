/**
 * Reads back what the HTTP answer needs from an encoded ACK: MSA-1 (for `X-Hl7-Ack-Code`) and the
 * charset it is encoded in (for `Content-Type`); and what the MLLP listener needs of a message:
 * MSH-15, whether its sender wants the commit ACK. Works on any bytes: these fields are ASCII,
 * so reading the bytes as Latin-1 is exact whatever the encoding.
 */
import { charsetFromMsh18, type Hl7Charset } from '../../mappings/hl7/charset.js';

/**
 * MSH-15 (accept acknowledgment type) of a message, first component, read from its bytes
 * without parsing the rest ('' when absent or unreadable): the MLLP listener's only question.
 */
export function peekAcceptAckType(message: Uint8Array): string {
  // MSH is at the start: 2 KiB hold it, whatever the message's size.
  const [msh] = segmentsOf(message.subarray(0, 2048));
  return msh?.startsWith('MSH') === true ? firstComponent(mshField(msh, 15), msh.charAt(4) || '^').trim() : '';
}

/** Segments of HL7 bytes read as Latin-1: exact for the ASCII fields read here, whatever the charset. */
function segmentsOf(bytes: Uint8Array): string[] {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1').split(/\r\n|\r|\n/);
}

/** MSH-n of an MSH segment: MSH-1 is the separator itself, so after splitting MSH-n is at index n - 1. */
function mshField(msh: string, n: number): string {
  return msh.split(msh.charAt(3))[n - 1] ?? '';
}

function firstComponent(value: string, separator: string): string {
  return value.split(separator)[0] ?? '';
}

/** MSA-1 and encoding of an ACK. */
export interface AckInfo {
  /** `AA`, `AE`, `AR`, `CA`, `CE`, `CR`; `undefined` when the bytes hold no MSA. */
  code: string | undefined;
  charset: Hl7Charset;
}

/**
 * @example
 *   ackInfo(Buffer.from('MSH|^~\\&|...\rMSA|AA|CHEX-000101')) // { code: 'AA', charset: 'utf-8' }
 */
export function ackInfo(ack: Uint8Array): AckInfo {
  const segments = segmentsOf(ack);
  const msh = segments.find((s) => s.startsWith('MSH'));
  const separator = msh?.charAt(3) ?? '|';
  const msh18 = msh === undefined ? '' : firstComponent(mshField(msh, 18), msh.charAt(5) || '~');
  const msa = segments.find((s) => s.startsWith(`MSA${separator}`));
  const code = msa?.split(separator)[1];
  return { code: code === undefined || code === '' ? undefined : code, charset: charsetFromMsh18(msh18) ?? 'utf-8' };
}
