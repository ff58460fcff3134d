/**
 * PV1 (+ ZBE, ZFM, EVN) → Encounter, the hospital stay, following the v2-to-FHIR PV1[Encounter]
 * map and IHE PAM France:
 * - identifier: PV1-19 (type VN, in the sending facility's namespace) — the conditional-update
 *   key; ZBE-1, the movement this state comes from, as a `secondary` identifier. Why an
 *   identifier and not an extension: it lets the worker find the stay of a movement
 *   (`Encounter?identifier=<movement>`, what a ZBE-4 CANCEL/UPDATE refers to) with the one
 *   token search every server has, and needs no extension definition. Since the write replaces
 *   the Encounter, only the last applied movement is kept (the message log keeps them all);
 * - class: PV1-2 (PatientClass[EncounterClass]); status: set by the trigger event (see the
 *   event roots), PV1-45 for A08;
 * - period: PV1-44 / PV1-45; for an admission without PV1-44, ZBE-2 then EVN-6 then EVN-2; for a
 *   discharge without PV1-45, ZBE-2 then EVN-6 then EVN-2 (each fallback said in an issue);
 * - hospitalization (finished stays only): dischargeDisposition = PV1-36, else the ZFM-2 exit
 *   mode, in our `exit-mode` code system when it is a PMSI mode (0, 6, 7, 8, 9); destination =
 *   PV1-37 as a logical Location reference, with a FINESS identifier when PV1-37 is a FINESS;
 * - participant: PV1-7 (ATND), serviceType: PV1-10 (text: hospital-local codes),
 *   location: PV1-3 (display), serviceProvider: the sending facility, subject: the Patient.
 */
import type { BundleEntry, CodeableConcept, Encounter, EncounterLocation, EncounterParticipant, Identifier, Location, Period, Practitioner, Reference } from '@medplum/fhirtypes';
import { CODE_SYSTEM, FR_SYSTEM, HL7_SYSTEM } from '../../../profiles/canonical.js';
import { frIdentifierType } from '../../case/to-fhir/identifiers.js';
import type { AdtEvent, AdtVisit } from '../../hl7/adt-types.js';
import { ATTENDER, EXIT_MODES, PATIENT_CLASS, PATIENT_CLASS_V2_DISPLAY, UNKNOWN_CLASS, isKey } from '../code-maps.js';
import { conditionalUpdate, fullUrlFor, identifierQuery, ref, resourceMeta, type AdtState } from '../context.js';
import { isFiness, movementIdentifier, practitionerReference, visitIdentifier, visitKeyOf } from './identifiers.js';

/** What the event root decides about the stay. */
export interface StaySpec {
  status: Encounter['status'];
  /** An admission: PV1-44 may fall back on the movement / event time. */
  admission?: boolean;
}

/** The Encounter entry and what other modules need to find the stay. */
export interface MappedEncounter {
  entry: BundleEntry;
  fullUrl: string;
  identifier: Identifier;
  visitKey: string;
  resource: Encounter;
}

/** Status of a stay from PV1 alone (A08): PatientClass[EncounterStatus], `finished` when PV1-45 is valued. */
export function statusFromPv1(visit: AdtVisit | undefined): Encounter['status'] {
  if (visit?.dischargeDateTime !== undefined) return 'finished';
  if (visit?.patientClass === 'P') return 'planned';
  if (visit?.patientClass === 'U') return 'unknown';
  return 'in-progress';
}

/**
 * The conditional-update entry of the stay, or undefined (with an issue) when PV1-19 is missing.
 * @example encounterEntry(event, state, { status: 'finished' }, patientUrl, facilityUrl)
 */
