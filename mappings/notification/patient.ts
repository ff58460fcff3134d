/**
 * Patient (FHIR, FR Core conventions) → `AdtPatient`, the PID that HL7 would have carried, so the
 * ADT mappers write the same Patient for both channels. Identity (SPEC §3): the identity status
 * comes from the FR Core `fr-core-identity-reliability` extension (`VALI` = qualified, as PID-32);
 * without it the identity is not qualified and an INS is neither identifier nor matching key.
 */
import { hasPatientKey } from '../adt/index.js';
import type { AdtPatient, Hl7Address, Hl7Identifier, Hl7Name, Hl7Person, Hl7Telecom } from '../hl7/adt-types.js';
import {
  ADDRESS_USE_TO_TYPE, BIRTH_PLACE_URL, FR_IDENTITY_RELIABILITY_URL, GENDER_TO_SEX, IDENTITY_STATUS_SUBEXTENSIONS, IPP_TYPE,
  NAME_USE_TO_TYPE, TELECOM_SYSTEM_TO_EQUIPMENT, TELECOM_USE_TO_CODE, isKey,
} from './codes.js';
import { hl7Identifier } from './identifiers.js';
import { booleanAt, FHIR_DATE, FHIR_DATE_TIME, firstCoding, listAt, objectAt, objectsAt, stringAt, type JsonObject } from './json.js';
import type { Reading } from './reading.js';

/** What the Patient gives: the PID equivalent and the general practitioners (PD1-4). */
export interface ReadPatient {
  patient: AdtPatient;
  generalPractitioners: Hl7Person[];
}

/**
 * Reads the Patient at `path` (a FHIRPath such as `Bundle.entry[2].resource`). Faults that
 * would make the write fail or the person unidentifiable are errors; the rest are issues.
 */
export function readPatient(resource: JsonObject, path: string, r: Reading): ReadPatient {
  const identifiers: Hl7Identifier[] = [];
  for (const { item, index } of objectsAt(resource, 'identifier')) {
    const id = hl7Identifier(item, IPP_TYPE);
    if (id === undefined) r.issue(`${path}.identifier[${index}]: no system or no value; not mapped`);
    else identifiers.push(id);
  }
  if (identifiers.length === 0) r.error(`${path}.identifier`, 'no identifier with a system and a value: the person cannot be identified');

  const birthDate = stringAt(resource, 'birthDate');
  if (birthDate !== undefined && !FHIR_DATE.test(birthDate)) r.error(`${path}.birthDate`, 'not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)');
  const gender = stringAt(resource, 'gender');
  if (gender !== undefined && !isKey(GENDER_TO_SEX, gender)) r.error(`${path}.gender`, 'not one of male, female, other, unknown');
  const deceasedDateTime = stringAt(resource, 'deceasedDateTime');
  if (deceasedDateTime !== undefined && !FHIR_DATE_TIME.test(deceasedDateTime)) r.error(`${path}.deceasedDateTime`, 'not a FHIR dateTime');
  const deceasedBoolean = booleanAt(resource, 'deceasedBoolean');

  const reliability = identityStatus(resource);
  const addresses = objectsAt(resource, 'address').map(({ item }) => address(item, undefined));
  const birthPlace = objectsAt(resource, 'extension').find(({ item }) => stringAt(item, 'url') === BIRTH_PLACE_URL)?.item;
  const place = objectAt(birthPlace, 'valueAddress');
  if (place !== undefined) addresses.push(address(place, 'BDL'));

  const patient: AdtPatient = {
    identifiers,
    names: objectsAt(resource, 'name').flatMap(({ item, index }) => name(item, `${path}.name[${index}]`, r)),
    ...(birthDate !== undefined && FHIR_DATE.test(birthDate) ? { birthDate } : {}),
    ...(gender !== undefined && isKey(GENDER_TO_SEX, gender) ? { sex: GENDER_TO_SEX[gender] } : {}),
    addresses,
    telecoms: objectsAt(resource, 'telecom').flatMap(({ item }) => telecom(item)),
    ...(deceasedDateTime !== undefined && FHIR_DATE_TIME.test(deceasedDateTime) ? { deathDateTime: deceasedDateTime } : {}),
    ...(deceasedBoolean !== undefined ? { deathIndicator: deceasedBoolean ? 'Y' : 'N' } : {}),
    identityReliability: reliability,
  };
  if (identifiers.length > 0 && !hasPatientKey(patient)) {
    // The mapper's keying rule, as for PID-3: refused now rather than accepted and never written.
    r.error(`${path}.identifier`, 'no IPP and no INS of a qualified identity with a valid key: the person cannot be identified');
  }
  const generalPractitioners = objectsAt(resource, 'generalPractitioner').flatMap(({ item }) => person(item));
  for (const field of ['photo', 'contact', 'communication', 'link', 'maritalStatus', 'multipleBirthBoolean', 'multipleBirthInteger']) {
    if (resource[field] !== undefined) r.issue(`${path}.${field}: not mapped`);
  }
  return { patient, generalPractitioners };
}

