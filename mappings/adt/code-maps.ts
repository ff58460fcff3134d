/**
 * Code maps of the ADT → FHIR mapping, as data (FHIR-Converter style): HL7 v2 code → FHIR
 * code, with the source of each table. Mappers read these tables; nothing else spells a code.
 *
 * Sources: the HL7 v2-to-FHIR IG concept maps (PatientClass[EncounterClass],
 * PatientClass[EncounterStatus], AdministrativeSex, TelecommunicationUseCode,
 * TelecommunicationEquipmentType, NameType), IHE PAM France 2.11 (ZBE, ZFM, PID-32),
 * FR Core 2.1 (identifier types), the ANS Notification d'évènements IG (TRE_R254 `SOR`).
 */
import type { CODE_SYSTEM } from '../../profiles/canonical.js';
import { FR_SYSTEM, HL7_SYSTEM } from '../../profiles/canonical.js';

/** A coding as it appears in FHIR. */
export interface CodingDef {
  readonly system: string;
  readonly code: string;
  readonly display: string;
}

const ACT = (code: string, display: string): CodingDef => ({ system: HL7_SYSTEM.v3ActCode, code, display });

/**
 * PV1-2 patient class → Encounter.class (v3 ActCode). v2-to-FHIR maps E, I, O, P; IHE PAM
 * France also sends R (séances, hospitalisation de jour: a recurring outpatient stay), mapped
 * to ambulatory as our brief asks. B, C, N, U have no ActCode: the v2 code is kept as sent
 * (system v2-0004), with an issue.
 */
export const PATIENT_CLASS = {
  E: ACT('EMER', 'emergency'),
  I: ACT('IMP', 'inpatient encounter'),
  O: ACT('AMB', 'ambulatory'),
  R: ACT('AMB', 'ambulatory'),
  P: ACT('PRENC', 'pre-admission'),
} as const satisfies Record<string, CodingDef>;

/** Displays of HL7 table 0004 for the classes kept as sent. */
export const PATIENT_CLASS_V2_DISPLAY = {
  B: 'Obstetrics',
  C: 'Commercial Account',
  N: 'Not Applicable',
  U: 'Unknown',
} as const satisfies Record<string, string>;

/** Encounter.class when PV1-2 is empty (Encounter.class is 1..1 in R4). */
export const UNKNOWN_CLASS: CodingDef = { system: HL7_SYSTEM.v3NullFlavor, code: 'UNK', display: 'unknown' };

/** PID-8 → Patient.gender (v2-to-FHIR AdministrativeSex map: A and N are `other`). */
export const SEX = {
  M: 'male',
  F: 'female',
  U: 'unknown',
  O: 'other',
  A: 'other',
  N: 'other',
} as const satisfies Record<string, 'male' | 'female' | 'other' | 'unknown'>;

/**
 * XPN-7 name type → HumanName.use. IHE PAM France: `L` = nom de naissance (FR Core
 * `official`), `D` = nom utilisé (FR Core `usual`); M maiden and N nickname as in v2-to-FHIR.
 */
export const NAME_USE = {
  L: 'official',
  D: 'usual',
  M: 'maiden',
  N: 'nickname',
} as const satisfies Record<string, 'official' | 'usual' | 'maiden' | 'nickname'>;

/** XAD-7 address type → Address.use / Address.type. `BDL` (birth place) is not an address of the person: it goes to the `patient-birthPlace` extension. */
export const ADDRESS_TYPE = {
  H: { use: 'home' },
  O: { use: 'work' },
  B: { use: 'work' },
  C: { use: 'temp' },
  M: { type: 'postal' },
} as const satisfies Record<string, { use?: 'home' | 'work' | 'temp'; type?: 'postal' }>;

