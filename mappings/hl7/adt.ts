/**
 * Reads what the FHIR mapping needs from a parsed ADT message (PAM France flavour): event,
 * patient (PID), general practitioner (PD1/ROL), stay (PV1), movement (ZBE), PMSI modes (ZFM)
 * and merges (MRG). Pure and total: it returns what it could read and an issue for everything it
 * could not, and never throws (fuzzed in `adt.test.ts`).
 */
import type { Hl7Segment } from '@medplum/core';
import {
  SUPPORTED_ADT_EVENTS,
  type AdtEvent,
  type AdtExtraction,
  type AdtMerge,
  type AdtMovement,
  type AdtPatient,
  type AdtPmsiModes,
  type AdtVisit,
  type Hl7Identifier,
  type Hl7Person,
} from './adt-types.js';
import { compact, readCx, readEi, readPlFacility, readXad, readXcn, readXpn, readXtn, repetitionsOf, type At } from './datatypes.js';
import { hl7ToFhirDate, hl7ToFhirDateTime, resolveTimeContext, type TimeContext } from './datetime.js';
import type { FieldReader } from './fields.js';
import type { ParsedHl7 } from './parse.js';

/** Options of {@link extractAdt}. */
export interface AdtOptions {
  /** IANA zone of the sender, for date-times without offset (default `Europe/Paris`). */
  timeZone?: string;
}

/** Segments this module reads. */
const READ = new Set(['MSH', 'EVN', 'PID', 'PD1', 'ROL', 'PV1', 'ZBE', 'ZFM', 'MRG']);
/** Standard or PAM France segments we recognise but do not map (yet). */
const NOT_MAPPED = new Set([
  'SFT', 'NK1', 'PV2', 'DB1', 'OBX', 'AL1', 'DG1', 'DRG', 'PR1', 'GT1', 'IN1', 'IN2', 'IN3', 'ACC', 'UB1', 'UB2',
  'PDA', 'NTE', 'ZFA', 'ZFD', 'ZFP', 'ZFS', 'ZFV', 'ZPA',
]);
/** ROL-3 codes that name the GP: ODRP (médecin traitant, PAM France), FHCP, PP (table 0443). */
const GP_ROLES = new Set(['ODRP', 'FHCP', 'PP']);
const MOVEMENT_ACTIONS = ['INSERT', 'UPDATE', 'CANCEL'] as const;

/**
 * Extracts an ADT event.
 *
 * @example
 *   const parsed = parseHl7(text);
 *   if (parsed.ok) {
 *     const { event, issues } = extractAdt(parsed);
 *     if (!event.supported) ...; // AR 201
 *   }
 */
export function extractAdt(parsed: ParsedHl7, options: AdtOptions = {}): AdtExtraction {
  const issues: string[] = [];
  try {
    return { event: extract(parsed, options, issues), issues };
  } catch (err) {
    // Nothing below should throw; if it does, the message is still answered, with a trace of why.
    issues.push(`extraction stopped: ${err instanceof Error ? err.name : 'error'}`);
    return { event: emptyEvent(parsed), issues };
  }
}

function emptyEvent(parsed: ParsedHl7): AdtEvent {
  const h = parsed.header;
  return {
    trigger: h.triggerEvent,
    supported: false,
    messageType: h.messageType,
    controlId: h.controlId,
    sendingApplication: h.sendingApplication,
    sendingFacility: h.sendingFacility,
    generalPractitioners: [],
    merges: [],
  };
}

/** Accumulates issues with their location, and converts values. */
class Ctx {
  constructor(
    readonly r: FieldReader,
    readonly time: TimeContext,
    readonly issues: string[],
  ) {}

  dateTime(segment: Hl7Segment | undefined, field: number, location: string): string | undefined {
    const raw = this.r.value(segment, field).trim();
    if (raw === '') return undefined;
    const result = hl7ToFhirDateTime(raw, this.time);
    if (result.ok) return result.value;
    this.issues.push(`${location}: ${result.reason}`);
    return undefined;
  }

  text(segment: Hl7Segment | undefined, field: number, component = 1): string | undefined {
    const value = this.r.value(segment, field, component).trim();
    return value === '' ? undefined : value;
  }
}