export function encounterEntry(event: AdtEvent, state: AdtState, spec: StaySpec, patientUrl: string, facilityUrl: string): MappedEncounter | undefined {
  const { ctx, issues } = state;
  const visit = event.visit;
  if (visit === undefined) {
    issues.push('PV1: segment missing; no Encounter written');
    return undefined;
  }
  if (visit.visitNumber === undefined) {
    issues.push('PV1-19: no visit number; no Encounter written');
    return undefined;
  }
  const key = visitIdentifier(visit.visitNumber, ctx);
  const movement = event.movement?.id !== undefined ? movementIdentifier(event.movement.id, ctx) : undefined;
  const finished = spec.status === 'finished';
  const period = stayPeriod(event, spec, issues);
  const hospitalization = finished ? dischargeDetails(event, issues) : undefined;
  if (!finished) reportDischargeFieldsIgnored(event, spec.status, issues);

  const participant = visit.attendingDoctors
    .map((doctor, i) => practitionerReference(doctor, issues, `PV1-7 repetition ${i + 1}`))
    .filter((r): r is Reference<Practitioner> => r !== undefined)
    .map((individual): EncounterParticipant => ({ type: [{ coding: [{ ...ATTENDER }] }], individual }));
  const location = stayLocation(visit, spec.status);

  const resource: Encounter = {
    resourceType: 'Encounter',
    meta: resourceMeta(ctx),
    identifier: [key, ...(movement !== undefined ? [movement] : [])],
    status: spec.status,
    class: encounterClass(visit.patientClass, issues),
    ...(visit.hospitalService !== undefined ? { serviceType: { text: visit.hospitalService } } : {}),
    subject: ref(patientUrl),
    ...(participant.length > 0 ? { participant } : {}),
    ...(period !== undefined ? { period } : {}),
    ...(hospitalization !== undefined ? { hospitalization } : {}),
    ...(location !== undefined ? { location: [location] } : {}),
    serviceProvider: ref(facilityUrl),
  };
  const fullUrl = fullUrlFor(ctx.clientId, 'Encounter', visitKeyOf(key));
  return { entry: conditionalUpdate(resource, fullUrl, identifierQuery(key)), fullUrl, identifier: key, visitKey: visitKeyOf(key), resource };
}

function encounterClass(patientClass: string | undefined, issues: string[]): Encounter['class'] {
  if (patientClass === undefined) {
    issues.push('PV1-2: patient class missing; Encounter.class = UNK');
    return { ...UNKNOWN_CLASS };
  }
  const code = patientClass.toUpperCase();
  if (isKey(PATIENT_CLASS, code)) return { ...PATIENT_CLASS[code] };
  issues.push(`PV1-2: patient class ${patientClass} has no ActCode; kept as the v2 code`);
  return {
    system: HL7_SYSTEM.v2PatientClass,
    code: patientClass,
    ...(isKey(PATIENT_CLASS_V2_DISPLAY, code) ? { display: PATIENT_CLASS_V2_DISPLAY[code] } : {}),
  };
}

/** The first of `candidates` that is set, with an issue naming it when it is a fallback. */
function firstOf(candidates: [string, string | undefined][], issues: string[], what: string): string | undefined {
  for (const [i, [label, value]] of candidates.entries()) {
    if (value === undefined) continue;
    if (i > 0) issues.push(`${candidates[0]![0]}: missing; ${what} taken from ${label}`);
    return value;
  }
  return undefined;
}

function stayPeriod(event: AdtEvent, spec: StaySpec, issues: string[]): Period | undefined {
  const visit = event.visit;
  const eventTimes: [string, string | undefined][] = [
    ['ZBE-2', event.movement?.dateTime],
    ['EVN-6', event.occurredDateTime],
    ['EVN-2', event.recordedDateTime],
  ];
  const start = spec.admission === true
    ? firstOf([['PV1-44', visit?.admitDateTime], ...eventTimes], issues, 'admission time')
    : visit?.admitDateTime;
  let end: string | undefined;
  if (spec.status !== 'finished' && visit?.dischargeDateTime !== undefined) issues.push(`PV1-45: ignored, the stay is ${spec.status}`);
  if (spec.status === 'finished') {
    end = firstOf([['PV1-45', visit?.dischargeDateTime], ...eventTimes], issues, 'discharge time');
    if (end === undefined) issues.push('PV1-45: discharge time missing and no ZBE-2 / EVN time; period.end unknown');
  }
  if (start !== undefined && end !== undefined && Date.parse(end) < Date.parse(start)) {
    issues.push('PV1-45: discharge before admission (PV1-44); period.end dropped');
    end = undefined;
  }
  if (start === undefined && end === undefined) return undefined;
  return { ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}) };
}

