/**
 * Builds the acknowledgement of an inbound message: `ACK^<event>^ACK` with MSA and, for anything
 * but a clean accept, ERR segments (HL7 v2.5 ch. 2.14 and 2.15.8).
 *
 * Why not `Hl7Message.buildAck` from @medplum/core: it does not echo MSH-18, uses the clock in
 * milliseconds as MSH-10, writes no ERR-2/3/4/8, does not escape echoed values, and knows nothing
 * of enhanced mode. Everything here is pure: the clock and the ACK's own control id are injected.
 */
import { charsetFromMsh18, type Hl7Charset } from './charset.js';
import { HL7_ERROR, HL7_ERROR_TEXT, type Hl7ErrorCode } from './error-codes.js';
import { DEFAULT_DELIMITERS, escapeHl7, type Hl7Delimiters } from './escape.js';
import { SUPPORTED_VERSIONS, type HierarchicDesignator, type Hl7Header } from './parse.js';

/** What we tell the sender: accepted, accepted-but-not-processable, or refused. */
export type AckStatus = 'accept' | 'error' | 'reject';

/** MSA-1 codes: original mode (A*) and enhanced mode (C*). */
export type AckCode = 'AA' | 'AE' | 'AR' | 'CA' | 'CE' | 'CR';

/** One problem reported in an ERR segment. */
export interface AckError {
  /** HL7 table 0357 code (ERR-3). */
  code: Hl7ErrorCode;
  /** Human-readable reason (ERR-8, and MSA-3 for the first one). No personal data. */
  reason: string;
  /** Location such as `MSH-12`, `PID-3` or `PID-3.4.2` (ERR-2); a bare segment id is allowed. */
  field?: string;
  /** ERR-4: E (error, default), W (warning) or I (information). */
  severity?: 'E' | 'W' | 'I';
}

/** Input of {@link buildAck}. */
export interface AckOptions {
  status: AckStatus;
  /** The original message's header; absent when not even MSH could be read. */
  header?: Hl7Header | undefined;
  /** Problems to report; a non-accept without any gets a generic one. */
  errors?: readonly AckError[];
  /** Clock, for MSH-7. */
  now: Date;
  /** MSH-10 of the ACK itself (unique per ACK; at most 20 characters in v2.5). */
  controlId: string;
  /** Our own application/facility, used when the original's MSH-5/MSH-6 are empty. */
  self?: { application?: HierarchicDesignator; facility?: HierarchicDesignator };
}

/** The standard MSH-18 name of each charset an ACK may be written in. */
const MSH18_NAME: Record<Hl7Charset, string> = { 'utf-8': 'UNICODE UTF-8', 'iso-8859-1': '8859/1' };

/** An ACK ready to frame: encode `text` with {@link encodeHl7} in `charset`. */
export interface BuiltAck {
  text: string;
  charset: Hl7Charset;
  code: AckCode;
}

const CODES: Readonly<Record<'original' | 'enhanced', Record<AckStatus, AckCode>>> = {
  original: { accept: 'AA', error: 'AE', reject: 'AR' },
  enhanced: { accept: 'CA', error: 'CE', reject: 'CR' },
};

/** v2.5 conformance lengths: MSA-3 (ST 80) and ERR-8 (TX 250). */
const MSA3_MAX = 80;
const ERR8_MAX = 250;

const DEFAULT_SELF: HierarchicDesignator = { namespaceId: 'PASSERELLE', universalId: '', universalIdType: '' };

/**
 * Whether the sender asked for this commit ACK. Enhanced mode, by MSH-15: `AL` always, `NE`
 * never, `ER` on error or rejection only, `SU` on success only. Original mode (MSH-15 empty)
 * and any other value: always (answering is the safe default).
 * @example commitAckWanted('ER', 'CA') // false: an ER sender hears only of problems
 */
export function commitAckWanted(acceptAckType: string, code: string | undefined): boolean {
  switch (acceptAckType.toUpperCase()) {
    case 'NE':
      return false;
    case 'ER':
      return code !== 'CA';
    case 'SU':
      return code === 'CA';
    default:
      return true;
  }
}