function extract(parsed: ParsedHl7, options: AdtOptions, issues: string[]): AdtEvent {
  const { message, header, reader: r } = parsed;
  const resolved = resolveTimeContext(header.dateTime, options.timeZone ?? 'Europe/Paris');
  if (resolved.note !== undefined) issues.push(resolved.note);
  const c = new Ctx(r, resolved.context, issues);
  const msh = message.header;
  const evn = message.getSegment('EVN');

  const trigger = header.triggerEvent !== '' ? header.triggerEvent : (c.text(evn, 1) ?? '');
  if (header.triggerEvent === '') issues.push(trigger === '' ? 'MSH-9.2: trigger event missing' : 'MSH-9.2: trigger event missing, EVN-1 used');
  const evn1 = c.text(evn, 1);
  if (evn1 !== undefined && header.triggerEvent !== '' && evn1 !== header.triggerEvent) {
    issues.push(`EVN-1 (${evn1}) differs from MSH-9.2 (${header.triggerEvent}): MSH-9.2 used`);
  }
  const supported = header.messageType === 'ADT' && (SUPPORTED_ADT_EVENTS as readonly string[]).includes(trigger);
  if (header.messageType !== 'ADT') issues.push(`MSH-9.1: message type ${header.messageType} is not ADT`);
  else if (!supported) issues.push(`MSH-9.2: event ${trigger === '' ? '(none)' : trigger} is not supported`);
  if (header.dateTime === '') issues.push('MSH-7: message date/time missing');
  if (evn === undefined) issues.push('EVN: segment missing');

  reportSegments(message.segments, issues);

  const pids = message.getAllSegments('PID');
  const pid = pids[0];
  if (pid === undefined) issues.push('PID: segment missing');

  // Read in segment order, so issues come out in the order of the message.
  const messageDateTime = c.dateTime(msh, 7, 'MSH-7');
  const recordedDateTime = c.dateTime(evn, 2, 'EVN-2');
  const plannedDateTime = c.dateTime(evn, 3, 'EVN-3');
  const occurredDateTime = c.dateTime(evn, 6, 'EVN-6');
  const patient = pid === undefined ? undefined : readPatient(c, pid, 'PID');
  const generalPractitioners = readGeneralPractitioners(c, message.getSegment('PD1'), message.getAllSegments('ROL'));
  const pv1 = message.getSegment('PV1');
  const visit = pv1 === undefined ? undefined : readVisit(c, pv1);
  const zbe = message.getSegment('ZBE');
  const movement = zbe === undefined ? undefined : readMovement(c, zbe);
  const zfm = message.getSegment('ZFM');
  const pmsi = zfm === undefined ? undefined : readPmsi(c, zfm);
  const merges = trigger === 'A40' ? readMerges(c, message.segments) : [];

  const optional = compact({
    messageStructure: header.messageStructure,
    messageDateTime,
    recordedDateTime,
    plannedDateTime,
    eventReason: c.text(evn, 4),
    occurredDateTime,
    patient,
    visit,
    movement,
    pmsi,
  });
  return {
    trigger, // may be '': kept, unlike the optional values
    supported,
    messageType: header.messageType,
    controlId: header.controlId,
    sendingApplication: header.sendingApplication,
    sendingFacility: header.sendingFacility,
    ...optional,
    generalPractitioners,
    merges,
  };
}

/** Reports segments we do not read, once per name, and malformed segment ids. */
function reportSegments(segments: readonly Hl7Segment[], issues: string[]): void {
  const counts = new Map<string, number>();
  for (const segment of segments) {
    if (READ.has(segment.name)) continue;
    counts.set(segment.name, (counts.get(segment.name) ?? 0) + 1);
  }
  for (const [name, count] of counts) {
    const times = count > 1 ? ` (×${count})` : '';
    if (NOT_MAPPED.has(name)) issues.push(`${name}: segment not mapped${times}`);
    else if (/^[A-Z][A-Z0-9]{2}$/.test(name)) issues.push(`${name}: segment not understood${times}`);
    else issues.push(`invalid segment id "${name.slice(0, 3).replace(/[^\x20-\x7e]/g, '?')}"${times}: line ignored`);
  }
}