/** Codes of the FR Core identity status (`VALI`, `PROV`, …), in the order sent. */
function identityStatus(resource: JsonObject): string[] {
  const codes: string[] = [];
  for (const { item } of objectsAt(resource, 'extension')) {
    if (stringAt(item, 'url') !== FR_IDENTITY_RELIABILITY_URL) continue;
    for (const { item: sub } of objectsAt(item, 'extension')) {
      if (!IDENTITY_STATUS_SUBEXTENSIONS.includes(stringAt(sub, 'url') ?? '')) continue;
      const code = firstCoding(sub['valueCoding'] ?? sub['valueCodeableConcept'])?.code;
      if (code !== undefined && !codes.includes(code)) codes.push(code);
    }
  }
  return codes;
}

/** HumanName → XPN. An official name's given names are every birth first name (PID-5.3, PAM France). */
function name(item: JsonObject, path: string, r: Reading): Hl7Name[] {
  const family = stringAt(item, 'family');
  const given = listAt(item, 'given').filter((g): g is string => typeof g === 'string' && g.trim() !== '');
  const use = stringAt(item, 'use');
  if (family === undefined && given.length === 0) {
    const text = stringAt(item, 'text');
    if (text !== undefined) r.issue(`${path}.text: a name given as text only is not mapped`);
    return [];
  }
  const typeCode = isKey(NAME_USE_TO_TYPE, use) ? NAME_USE_TO_TYPE[use] : undefined;
  if (use !== undefined && typeCode === undefined) r.issue(`${path}.use: ${use} not mapped`);
  const prefix = listAt(item, 'prefix').find((p): p is string => typeof p === 'string');
  const suffix = listAt(item, 'suffix').find((p): p is string => typeof p === 'string');
  return [{
    ...(family !== undefined ? { family } : {}),
    ...(given[0] !== undefined ? { given: given[0] } : {}),
    ...(given.length > 1 ? { furtherGivenNames: given.join(' ') } : {}),
    ...(prefix !== undefined ? { prefix } : {}),
    ...(suffix !== undefined ? { suffix } : {}),
    ...(typeCode !== undefined ? { typeCode } : {}),
  }];
}

function address(item: JsonObject, forcedType: string | undefined): Hl7Address {
  const lines = listAt(item, 'line').filter((l): l is string => typeof l === 'string' && l.trim() !== '');
  const use = stringAt(item, 'use');
  const typeCode = forcedType ?? (stringAt(item, 'type') === 'postal' ? 'M' : isKey(ADDRESS_USE_TO_TYPE, use) ? ADDRESS_USE_TO_TYPE[use] : undefined);
  const parts: [keyof Hl7Address, string | undefined][] = [
    ['street', lines[0]],
    ['otherDesignation', lines.length > 1 ? lines.slice(1).join(', ') : undefined],
    ['city', stringAt(item, 'city')],
    ['state', stringAt(item, 'state')],
    ['postalCode', stringAt(item, 'postalCode')],
    ['country', stringAt(item, 'country')],
    ['typeCode', typeCode],
  ];
  return Object.fromEntries(parts.filter(([, v]) => v !== undefined)) as Hl7Address;
}

function telecom(item: JsonObject): Hl7Telecom[] {
  const value = stringAt(item, 'value');
  if (value === undefined) return [];
  const system = stringAt(item, 'system');
  const use = stringAt(item, 'use');
  const equipmentType = system === 'phone' && use === 'mobile' ? 'CP' : isKey(TELECOM_SYSTEM_TO_EQUIPMENT, system) ? TELECOM_SYSTEM_TO_EQUIPMENT[system] : undefined;
  const useCode = isKey(TELECOM_USE_TO_CODE, use) ? TELECOM_USE_TO_CODE[use] : undefined;
  return [{ value, ...(useCode !== undefined ? { useCode } : {}), ...(equipmentType !== undefined ? { equipmentType } : {}) }];
}

/**
 * A reference to a professional (generalPractitioner, Encounter.participant.individual) → XCN:
 * the logical identifier's value (an RPPS is recognised by the ADT mapper) and the display.
 */
export function person(reference: JsonObject): Hl7Person[] {
  const value = stringAt(objectAt(reference, 'identifier'), 'value');
  const display = stringAt(reference, 'display');
  if (value === undefined && display === undefined) return [];
  return [{ ...(value !== undefined ? { identifier: { value } } : {}), ...(display !== undefined ? { family: display } : {}) }];
}
