/**
 * PID (+ PD1-4 / ROL) → Patient, following the v2-to-FHIR PID[Patient] map with the FR Core
 * and IHE PAM France conventions. Identity rules (SPEC §3, identitovigilance):
 * - the key of the conditional update is the IPP (type PI, in the hospital's namespace);
 * - the INS is the official identifier ONLY when PID-32 contains `VALI` (qualified identity)
 *   and its key is valid. An INS of an identity that is not qualified is never an identifier
 *   (it must match no one): it is kept in the `unqualified-ins` extension, with the identity
 *   status read from PID-32. An INS with a bad key is dropped, with an issue;
 * - names: `L` birth name → `official` (given = every birth first name of PID-5.3), `D` used
 *   name → `usual`.
 */
import type { Address, ContactPoint, Extension, HumanName, Identifier, Patient, Practitioner, Reference } from '@medplum/fhirtypes';
import { EXTENSION, PROFILE } from '../../../profiles/canonical.js';
import type { AdtPatient, Hl7Address, Hl7Name, Hl7Person, Hl7Telecom } from '../../hl7/adt-types.js';
import {
  ADDRESS_TYPE, BIRTH_PLACE, NAME_USE, PID32_IDENTITY_STATUS, QUALIFIED_IDENTITY_CODE, SEX, TELECOM_EQUIPMENT, TELECOM_USE, isKey,
} from '../code-maps.js';
import { resourceMeta, type AdtState } from '../context.js';
import { classifyPatientIdentifiers, insIdentifier, practitionerReference, sortPatientIdentifiers, type InsRead } from './identifiers.js';

/** Every INS namespace (FR Core: NIR, NIA, test and demo NIR) starts with this. */
const INS_SYSTEM_PREFIX = 'urn:oid:1.2.250.1.213.1.4.';

/** Options of {@link patientResource}, set by the identity decision (see `identity/match.ts`). */
export interface PatientOptions {
  /** Do not record the qualified INS as identifier (another Patient holds it: reconciliation pending). */
  withholdIns?: boolean;
}

/** A Patient and the identifiers the write is keyed on. */
export interface MappedPatient {
  resource: Patient;
  /** The conditional-update key: the first IPP, else the qualified INS; undefined when neither. */
  key: Identifier | undefined;
  /** Every IPP of PID-3. */
  ipps: Identifier[];
  /** The official INS identifier, when the identity is qualified and its key valid. */
  qualifiedIns: Identifier | undefined;
  /** The qualified INS that was withheld (see {@link PatientOptions}). */
  withheldIns: Identifier | undefined;
}

/** True when PID-32 says the identity is qualified (SPEC §3: `VALI`). */
export function identityQualified(p: AdtPatient): boolean {
  return p.identityReliability.includes(QUALIFIED_IDENTITY_CODE);
}

/**
 * True when {@link patientResource} finds a key for this PID: an IPP, else the INS of a qualified
 * identity with a valid key. Without one, nothing about the person can be written, so the edge
 * answers AE (SPEC §3: "no usable identifier").
 */
export function hasPatientKey(p: AdtPatient): boolean {
  const { ipps, ins } = classifyPatientIdentifiers(p.identifiers, []);
  return ipps.length > 0 || (ins !== undefined && ins.keyValid && identityQualified(p));
}

/**
 * Maps one PID to a Patient.
 * @example patientResource(event.patient, event.generalPractitioners, state).key // the IPP
 */