/**
 * Builds an ACK. MSA-2 echoes MSH-10 (empty when unknown); MSH-3..6 are the original's swapped;
 * MSH-12 and MSH-18 are echoed (MSH-18 only when we can encode in it); enhanced mode (CA/CE/CR)
 * when the original set MSH-15.
 *
 * @example
 *   const ack = buildAck({ status: 'reject', header: parsed.header, now: new Date(), controlId: 'A1B2',
 *     errors: [{ code: 203, reason: 'HL7 version 2.7 is not supported', field: 'MSH-12' }] });
 *   socket.write(frame(encodeHl7(ack.text, ack.charset)));
 */
export function buildAck(options: AckOptions): BuiltAck {
  const { header, status } = options;
  const d = usableDelimiters(header?.delimiters);
  const esc = (value: string): string => escapeHl7(value, d);
  const mode = header !== undefined && header.acceptAckType !== '' ? 'enhanced' : 'original';
  const code = CODES[mode][status];
  const charset = header === undefined ? undefined : charsetFromMsh18(header.charset);
  const version = ackVersion(header, d);

  const errors = [...(options.errors ?? [])];
  if (status !== 'accept' && errors.length === 0) {
    errors.push({ code: HL7_ERROR.applicationInternalError, reason: status === 'reject' ? 'message rejected' : 'message not processed' });
  }

  const msh: string[] = [];
  msh[0] = 'MSH';
  msh[1] = d.component + d.repetition + d.escape + d.subcomponent; // MSH-2; MSH-n is at index n-1
  msh[2] = hd(header?.receivingApplication, options.self?.application ?? DEFAULT_SELF, d);
  msh[3] = hd(header?.receivingFacility, options.self?.facility, d);
  msh[4] = hd(header?.sendingApplication, undefined, d);
  msh[5] = hd(header?.sendingFacility, undefined, d);
  msh[6] = esc(formatUtc(options.now)); // `+` could be a delimiter
  msh[8] = messageType(header, d);
  msh[9] = esc(options.controlId);
  msh[10] = header !== undefined && /^[PTD]$/.test(header.processingId) ? header.processingId : 'P';
  msh[11] = version.join(d.component);
  if (mode === 'enhanced') {
    msh[14] = 'NE'; // an ACK is never acknowledged
    msh[15] = 'NE';
  }
  if (charset !== undefined && header !== undefined && header.charset !== '') {
    // The sender's spelling when it reads back as the same charset once escaped; else the
    // standard name (a control character inside MSH-18 would otherwise come back escaped, unreadable).
    const declared = esc(header.charset);
    msh[17] = charsetFromMsh18(declared) === charset ? declared : MSH18_NAME[charset];
  }

  const firstProblem = errors.find((e) => (e.severity ?? 'E') === 'E');
  const msa = ['MSA', code, esc(header?.controlId ?? '')];
  if (status !== 'accept' && firstProblem !== undefined) msa.push(esc(truncate(firstProblem.reason, MSA3_MAX)));

  const legacy = version[0] !== undefined && ['2.3', '2.3.1', '2.4'].includes(version[0]);
  const segments = [fill(msh).join(d.field), msa.join(d.field), ...errors.map((e) => errSegment(e, d, legacy))];
  return { text: segments.join('\r'), charset: charset ?? 'utf-8', code };
}

/** ERR-1 (before v2.5 only), ERR-2 location, ERR-3 code, ERR-4 severity, ERR-8 user message. */
function errSegment(error: AckError, d: Hl7Delimiters, legacy: boolean): string {
  const location = parseLocation(error.field);
  const codeText = [String(error.code), HL7_ERROR_TEXT[error.code] ?? '', 'HL70357'];
  const fields: string[] = ['ERR'];
  if (legacy) {
    // ELD: segment id ^ sequence ^ field position ^ code (CE, as sub-components).
    fields[1] = trimEnd([location?.segment ?? '', location ? '1' : '', location?.field ?? '', codeText.join(d.subcomponent)]).join(d.component);
  }
  fields[2] = location
    ? trimEnd([location.segment, '1', location.field ?? '', location.component ? '1' : '', location.component ?? '', location.subcomponent ?? '']).join(d.component)
    : '';
  fields[3] = codeText.join(d.component);
  fields[4] = error.severity ?? 'E';
  fields[8] = escapeHl7(truncate(error.reason, ERR8_MAX), d);
  return fill(fields).join(d.field);
}

