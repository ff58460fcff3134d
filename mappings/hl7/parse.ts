/**
 * Text → parsed HL7 v2 message plus a typed MSH header, or a reason it cannot be accepted.
 * Pure and total: whatever the input, it returns (the fuzz tests in `parse.test.ts` hold it to it).
 *
 * Parsing itself is `Hl7Message.parse` from @medplum/core; this module adds what it lacks:
 * separator normalisation, validation of MSH (first segment, delimiters, MSH-9, MSH-10, version),
 * decoded header values, and a best-effort header even for a rejected message, so its ACK can
 * still echo MSH-10.
 */
import { Hl7Message, type Hl7Segment } from '@medplum/core';
import { charsetFromMsh18, type Hl7Charset } from './charset.js';
import { HL7_ERROR, type Hl7ErrorCode } from './error-codes.js';
import { DEFAULT_DELIMITERS, type Hl7Delimiters } from './escape.js';
import { FieldReader } from './fields.js';

/** HL7 data type HD (hierarchic designator): a namespace and/or an OID. */
export interface HierarchicDesignator {
  namespaceId: string;
  universalId: string;
  universalIdType: string;
}

/** The MSH segment, values decoded. Absent fields are `''`. */
export interface Hl7Header {
  delimiters: Hl7Delimiters;
  sendingApplication: HierarchicDesignator;
  sendingFacility: HierarchicDesignator;
  receivingApplication: HierarchicDesignator;
  receivingFacility: HierarchicDesignator;
  /** MSH-7 as sent (HL7 DTM); `adt.ts` turns it into an instant. */
  dateTime: string;
  /** MSH-9.1, e.g. `ADT`. */
  messageType: string;
  /** MSH-9.2, e.g. `A01`. */
  triggerEvent: string;
  /** MSH-9.3, e.g. `ADT_A01`. */
  messageStructure: string;
  /** MSH-10. */
  controlId: string;
  /** MSH-11.1: P, T or D. */
  processingId: string;
  /** MSH-12.1, e.g. `2.5`. */
  version: string;
  /** MSH-12.2 and MSH-12.3 (PAM France sends `2.5^FRA^2.11`). */
  internationalizationCode: string;
  internationalVersionId: string;
  /** MSH-15; when set, the sender wants enhanced-mode (commit) acknowledgements. */
  acceptAckType: string;
  /** MSH-16. */
  applicationAckType: string;
  /** MSH-17. */
  countryCode: string;
  /** MSH-18, first repetition. */
  charset: string;
  /** MSH-19.1. */
  principalLanguage: string;
}

/** Versions we accept (SPEC §3): 2.3 to 2.5.1. */
export const SUPPORTED_VERSIONS: readonly string[] = ['2.3', '2.3.1', '2.4', '2.5', '2.5.1'];

/** A message that parsed and whose MSH is usable. */
export interface ParsedHl7 {
  ok: true;
  message: Hl7Message;
  header: Hl7Header;
  /** Reads decoded values from the message's segments. */
  reader: FieldReader;
}

/** A message we cannot accept, with what the ACK needs to say so. */
export interface RejectedHl7 {
  ok: false;
  reason: string;
  /** Table 0357 code for ERR-3. */
  code: Hl7ErrorCode;
  /** Location such as `MSH-12`, for ERR-2. */
  field?: string;
  /** Whatever of MSH could be read, to address the ACK; absent when there is no MSH at all. */
  header?: Hl7Header;
}

export type ParseResult = ParsedHl7 | RejectedHl7;

/** Options of {@link parseHl7}. */
export interface ParseOptions {
  /** How the text was decoded; defaults to what MSH-18 declares. Used for `\Xhh\` sequences. */
  charset?: Hl7Charset;
}

/**
 * Parses one message. Accepts `\r`, `\n` or `\r\n` segment separators, a leading BOM or blank
 * lines, and a trailing separator.
 *
 * @example
 *   const parsed = parseHl7(decoded.text, { charset: decoded.charset });
 *   if (!parsed.ok) {
 *     const error = { code: parsed.code, reason: parsed.reason, field: parsed.field };
 *     return buildAck({ status: 'reject', header: parsed.header, errors: [error], now, controlId });
 *   }
 */
export function parseHl7(text: string, options: ParseOptions = {}): ParseResult {
  try {
    return parseUnsafe(text, options);
  } catch (err) {
    // Belt and braces: nothing below is expected to throw, but an HL7 listener must answer.
    return {
      ok: false,
      reason: `message could not be parsed (${err instanceof Error ? err.name : 'error'})`,
      code: HL7_ERROR.applicationInternalError,
    };
  }
}