function readPatient(c: Ctx, pid: Hl7Segment, label: string): AdtPatient {
  const { r, issues } = c;
  const identifiers = collect(repetitionsOf(r, pid, 3), (at) => readCx(r, at), `${label}-3`, issues);
  if (identifiers.length === 0) issues.push(`${label}-3: no patient identifier`);
  for (const id of identifiers) {
    if (id.assigningAuthority === undefined) issues.push(`${label}-3: identifier of type ${id.typeCode ?? '(none)'} has no assigning authority`);
  }
  const names = collect(repetitionsOf(r, pid, 5), (at) => readXpn(r, at), `${label}-5`, issues);
  const birth = r.value(pid, 7).trim();
  let birthDate: string | undefined;
  if (birth !== '') {
    const result = hl7ToFhirDate(birth);
    if (result.ok) birthDate = result.value;
    else issues.push(`${label}-7: ${result.reason}`);
  }
  const reliability = repetitionsOf(r, pid, 32)
    .map((at) => r.value(pid, 32, 1, undefined, at.repetition).trim())
    .filter((v) => v !== '');
  return compact<AdtPatient>({
    identifiers,
    names,
    birthDate,
    sex: c.text(pid, 8),
    addresses: collect(repetitionsOf(r, pid, 11), (at) => readXad(r, at), `${label}-11`, issues),
    telecoms: [
      ...collect(repetitionsOf(r, pid, 13), (at) => readXtn(r, at), `${label}-13`, issues),
      ...collect(repetitionsOf(r, pid, 14), (at) => readXtn(r, at), `${label}-14`, issues),
    ],
    deathDateTime: c.dateTime(pid, 29, `${label}-29`),
    deathIndicator: c.text(pid, 30),
    identityReliability: reliability,
  });
}

/** Reads every repetition; a non-empty repetition that yields nothing is an issue. */
function collect<T>(positions: At[], read: (at: At) => T | undefined, location: string, issues: string[]): T[] {
  const out: T[] = [];
  for (const at of positions) {
    const value = read(at);
    if (value !== undefined) out.push(value);
    else if (at.segment?.getField(at.field)?.components[at.repetition]?.some((part) => part !== '') === true) {
      issues.push(`${location} repetition ${at.repetition + 1}: could not be read`);
    }
  }
  return out;
}

function readGeneralPractitioners(c: Ctx, pd1: Hl7Segment | undefined, rols: Hl7Segment[]): Hl7Person[] {
  const { r, issues } = c;
  const out = collect(repetitionsOf(r, pd1, 4), (at) => readXcn(r, at), 'PD1-4', issues);
  for (const rol of rols) {
    const role = r.value(rol, 3).trim();
    if (!GP_ROLES.has(role)) {
      issues.push(`ROL: role ${role === '' ? '(none)' : role} not mapped`);
      continue;
    }
    if (r.value(rol, 2).trim() === 'DE') continue; // ROL-2 DE: the role is being deleted
    for (const person of collect(repetitionsOf(r, rol, 4), (at) => readXcn(r, at), 'ROL-4', issues)) {
      const key = person.identifier?.value;
      if (key === undefined || !out.some((p) => p.identifier?.value === key)) out.push(person);
    }
  }
  return out;
}

function readVisit(c: Ctx, pv1: Hl7Segment): AdtVisit {
  const { r, issues } = c;
  const visitNumbers = collect(repetitionsOf(r, pv1, 19), (at) => readCx(r, at), 'PV1-19', issues);
  const location = compact({
    pointOfCare: c.text(pv1, 3, 1),
    room: c.text(pv1, 3, 2),
    bed: c.text(pv1, 3, 3),
    facility: readPlFacility(r, { segment: pv1, field: 3, repetition: 0 }),
  });
  const destination = c.text(pv1, 37, 1);
  const destinationDate = r.value(pv1, 37, 2).trim();
  let effectiveDateTime: string | undefined;
  if (destinationDate !== '') {
    const result = hl7ToFhirDateTime(destinationDate, c.time);
    if (result.ok) effectiveDateTime = result.value;
    else issues.push(`PV1-37.2: ${result.reason}`);
  }
  return compact<AdtVisit>({
    patientClass: c.text(pv1, 2),
    assignedLocation: Object.keys(location).length === 0 ? undefined : location,
    hospitalService: c.text(pv1, 10),
    attendingDoctors: collect(repetitionsOf(r, pv1, 7), (at) => readXcn(r, at), 'PV1-7', issues),
    visitNumber: visitNumbers[0],
    dischargeDisposition: c.text(pv1, 36),
    dischargedTo: destination === undefined ? undefined : compact({ location: destination, effectiveDateTime }),
    admitDateTime: c.dateTime(pv1, 44, 'PV1-44'),
    dischargeDateTime: c.dateTime(pv1, 45, 'PV1-45'),
  });
}