interface Location {
  segment: string;
  field?: string;
  component?: string;
  subcomponent?: string;
}

function parseLocation(field: string | undefined): Location | undefined {
  const match = /^([A-Z][A-Z0-9]{2})(?:-(\d+)(?:\.(\d+)(?:\.(\d+))?)?)?$/.exec(field ?? '');
  if (!match?.[1]) return undefined;
  return { segment: match[1], field: match[2], component: match[3], subcomponent: match[4] };
}

/** MSH-9 of the ACK: mirrors the original's shape (`ACK^A01^ACK` from v2.3.1, `ACK^A01` before). */
function messageType(header: Hl7Header | undefined, d: Hl7Delimiters): string {
  if (header === undefined || !/^[A-Z0-9]{3}$/.test(header.triggerEvent)) return 'ACK';
  const event = header.triggerEvent;
  const withStructure = header.messageStructure !== '' || header.version !== '2.3';
  return ['ACK', event, ...(withStructure ? ['ACK'] : [])].join(d.component);
}

/**
 * The sender's delimiters, unless they would break the values every ACK holds (a `.` field
 * separator splits the version `2.5`, a digit or `+` splits timestamps): then the standard ones.
 */
function usableDelimiters(d: Hl7Delimiters | undefined): Hl7Delimiters {
  if (d === undefined) return DEFAULT_DELIMITERS;
  const all = [d.field, d.component, d.repetition, d.escape, d.subcomponent];
  const distinct = new Set(all).size === all.length;
  return distinct && all.every((c) => c.length === 1 && !/[A-Za-z0-9.+\- ]/.test(c)) ? d : DEFAULT_DELIMITERS;
}

/** MSH-12 components: the original's version when it looks like one, else 2.5. */
function ackVersion(header: Hl7Header | undefined, d: Hl7Delimiters): string[] {
  if (header === undefined || !/^2\.\d(\.\d)?$/.test(header.version)) return ['2.5'];
  if (!SUPPORTED_VERSIONS.includes(header.version)) return [header.version];
  return trimEnd([header.version, escapeHl7(header.internationalizationCode, d), escapeHl7(header.internationalVersionId, d)]);
}

function hd(value: HierarchicDesignator | undefined, fallback: HierarchicDesignator | undefined, d: Hl7Delimiters): string {
  const chosen = value !== undefined && (value.namespaceId !== '' || value.universalId !== '') ? value : fallback;
  if (chosen === undefined) return '';
  return trimEnd([chosen.namespaceId, chosen.universalId, chosen.universalIdType].map((v) => escapeHl7(v, d))).join(d.component);
}

/** HL7 DTM in UTC with an explicit offset, so the receiver never has to guess the time zone. */
function formatUtc(now: Date): string {
  const valid = Number.isNaN(now.getTime()) ? new Date(0) : now;
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return (
    pad(valid.getUTCFullYear(), 4) +
    pad(valid.getUTCMonth() + 1) +
    pad(valid.getUTCDate()) +
    pad(valid.getUTCHours()) +
    pad(valid.getUTCMinutes()) +
    pad(valid.getUTCSeconds()) +
    '+0000'
  );
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 3);
  return `${/[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut}...`; // never split a surrogate pair
}

function trimEnd(values: string[]): string[] {
  let end = values.length;
  while (end > 0 && values[end - 1] === '') end--;
  return values.slice(0, end);
}

/** Sparse arrays → empty strings, so `join` leaves empty fields between set ones. */
function fill(values: string[]): string[] {
  return Array.from({ length: values.length }, (_, i) => values[i] ?? '');
}