/** XAD-7 value of a birth place (PAM France), and the R4 core extension it maps to. */
export const BIRTH_PLACE = { typeCode: 'BDL', extension: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace' } as const;

/** XTN-2 telecom use → ContactPoint.use (v2-to-FHIR TelecommunicationUseCode). */
export const TELECOM_USE = {
  PRN: 'home',
  WPN: 'work',
  PRS: 'mobile',
} as const satisfies Record<string, 'home' | 'work' | 'mobile'>;

/** XTN-3 equipment → ContactPoint.system (and `mobile` use for CP), v2-to-FHIR TelecommunicationEquipmentType. */
export const TELECOM_EQUIPMENT = {
  PH: { system: 'phone' },
  CP: { system: 'phone', use: 'mobile' },
  FX: { system: 'fax' },
  BP: { system: 'pager' },
  Internet: { system: 'email' },
  'X.400': { system: 'email' },
  MD: { system: 'other' },
  SAT: { system: 'other' },
  TDD: { system: 'other' },
  TTY: { system: 'other' },
} as const satisfies Record<string, { system: 'phone' | 'fax' | 'pager' | 'email' | 'other'; use?: 'mobile' }>;

/**
 * PMSI mode de sortie (ZFM-2, and PV1-36 as SPEC §3 reads it) → our `exit-mode` code system.
 * `0` is the PMSI "transfert provisoire" (prestation inter-établissements).
 */
export const EXIT_MODES = {
  '0': { display: 'Transfert provisoire (prestation inter-établissements)' },
  '6': { display: 'Mutation' },
  '7': { display: 'Transfert définitif' },
  '8': { display: 'Retour au domicile' },
  '9': { display: 'Décès' },
} as const satisfies Record<string, { display: string }>;
export type ExitMode = keyof typeof EXIT_MODES;

/** The INS kinds of FR Core, by the OID of their namespace (PID-3.4.2). */
export const INS_BY_OID = {
  '1.2.250.1.213.1.4.8': { kind: 'NIR', system: FR_SYSTEM.insNir, type: 'INS-NIR', typeDisplay: 'NIR définitif', use: 'official' },
  '1.2.250.1.213.1.4.9': { kind: 'NIA', system: FR_SYSTEM.insNia, type: 'INS-NIA', typeDisplay: 'NIR temporaire', use: 'temp' },
  '1.2.250.1.213.1.4.10': { kind: 'NIR', system: FR_SYSTEM.insNirTest, type: 'INS-NIR-TEST', typeDisplay: 'INS-NIR de test', use: 'official' },
  '1.2.250.1.213.1.4.11': { kind: 'NIR', system: FR_SYSTEM.insNirDemo, type: 'INS-NIR-DEMO', typeDisplay: 'INS-NIR de démonstration', use: 'official' },
} as const satisfies Record<string, { kind: 'NIR' | 'NIA'; system: string; type: string; typeDisplay: string; use: 'official' | 'temp' }>;
export type InsDef = (typeof INS_BY_OID)[keyof typeof INS_BY_OID];

/** CX-5 identifier types that mark an INS (PAM France sends `INS`; older feeds `INS-NIR` / `INS-NIA`). */
export const INS_TYPE_CODES = {
  INS: '1.2.250.1.213.1.4.8',
  'INS-NIR': '1.2.250.1.213.1.4.8',
  'INS-NIA': '1.2.250.1.213.1.4.9',
} as const satisfies Record<string, keyof typeof INS_BY_OID>;

/** PID-32 code of a qualified identity (SPEC §3: the INS is a key only then). */
export const QUALIFIED_IDENTITY_CODE = 'VALI';

/**
 * PID-32 → identity status of the `unqualified-ins` extension (our identity-status code
 * system), for an INS that is kept but not used. Codes we do not list read as `provisional`.
 */
export const PID32_IDENTITY_STATUS = {
  PROV: 'provisional',
  VIDE: 'provisional',
  DOUTE: 'provisional',
  FICTI: 'provisional',
  RECUP: 'retrieved',
} as const satisfies Record<string, 'provisional' | 'retrieved' | 'validated'>;

/** v2-0203 identifier types the mapping writes. */
export const IDENTIFIER_TYPE = {
  PI: { system: FR_SYSTEM.v2IdentifierType, code: 'PI', display: 'Patient internal identifier' },
  VN: { system: FR_SYSTEM.v2IdentifierType, code: 'VN', display: 'Visit number' },
} as const satisfies Record<string, CodingDef>;

/** The discharge event in the ANS Notification d'évènements vocabulary (display as the ANS IG publishes it). */
export const DISCHARGE_EVENT: CodingDef = {
  system: FR_SYSTEM.treR254TypeEvenement,
  code: 'SOR',
  display: "Sortie d'un patient de l'établissement de santé",
};

/** Encounter.participant.type of PV1-7. */
export const ATTENDER: CodingDef = { system: HL7_SYSTEM.v3ParticipationType, code: 'ATND', display: 'attender' };

/** Codes of our `task-code` system. */
export const TASK_CODES = {
  'identity-reconciliation': { display: "Rapprochement d'identités à vérifier" },
} as const satisfies Record<string, { display: string }>;

/** Why an identity match is ambiguous (our `reconciliation-reason` system). */
export const RECONCILIATION_REASONS = {
  'duplicate-ipp': { display: 'Plusieurs usagers portent le même IPP' },
  'ipp-ins-conflict': { display: "L'IPP et l'INS qualifié désignent deux usagers différents" },
  'duplicate-ins': { display: 'Plusieurs usagers portent le même INS qualifié' },
  'same-traits': { display: 'Usager(s) de mêmes nom et date de naissance avec d’autres identifiants' },
} as const satisfies Record<string, { display: string }>;
export type ReconciliationReason = keyof typeof RECONCILIATION_REASONS;

/** Task.input types of our Tasks (`task-input-type` system). */
export const TASK_INPUT_TYPES = {
  candidate: { display: 'Usager candidat au rapprochement' },
  'withheld-ins': { display: "INS qualifié non enregistré en attendant le rapprochement" },
} as const satisfies Record<string, { display: string }>;

/** A coding of one of our code systems, from its table. */
export function ourCoding<T extends Record<string, { display: string }>>(
  system: (typeof CODE_SYSTEM)[keyof typeof CODE_SYSTEM],
  table: T,
  code: keyof T & string,
): CodingDef {
  return { system, code, display: table[code]!.display };
}

/** True when `code` is a key of `table` (narrows the type). */
export function isKey<T extends object>(table: T, code: string | undefined): code is keyof T & string {
  return code !== undefined && Object.prototype.hasOwnProperty.call(table, code);
}