function readMovement(c: Ctx, zbe: Hl7Segment): AdtMovement {
  const { r, issues } = c;
  const action = r.value(zbe, 4).trim().toUpperCase();
  const known = MOVEMENT_ACTIONS.find((a) => a === action);
  if (action !== '' && known === undefined) issues.push(`ZBE-4: unknown action "${action}" (expected INSERT, UPDATE or CANCEL)`);
  if (action === '') issues.push('ZBE-4: action missing');
  const id = readEi(r, { segment: zbe, field: 1, repetition: 0 });
  if (id === undefined) issues.push('ZBE-1: movement id missing');
  const unitName = c.text(zbe, 7, 1);
  const unitCode = c.text(zbe, 7, 10);
  return compact<AdtMovement>({
    id,
    dateTime: c.dateTime(zbe, 2, 'ZBE-2'),
    action: known,
    historic: c.text(zbe, 5),
    originalTrigger: c.text(zbe, 6),
    medicalUnit: unitName === undefined && unitCode === undefined ? undefined : compact({ name: unitName, code: unitCode }),
    nature: c.text(zbe, 9),
  });
}

function readPmsi(c: Ctx, zfm: Hl7Segment): AdtPmsiModes | undefined {
  const modes = compact<AdtPmsiModes>({
    entryMode: c.text(zfm, 1),
    exitMode: c.text(zfm, 2),
    origin: c.text(zfm, 3),
    destination: c.text(zfm, 4),
  });
  return Object.keys(modes).length === 0 ? undefined : modes;
}

/** A40: each PID is followed (possibly after PD1) by its MRG. */
function readMerges(c: Ctx, segments: readonly Hl7Segment[]): AdtMerge[] {
  const { r, issues } = c;
  const merges: AdtMerge[] = [];
  let survivor: { segment: Hl7Segment; index: number } | undefined;
  let pidCount = 0;
  for (const segment of segments) {
    if (segment.name === 'PID') {
      if (survivor !== undefined) issues.push(`PID #${survivor.index}: no MRG follows it`);
      survivor = { segment, index: ++pidCount };
    } else if (segment.name === 'MRG') {
      if (survivor === undefined) {
        issues.push('MRG: not preceded by a PID');
        continue;
      }
      const label = survivor.index === 1 ? 'MRG' : `MRG #${survivor.index}`;
      const priorIdentifiers = collect(repetitionsOf(r, segment, 1), (at) => readCx(r, at), `${label}-1`, issues);
      if (priorIdentifiers.length === 0) issues.push(`${label}-1: no prior patient identifier`);
      const prior: Hl7Identifier | undefined = readCx(r, { segment, field: 5, repetition: 0 });
      // The first PID was already read as `patient`; re-reading it would duplicate its issues.
      const survivorIssues: string[] = [];
      const patient = readPatient(new Ctx(r, c.time, survivorIssues), survivor.segment, survivor.index === 1 ? 'PID' : `PID #${survivor.index}`);
      if (survivor.index > 1) issues.push(...survivorIssues);
      merges.push(compact<AdtMerge>({ survivor: patient, priorIdentifiers, priorVisitNumber: prior }));
      survivor = undefined;
    }
  }
  if (survivor !== undefined) issues.push(`${survivor.index === 1 ? 'MRG' : `MRG #${survivor.index}`}: segment missing after PID`);
  return merges;
}