/** dischargeDisposition and destination of a finished stay (SPEC §3). */
function dischargeDetails(event: AdtEvent, issues: string[]): Encounter['hospitalization'] {
  const visit = event.visit;
  const pv136 = visit?.dischargeDisposition;
  const zfm2 = event.pmsi?.exitMode;
  if (pv136 !== undefined && zfm2 !== undefined && pv136 !== zfm2) issues.push(`ZFM-2: exit mode ${zfm2} ignored, PV1-36 (${pv136}) given`);
  const code = pv136 ?? zfm2;
  const source = pv136 !== undefined ? 'PV1-36' : 'ZFM-2';
  let dischargeDisposition: CodeableConcept | undefined;
  if (code === undefined) {
    issues.push('PV1-36 and ZFM-2: no discharge disposition');
  } else if (isKey(EXIT_MODES, code)) {
    dischargeDisposition = { coding: [{ system: CODE_SYSTEM.exitMode, code, display: EXIT_MODES[code].display }] };
  } else {
    issues.push(`${source}: ${code} is not a PMSI exit mode (0, 6, 7, 8, 9); kept as text`);
    dischargeDisposition = { text: code };
  }
  const to = visit?.dischargedTo;
  let destination: Reference<Location> | undefined;
  if (to !== undefined) {
    destination = isFiness(to.location)
      ? {
        type: 'Location',
        identifier: { type: frIdentifierType('FINEG', "FINESS d'entité géographique"), system: FR_SYSTEM.finess, value: to.location },
        display: `FINESS ${to.location}`,
      }
      : { display: to.location };
    if (to.effectiveDateTime !== undefined) issues.push('PV1-37.2: effective date of the destination not mapped');
  }
  for (const [label, value] of [['ZFM-1', event.pmsi?.entryMode], ['ZFM-3', event.pmsi?.origin], ['ZFM-4', event.pmsi?.destination]] as const) {
    if (value !== undefined) issues.push(`${label}: PMSI mode ${value} not mapped`);
  }
  if (dischargeDisposition === undefined && destination === undefined) return undefined;
  return { ...(destination !== undefined ? { destination } : {}), ...(dischargeDisposition !== undefined ? { dischargeDisposition } : {}) };
}

function reportDischargeFieldsIgnored(event: AdtEvent, status: Encounter['status'], issues: string[]): void {
  const fields: [string, unknown][] = [
    ['PV1-36', event.visit?.dischargeDisposition],
    ['PV1-37', event.visit?.dischargedTo],
    ['ZFM-2', event.pmsi?.exitMode],
  ];
  for (const [label, value] of fields) {
    if (value !== undefined) issues.push(`${label}: ignored, the stay is ${status}`);
  }
  for (const [label, value] of [['ZFM-1', event.pmsi?.entryMode], ['ZFM-3', event.pmsi?.origin], ['ZFM-4', event.pmsi?.destination]] as const) {
    if (value !== undefined) issues.push(`${label}: PMSI mode ${value} not mapped`);
  }
}

/** PV1-3 as the current (or last) location of the stay; none for a cancelled or planned stay. */
function stayLocation(visit: AdtVisit, status: Encounter['status']): EncounterLocation | undefined {
  const l = visit.assignedLocation;
  if (l === undefined || (status !== 'in-progress' && status !== 'finished')) return undefined;
  const parts = [l.pointOfCare, l.room !== undefined ? `chambre ${l.room}` : undefined, l.bed !== undefined ? `lit ${l.bed}` : undefined]
    .filter((p): p is string => p !== undefined);
  if (parts.length === 0) return undefined;
  return { location: { display: parts.join(', ') }, status: status === 'finished' ? 'completed' : 'active' };
}
