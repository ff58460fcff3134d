/**
 * Encounter (the stay the notification is about) → `AdtVisit`, the PV1 HL7 would have carried:
 * identifier (visit number, PV1-19) kept exactly as sent, class (PV1-2), period (PV1-44/45),
 * discharge disposition (PV1-36) and destination (PV1-37), service (PV1-10), location (PV1-3),
 * attending professionals (PV1-7).
 */
import type { AdtVisit, Hl7Identifier, Hl7Person } from '../hl7/adt-types.js';
import { ACT_CLASS_TO_PATIENT_CLASS, VISIT_TYPE, isKey } from './codes.js';
import { hl7Identifier } from './identifiers.js';
import { FHIR_DATE_TIME, codesOf, firstCoding, objectAt, objectsAt, stringAt, type JsonObject } from './json.js';
import { person } from './patient.js';
import type { Reading } from './reading.js';

/**
 * Reads the Encounter at `path`. The visit number is the identifier typed `VN`, else the first
 * one with a system and a value; without one the stay cannot be keyed (error).
 */
export function readEncounter(resource: JsonObject, path: string, r: Reading): AdtVisit {
  const candidates = objectsAt(resource, 'identifier')
    .map(({ item, index }) => ({ id: hl7Identifier(item, VISIT_TYPE), index, typed: codesOf(item['type']).includes(VISIT_TYPE) }))
    .filter((c): c is { id: Hl7Identifier; index: number; typed: boolean } => c.id !== undefined);
  const chosen = candidates.find((c) => c.typed) ?? candidates[0];
  if (chosen === undefined) r.error(`${path}.identifier`, 'no identifier with a system and a value: the stay cannot be identified');
  for (const c of candidates) if (c !== chosen) r.issue(`${path}.identifier[${c.index}]: only the visit number is kept`);

  const period = objectAt(resource, 'period');
  const start = dateTime(period, 'start', `${path}.period.start`, r);
  const end = dateTime(period, 'end', `${path}.period.end`, r);

  const classCode = firstCoding(resource['class'])?.code;
  const patientClass = isKey(ACT_CLASS_TO_PATIENT_CLASS, classCode) ? ACT_CLASS_TO_PATIENT_CLASS[classCode] : undefined;
  if (classCode !== undefined && patientClass === undefined) r.issue(`${path}.class: ${classCode} not mapped`);

  const hospitalization = objectAt(resource, 'hospitalization');
  const disposition = objectAt(hospitalization, 'dischargeDisposition');
  const dispositionCode = firstCoding(disposition)?.code ?? stringAt(disposition, 'text');
  const destination = objectAt(hospitalization, 'destination');
  const destinationValue = stringAt(objectAt(destination, 'identifier'), 'value') ?? stringAt(destination, 'display');

  const service = objectAt(resource, 'serviceType');
  const hospitalService = stringAt(service, 'text') ?? firstCoding(service)?.code;
  const pointOfCare = objectsAt(resource, 'location').map(({ item }) => stringAt(objectAt(item, 'location'), 'display')).find((d) => d !== undefined);
  const attendingDoctors: Hl7Person[] = objectsAt(resource, 'participant')
    .flatMap(({ item }) => { const individual = objectAt(item, 'individual'); return individual === undefined ? [] : person(individual); });

  for (const field of ['reasonCode', 'diagnosis', 'episodeOfCare', 'basedOn', 'account']) {
    if (resource[field] !== undefined) r.issue(`${path}.${field}: not mapped`);
  }
  return {
    ...(patientClass !== undefined ? { patientClass } : {}),
    ...(pointOfCare !== undefined ? { assignedLocation: { pointOfCare } } : {}),
    ...(hospitalService !== undefined ? { hospitalService } : {}),
    attendingDoctors,
    ...(chosen !== undefined ? { visitNumber: chosen.id } : {}),
    ...(dispositionCode !== undefined ? { dischargeDisposition: dispositionCode } : {}),
    ...(destinationValue !== undefined ? { dischargedTo: { location: destinationValue } } : {}),
    ...(start !== undefined ? { admitDateTime: start } : {}),
    ...(end !== undefined ? { dischargeDateTime: end } : {}),
  };
}

function dateTime(holder: JsonObject | undefined, key: string, path: string, r: Reading): string | undefined {
  const value = stringAt(holder, key);
  if (value === undefined) return undefined;
  if (!FHIR_DATE_TIME.test(value)) {
    r.error(path, 'not a FHIR dateTime');
    return undefined;
  }
  return value;
}