function parseUnsafe(input: string, options: ParseOptions): ParseResult {
  if (typeof input !== 'string') return { ok: false, reason: 'message is not text', code: HL7_ERROR.dataTypeError };
  const text = normalise(input);
  if (!text.startsWith('MSH')) {
    const mshLater = /(^|\r)MSH/.test(text);
    return {
      ok: false,
      reason: mshLater ? 'MSH must be the first segment' : text === '' ? 'empty message' : 'no MSH segment',
      code: HL7_ERROR.segmentSequenceError,
      field: 'MSH',
    };
  }
  const delimiters = readDelimiters(text);
  if (typeof delimiters === 'string') {
    return { ok: false, reason: delimiters, code: HL7_ERROR.dataTypeError, field: 'MSH-2', header: lenientHeader(text, options) };
  }
  const message = Hl7Message.parse(text);
  const msh = message.header;
  // `\Xhh\` sequences are bytes in the message's charset: learn it before decoding any value.
  const declared = new FieldReader(delimiters, 'utf-8').value(msh, 18);
  const reader = new FieldReader(delimiters, options.charset ?? charsetFromMsh18(declared) ?? 'utf-8');
  const header = readHeader(msh, reader, delimiters);

  const reject = (reason: string, code: Hl7ErrorCode, field: string): RejectedHl7 => ({ ok: false, reason, code, field, header });
  if (header.messageType === '') return reject('MSH-9 (message type) is missing', HL7_ERROR.requiredFieldMissing, 'MSH-9');
  if (header.controlId === '') return reject('MSH-10 (message control id) is missing', HL7_ERROR.requiredFieldMissing, 'MSH-10');
  if (header.version === '') return reject('MSH-12 (version id) is missing', HL7_ERROR.requiredFieldMissing, 'MSH-12');
  if (!SUPPORTED_VERSIONS.includes(header.version)) {
    return reject(
      `HL7 version ${header.version.slice(0, 12)} is not supported (supported: ${SUPPORTED_VERSIONS.join(', ')})`,
      HL7_ERROR.unsupportedVersionId,
      'MSH-12',
    );
  }
  // One message per frame (MLLP) or body (HTTP): a second MSH would have its PID or MRG read
  // into the first message (an A40 takes every PID/MRG pair).
  const second = message.segments.findIndex((segment, index) => index > 0 && segment.name === 'MSH');
  if (second > 0) return reject(`a second MSH segment (segment ${second + 1}): one message per frame`, HL7_ERROR.segmentSequenceError, 'MSH');
  return { ok: true, message, header, reader };
}

/** One `\r` between segments, no BOM, no blank lines, no leading or trailing separators. */
function normalise(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n|\n/g, '\r')
    .split('\r')
    .filter((line) => line.trim() !== '')
    .join('\r');
}

/** The delimiters of MSH-1/MSH-2, or why they are unusable. */
function readDelimiters(text: string): Hl7Delimiters | string {
  const field = text.charAt(3);
  const end = text.indexOf(field, 4);
  const encoding = end < 0 ? text.slice(4) : text.slice(4, end);
  if (!isDelimiterChar(field)) return 'MSH-1 (field separator) is missing or not a valid separator';
  // Four characters up to v2.6; v2.7 adds a fifth (truncation), tolerated and ignored.
  if (end < 0 || encoding.length < 4 || encoding.length > 5) return 'MSH-2 must hold the 4 encoding characters (e.g. ^~\\&)';
  const [component = '', repetition = '', escape = '', subcomponent = ''] = [...encoding];
  const all = [field, component, repetition, escape, subcomponent];
  if (!all.every(isDelimiterChar) || new Set(all).size !== all.length) {
    return 'MSH-2 encoding characters must be distinct punctuation characters (e.g. ^~\\&)';
  }
  return { field, component, repetition, escape, subcomponent };
}

function isDelimiterChar(char: string): boolean {
  return char.length === 1 && /^[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]$/.test(char);
}

function readHeader(msh: Hl7Segment, r: FieldReader, delimiters: Hl7Delimiters): Hl7Header {
  const hd = (field: number): HierarchicDesignator => ({
    namespaceId: r.value(msh, field, 1),
    universalId: r.value(msh, field, 2),
    universalIdType: r.value(msh, field, 3),
  });
  return {
    delimiters,
    sendingApplication: hd(3),
    sendingFacility: hd(4),
    receivingApplication: hd(5),
    receivingFacility: hd(6),
    dateTime: r.value(msh, 7).trim(),
    messageType: r.value(msh, 9, 1).trim(),
    triggerEvent: r.value(msh, 9, 2).trim(),
    messageStructure: r.value(msh, 9, 3).trim(),
    controlId: r.value(msh, 10).trim(),
    processingId: r.value(msh, 11).trim(),
    version: r.value(msh, 12).trim(),
    internationalizationCode: r.value(msh, 12, 2),
    internationalVersionId: r.value(msh, 12, 3),
    acceptAckType: r.value(msh, 15).trim(),
    applicationAckType: r.value(msh, 16).trim(),
    countryCode: r.value(msh, 17).trim(),
    charset: r.value(msh, 18).trim(),
    principalLanguage: r.value(msh, 19).trim(),
  };
}

/**
 * Best-effort header when MSH-2 is unusable: the fields are split on MSH-1 alone (or `|`), with
 * the standard encoding characters, so MSH-10 can still be echoed.
 */
function lenientHeader(text: string, options: ParseOptions): Hl7Header | undefined {
  const first = text.split('\r')[0] ?? '';
  const field = isDelimiterChar(first.charAt(3)) ? first.charAt(3) : DEFAULT_DELIMITERS.field;
  const others = [DEFAULT_DELIMITERS.component, DEFAULT_DELIMITERS.repetition, DEFAULT_DELIMITERS.escape, DEFAULT_DELIMITERS.subcomponent];
  if (others.includes(field)) return undefined;
  const fields = first.split(field);
  // Rebuild an MSH with standard encoding characters around the original fields 3..n.
  const rebuilt = ['MSH', others.join(''), ...fields.slice(2)].join(field);
  const delimiters = { ...DEFAULT_DELIMITERS, field };
  const msh = Hl7Message.parse(rebuilt).header;
  return readHeader(msh, new FieldReader(delimiters, options.charset ?? 'utf-8'), delimiters);
}