export function patientResource(p: AdtPatient, gps: readonly Hl7Person[], state: AdtState, options: PatientOptions = {}, label = 'PID'): MappedPatient {
  const { ctx, issues } = state;
  const sorted = sortPatientIdentifiers(p.identifiers, ctx, issues, `${label}-3`);
  const qualified = identityQualified(p);
  const extension: Extension[] = [];
  let qualifiedIns: Identifier | undefined;
  let withheldIns: Identifier | undefined;
  if (sorted.ins !== undefined) {
    const ins = sorted.ins;
    if (!ins.keyValid) {
      issues.push(`${label}-3: INS with an invalid key; not recorded`);
    } else if (qualified) {
      if (options.withholdIns === true) withheldIns = insIdentifier(ins);
      else qualifiedIns = insIdentifier(ins);
    } else {
      extension.push(unqualifiedInsExtension(ins, p.identityReliability));
      issues.push(`${label}-32: identity not qualified (${p.identityReliability.join('~') || 'empty'}); INS kept in the unqualified-ins extension, neither identifier nor matching key`);
    }
  }
  if (p.identityReliability.length > 1) issues.push(`${label}-32: several identity reliability codes; qualified = contains ${QUALIFIED_IDENTITY_CODE}`);

  const birthPlace = p.addresses.find((a) => a.typeCode === BIRTH_PLACE.typeCode);
  if (birthPlace !== undefined) extension.push({ url: BIRTH_PLACE.extension, valueAddress: address(birthPlace, issues, label) });

  const identifier = [...(qualifiedIns !== undefined ? [qualifiedIns] : []), ...sorted.ipps];
  const name = p.names.map((n, i) => humanName(n, issues, `${label}-5 repetition ${i + 1}`)).filter((n): n is HumanName => n !== undefined);
  const gender = sexToGender(p.sex, issues, label);
  const addresses = p.addresses.filter((a) => a !== birthPlace).map((a) => address(a, issues, label));
  const telecom = p.telecoms.map((t) => contactPoint(t)).filter((t): t is ContactPoint => t !== undefined);
  const generalPractitioner = gps
    .map((gp, i) => practitionerReference(gp, issues, `PD1-4/ROL repetition ${i + 1}`))
    .filter((r): r is Reference<Practitioner> => r !== undefined);

  const resource: Patient = {
    resourceType: 'Patient',
    meta: resourceMeta(ctx, PROFILE.patient),
    ...(extension.length > 0 ? { extension } : {}),
    ...(identifier.length > 0 ? { identifier } : {}),
    ...(name.length > 0 ? { name } : {}),
    ...(telecom.length > 0 ? { telecom } : {}),
    ...(gender !== undefined ? { gender } : {}),
    ...(p.birthDate !== undefined ? { birthDate: p.birthDate } : {}),
    ...deceased(p, issues, label),
    ...(addresses.length > 0 ? { address: addresses } : {}),
    ...(generalPractitioner.length > 0 ? { generalPractitioner } : {}),
  };
  if (name.length === 0) issues.push(`${label}-5: no name`);
  return { resource, key: sorted.ipps[0] ?? qualifiedIns, ipps: sorted.ipps, qualifiedIns, withheldIns };
}

/** The `unqualified-ins` extension: value, kind (NIR | NIA) and the identity status PID-32 gives. */
function unqualifiedInsExtension(ins: InsRead, reliability: readonly string[]): Extension {
  const code = reliability.find((c) => isKey(PID32_IDENTITY_STATUS, c));
  const status = isKey(PID32_IDENTITY_STATUS, code) ? PID32_IDENTITY_STATUS[code] : 'provisional';
  return {
    url: EXTENSION.unqualifiedIns,
    extension: [
      { url: 'value', valueString: ins.value },
      { url: 'kind', valueCode: ins.def.kind },
      { url: 'identityStatus', valueCode: status },
    ],
  };
}

function humanName(n: Hl7Name, issues: string[], location: string): HumanName | undefined {
  if (n.family === undefined && n.given === undefined) return undefined;
  const use = isKey(NAME_USE, n.typeCode) ? NAME_USE[n.typeCode] : undefined;
  if (n.typeCode !== undefined && use === undefined) issues.push(`${location}: name type ${n.typeCode} not mapped (HumanName.use left empty)`);
  if (n.family === undefined) issues.push(`${location}: no family name`);
  // PAM France: PID-5.3 of the birth name lists every birth first name, the first one first.
  const further = n.furtherGivenNames?.split(/\s+/).filter((g) => g !== '') ?? [];
  let given = n.given !== undefined ? [n.given] : [];
  if (further.length > 0) given = further[0] === n.given || n.given === undefined ? further : [n.given!, ...further];
  return {
    ...(use !== undefined ? { use } : {}),
    ...(n.family !== undefined ? { family: n.family } : {}),
    ...(given.length > 0 ? { given } : {}),
    ...(n.prefix !== undefined ? { prefix: [n.prefix] } : {}),
    ...(n.suffix !== undefined ? { suffix: [n.suffix] } : {}),
  };
}

function sexToGender(sex: string | undefined, issues: string[], label: string): Patient['gender'] {
  if (sex === undefined) return undefined;
  const code = sex.toUpperCase();
  if (isKey(SEX, code)) return SEX[code];
  issues.push(`${label}-8: sex ${sex} not mapped`);
  return undefined;
}

