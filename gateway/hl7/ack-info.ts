/**
 * Reads back what the HTTP answer needs from an encoded ACK: MSA-1 (for `X-Hl7-Ack-Code`) and the
 * charset it is encoded in (for `Content-Type`). Works on any ACK we send, fresh or stored: both
 * fields are ASCII, so reading the bytes as Latin-1 is exact whatever the ACK's encoding.
 */
import { charsetFromMsh18, type Hl7Charset } from '../../mappings/hl7/charset.js';

/**
 * MSH-15 (accept acknowledgment type) of a message, first component, read from its bytes
 * without parsing the rest ('' when absent or unreadable): the MLLP listener's only question.
 */
export function peekAcceptAckType(message: Uint8Array): string {
  const text = Buffer.from(message.buffer, message.byteOffset, Math.min(message.byteLength, 2048)).toString('latin1');
  if (!text.startsWith('MSH')) return '';
  const msh = text.split(/\r|\n/)[0] ?? '';
  // MSH-1 is the separator itself: after splitting, MSH-n is at index n - 1.
  return msh.split(msh.charAt(3))[14]?.split(msh.charAt(4) || '^')[0]?.trim() ?? '';
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
  const text = Buffer.from(ack.buffer, ack.byteOffset, ack.byteLength).toString('latin1');
  const segments = text.split(/\r\n|\r|\n/);
  const msh = segments.find((s) => s.startsWith('MSH'));
  const separator = msh?.charAt(3) ?? '|';
  // MSH-1 is the separator itself: after splitting, MSH-n is at index n - 1.
  const msh18 = msh?.split(separator)[17]?.split(msh.charAt(5) || '~')[0] ?? '';
  const msa = segments.find((s) => s.startsWith(`MSA${separator}`));
  const code = msa?.split(separator)[1];
  return { code: code === undefined || code === '' ? undefined : code, charset: charsetFromMsh18(msh18) ?? 'utf-8' };
}
