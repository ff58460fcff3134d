/**
 * The pure half of receiving an ADT message: bytes → decoded, parsed, extracted, and the verdict
 * SPEC §3 asks for. The caller (MLLP or HTTP handler) stores the raw message with this verdict,
 * queues accepted ones, and only then answers with {@link buildAck}:
 *
 * - `reject` (AR/CR): cannot be decoded or parsed, or unsupported message type / event;
 * - `error` (AE/CE): parses but cannot be processed (no patient key the mapper can use, no stay
 *   number…);
 * - `accept`: to be answered AA/CA once durably stored and queued.
 */
import { classifyPatientIdentifiers, hasPatientKey } from '../adt/index.js';
import { buildAck, type AckError, type AckStatus } from './ack.js';
import { extractAdt, type AdtOptions } from './adt.js';
import type { AdtExtraction } from './adt-types.js';
import type { Hl7Charset } from './charset.js';
import { decodeHl7 } from './decode.js';
import { encodeHl7 } from './encode.js';
import { HL7_ERROR } from './error-codes.js';
import { parseHl7, type Hl7Header, type ParsedHl7 } from './parse.js';

/** Everything known about one inbound message. */
export interface Assessment {
  status: AckStatus;
  /** Why it is not accepted (empty for `accept`). Reasons carry no personal data. */
  errors: AckError[];
  /** Decoded text (Latin-1, byte for byte, when the declared charset was unusable). */
  text: string;
  charset: Hl7Charset;
  /** Non-blocking remarks (e.g. a charset guessed), worth storing with the message. */
  warnings: string[];
  header?: Hl7Header;
  parsed?: ParsedHl7;
  adt?: AdtExtraction;
}

/** Events that open, close or cancel a stay: they need PV1-19 to identify the Encounter. */
const NEEDS_VISIT_NUMBER = new Set(['A01', 'A03', 'A04', 'A11', 'A13']);

/**
 * Decodes, parses and extracts one message, and says how it must be acknowledged.
 *
 * @example
 *   const a = assessHl7(frame);
 *   await store(frame, a); // raw bytes, verdict, errors
 *   return encodeHl7(buildAck({ status: a.status, header: a.header, errors: a.errors, now, controlId }).text, a.charset);
 */
export function assessHl7(bytes: Uint8Array, options: AdtOptions = {}): Assessment {
  const decoded = decodeHl7(bytes);
  if (!decoded.ok) {
    const { header } = parseHl7(decoded.text, { charset: 'iso-8859-1' });
    const code = decoded.reason.startsWith('unsupported') ? HL7_ERROR.tableValueNotFound : HL7_ERROR.dataTypeError;
    return withHeader({ status: 'reject', errors: [{ code, reason: decoded.reason, field: 'MSH-18' }], text: decoded.text, charset: 'utf-8', warnings: [] }, header);
  }
  const base = { text: decoded.text, charset: decoded.charset, warnings: decoded.warnings };
  const parsed = parseHl7(decoded.text, { charset: decoded.charset });
  if (!parsed.ok) {
    return withHeader({ ...base, status: 'reject', errors: [compactError(parsed.code, parsed.reason, parsed.field)] }, parsed.header);
  }
  const adt = extractAdt(parsed, options);
  const { event } = adt;
  const verdict = (status: AckStatus, errors: AckError[]): Assessment => ({ ...base, status, errors, header: parsed.header, parsed, adt });

  if (parsed.header.messageType !== 'ADT') {
    return verdict('reject', [{ code: HL7_ERROR.unsupportedMessageType, reason: `message type ${parsed.header.messageType} is not supported (ADT only)`, field: 'MSH-9' }]);
  }
  if (!event.supported) {
    const reason = event.trigger === '' ? 'trigger event is missing' : `event ${event.trigger} is not supported (A01, A03, A04, A08, A11, A13, A40)`;
    return verdict('reject', [{ code: HL7_ERROR.unsupportedEventCode, reason, field: 'MSH-9.2' }]);
  }
  const errors: AckError[] = [];
  if (event.patient === undefined) errors.push({ code: HL7_ERROR.segmentSequenceError, reason: 'PID segment is missing', field: 'PID' });
  else if (!hasPatientKey(event.patient)) {
    // The mapper's own keying rule: anything less would be answered AA and never written.
    errors.push({ code: HL7_ERROR.requiredFieldMissing, reason: 'no usable patient identifier in PID-3 (no IPP, no INS of a qualified identity with a valid key)', field: 'PID-3' });
  }
  if (NEEDS_VISIT_NUMBER.has(event.trigger)) {
    if (event.visit === undefined) errors.push({ code: HL7_ERROR.segmentSequenceError, reason: 'PV1 segment is missing', field: 'PV1' });
    else if (event.visit.visitNumber === undefined) {
      errors.push({ code: HL7_ERROR.requiredFieldMissing, reason: 'no visit number in PV1-19', field: 'PV1-19' });
    }
  }
  if (event.trigger === 'A40') {
    if (parsed.message.getSegment('MRG') === undefined) errors.push({ code: HL7_ERROR.segmentSequenceError, reason: 'MRG segment is missing', field: 'MRG' });
    else if (event.merges.every((m) => classifyPatientIdentifiers(m.priorIdentifiers, []).ipps.length === 0)) {
      // A merge finds the prior Patient by its IPP only (never by INS: mappings/adt/events/a40.ts).
      errors.push({ code: HL7_ERROR.requiredFieldMissing, reason: 'no prior IPP in MRG-1', field: 'MRG-1' });
    }
  }
  return verdict(errors.length === 0 ? 'accept' : 'error', errors);
}

/**
 * The answer when the handler could not do its job (it threw, timed out, or storage failed), or
 * when the transport refuses the message (too large): the message's own rejection if it has one,
 * else `AE`/`CE` (or `AR`/`CR` with `status: 'reject'`) code 207 with `reason`. Encoded in the
 * message's charset, ready to frame. Reads only what it must, so a truncated message still works.
 *
 * @example
 *   socket.write(frameMllp(failureAck(frame, { reason: 'storage unavailable', now: new Date(), controlId })));
 */
export function failureAck(
  bytes: Uint8Array,
  options: { reason: string; now: Date; controlId: string; status?: 'error' | 'reject' },
): Buffer {
  const a = assessHl7(bytes);
  const ownRejection = a.status === 'reject' && options.status !== 'reject';
  const status: AckStatus = ownRejection ? 'reject' : (options.status ?? 'error');
  const errors = ownRejection ? a.errors : [{ code: HL7_ERROR.applicationInternalError, reason: options.reason }];
  const ack = buildAck({ status, header: a.header, errors, now: options.now, controlId: options.controlId });
  return encodeHl7(ack.text, ack.charset);
}

function withHeader(a: Assessment, header: Hl7Header | undefined): Assessment {
  return header === undefined ? a : { ...a, header };
}

function compactError(code: AckError['code'], reason: string, field: string | undefined): AckError {
  return field === undefined ? { code, reason } : { code, reason, field };
}