function address(a: Hl7Address, issues: string[], label: string): Address {
  const kind = isKey(ADDRESS_TYPE, a.typeCode) ? ADDRESS_TYPE[a.typeCode] : undefined;
  if (a.typeCode !== undefined && kind === undefined && a.typeCode !== BIRTH_PLACE.typeCode) issues.push(`${label}-11: address type ${a.typeCode} not mapped`);
  if (a.countyCode !== undefined) issues.push(`${label}-11.9: county / INSEE code not mapped`);
  const line = [a.street, a.otherDesignation].filter((l): l is string => l !== undefined);
  return {
    ...(kind !== undefined && 'use' in kind ? { use: kind.use } : {}),
    ...(kind !== undefined && 'type' in kind ? { type: kind.type } : {}),
    ...(line.length > 0 ? { line } : {}),
    ...(a.city !== undefined ? { city: a.city } : {}),
    ...(a.state !== undefined ? { state: a.state } : {}),
    ...(a.postalCode !== undefined ? { postalCode: a.postalCode } : {}),
    ...(a.country !== undefined ? { country: a.country } : {}),
  };
}

/** XTN → ContactPoint: system from the equipment (XTN-3), else `email` for NET, else phone. */
function contactPoint(t: Hl7Telecom): ContactPoint | undefined {
  if (t.value === '') return undefined;
  const equipment: { system: ContactPoint['system']; use?: ContactPoint['use'] } | undefined =
    isKey(TELECOM_EQUIPMENT, t.equipmentType) ? TELECOM_EQUIPMENT[t.equipmentType] : undefined;
  const system = equipment?.system ?? (t.useCode === 'NET' || t.value.includes('@') ? 'email' : 'phone');
  const use = equipment?.use ?? (isKey(TELECOM_USE, t.useCode) ? TELECOM_USE[t.useCode] : undefined);
  return { system, value: t.value, ...(use !== undefined ? { use } : {}) };
}

/** PID-29 / PID-30 → deceasedDateTime, else deceasedBoolean. */
function deceased(p: AdtPatient, issues: string[], label: string): Pick<Patient, 'deceasedBoolean' | 'deceasedDateTime'> {
  const indicator = p.deathIndicator?.toUpperCase();
  if (p.deathDateTime !== undefined) {
    if (indicator === 'N') issues.push(`${label}-30 is N but ${label}-29 gives a date of death: the date is kept`);
    return { deceasedDateTime: p.deathDateTime };
  }
  if (indicator === 'Y') return { deceasedBoolean: true };
  if (indicator === 'N') return { deceasedBoolean: false };
  if (indicator !== undefined) issues.push(`${label}-30: death indicator ${p.deathIndicator} not mapped`);
  return {};
}

/**
 * What a hospital write must not erase from the current Patient, since a conditional update
 * replaces the whole resource: identifiers of other namespaces (another hospital's IPP, a
 * DAC's own id, a qualified INS this message does not carry), the merge state (`active:
 * false`, `link`), extensions and general practitioners this message does not give.
 * Pure: returns a new Patient.
 */
export function preservePatientState(next: Patient, current: Patient): Patient {
  const systems = new Set((next.identifier ?? []).map((i) => i.system));
  const foreign = (current.identifier ?? []).filter((i) => !systems.has(i.system));
  const identifier = [...(next.identifier ?? []), ...foreign];
  // An INS identifier (from this message or kept from another source) supersedes an unqualified-ins extension.
  const hasIns = identifier.some((i) => i.system?.startsWith(INS_SYSTEM_PREFIX) === true);
  const urls = new Set((next.extension ?? []).map((e) => e.url));
  const extension = [...(next.extension ?? []), ...(current.extension ?? []).filter((e) => !urls.has(e.url))]
    .filter((e) => !(hasIns && e.url === EXTENSION.unqualifiedIns));
  const rest: Patient = { ...next };
  delete rest.extension;
  return {
    ...(current.id !== undefined ? { id: current.id } : {}),
    ...rest,
    ...(extension.length > 0 ? { extension } : {}),
    ...(identifier.length > 0 ? { identifier } : {}),
    ...(current.active === false ? { active: false } : {}),
    ...(current.link !== undefined && current.link.length > 0 ? { link: current.link } : {}),
    ...(next.generalPractitioner === undefined && current.generalPractitioner !== undefined ? { generalPractitioner: current.generalPractitioner } : {}),
  };
}
