/**
 * Code maps of FHIR notifications, as `as const` data with their source: the Da Vinci
 * Unsolicited Notifications events, the FR Core identity reliability extension, and the FHIR →
 * HL7 v2 code maps that let the ADT mappers (`mappings/adt`) write exactly what HL7 would.
 */

/** Da Vinci Unsolicited Notifications (hl7.fhir.us.davinci-alerts 1.x): MessageHeader.eventCoding system. */
export const NOTIFICATION_EVENT_SYSTEM = 'http://hl7.org/fhir/us/davinci-alerts/CodeSystem/notification-event';

/** The notification events SPEC §3 handles, and the ADT trigger with the same effects. */
export const NOTIFICATION_TRIGGERS = {
  'notification-admit': 'A01',
  'notification-discharge': 'A03',
} as const satisfies Record<string, 'A01' | 'A03'>;
export type NotificationEventCode = keyof typeof NOTIFICATION_TRIGGERS;

/**
 * FR Core (hl7.fhir.fr.core) Patient extension carrying the identity status of the RNIV
 * (*identitovigilance*). Its sub-extension `identityStatus` (FR Core 2.2; `identityReliability`
 * in earlier drafts) holds a Coding: `VALI` is the qualified identity, as PID-32 says in HL7.
 */
export const FR_IDENTITY_RELIABILITY_URL = 'https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability';
export const IDENTITY_STATUS_SUBEXTENSIONS: readonly string[] = ['identityStatus', 'identityReliability'];

/** R4 core extension of a birth place (the HL7 path writes it from XAD-7 `BDL`). */
export const BIRTH_PLACE_URL = 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace';

/** Encounter.class (v3 ActCode) → PV1-2, the inverse of `PATIENT_CLASS` of `mappings/adt/code-maps.ts`. */
export const ACT_CLASS_TO_PATIENT_CLASS = {
  IMP: 'I',
  ACUTE: 'I',
  NONAC: 'I',
  AMB: 'O',
  EMER: 'E',
  PRENC: 'P',
} as const satisfies Record<string, string>;

/** Patient.gender → PID-8. */
export const GENDER_TO_SEX = { male: 'M', female: 'F', other: 'O', unknown: 'U' } as const satisfies Record<string, string>;

/** HumanName.use → XPN-7 (inverse of `NAME_USE`). */
export const NAME_USE_TO_TYPE = { official: 'L', usual: 'D', maiden: 'M', nickname: 'N' } as const satisfies Record<string, string>;

/** Address.use → XAD-7 (inverse of `ADDRESS_TYPE`). */
export const ADDRESS_USE_TO_TYPE = { home: 'H', work: 'O', temp: 'C' } as const satisfies Record<string, string>;

/** ContactPoint.system → XTN-3 (inverse of `TELECOM_EQUIPMENT`); a mobile phone is `CP`. */
export const TELECOM_SYSTEM_TO_EQUIPMENT = { phone: 'PH', fax: 'FX', pager: 'BP', email: 'Internet', other: 'MD' } as const satisfies Record<string, string>;

/** ContactPoint.use → XTN-2 (inverse of `TELECOM_USE`). */
export const TELECOM_USE_TO_CODE = { home: 'PRN', work: 'WPN' } as const satisfies Record<string, string>;

/** Identifier types (v2-0203 or FR Core) that mark an IPP or a visit number. */
export const IPP_TYPE = 'PI';
export const VISIT_TYPE = 'VN';

/** True when `key` is a key of `table` (narrows it). */
export function isKey<T extends object>(table: T, key: unknown): key is keyof T {
  return typeof key === 'string' && Object.prototype.hasOwnProperty.call(table, key);
}
