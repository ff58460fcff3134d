/**
 * Headers of a raw message answer: the bytes exactly as received, labelled with their content type
 * and charset (so an ISO-8859-1 message reads right), and never rendered by a browser — the content
 * type was chosen by the sender, and a `text/html` "message" must not run script on our origin.
 */
import type { MessageRecord } from '../../../workers/message-log/index.js';

/** HL7 v2 MSH-18 character sets (table 0211) → IANA names for the `charset` parameter. */
const HL7_CHARSETS: Readonly<Record<string, string>> = {
  ASCII: 'US-ASCII',
  '8859/1': 'ISO-8859-1',
  '8859/15': 'ISO-8859-15',
  'UNICODE UTF-8': 'UTF-8',
  'UNICODE UTF-16': 'UTF-16',
};

const TOKEN = /^[A-Za-z0-9!#$&^_.+-]+$/;
const MEDIA_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+$/;

/** IANA charset name for a stored charset (HTTP `charset` or MSH-18), or undefined when unusable. */
export function ianaCharset(charset: string | undefined): string | undefined {
  if (!charset) return undefined;
  const trimmed = charset.trim();
  const mapped = HL7_CHARSETS[trimmed.toUpperCase()];
  if (mapped) return mapped;
  return TOKEN.test(trimmed) ? trimmed : undefined;
}

/** `Content-Type` for stored bytes: the stored media type (parameters dropped) and the charset. */
export function rawContentType(contentType: string | undefined, charset: string | undefined): string {
  const base = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  const mediaType = base && MEDIA_TYPE.test(base) ? base : 'application/octet-stream';
  const iana = ianaCharset(charset);
  return iana ? `${mediaType}; charset=${iana}` : mediaType;
}

/** Every header of the raw answer. */
export function rawPayloadHeaders(record: Pick<MessageRecord, 'id' | 'contentType' | 'charset' | 'payloadSha256' | 'channel'>): Record<string, string> {
  const extension = record.channel === 'fhir-message' ? 'json' : 'hl7';
  return {
    'content-type': rawContentType(record.contentType, record.charset),
    'content-disposition': `attachment; filename="${record.id}.${extension}"`,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'cache-control': 'no-store',
    // RFC 9530: lets the caller check it got the stored bytes, byte for byte.
    'repr-digest': `sha-256=:${Buffer.from(record.payloadSha256, 'hex').toString('base64')}:`,
  };
}
