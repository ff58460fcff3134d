/**
 * What `extractAdt` reads from an ADT message: HL7 values, decoded and typed, not yet FHIR.
 * Strings are `''`-free: an absent value is `undefined` (or an empty list), so the FHIR mappers
 * never write empty elements. Dates are already FHIR `date` / `dateTime` strings.
 */
import type { HierarchicDesignator } from './parse.js';

/** Events SPEC §3 supports; anything else is answered `AR`. */
export const SUPPORTED_ADT_EVENTS = ['A01', 'A03', 'A04', 'A08', 'A11', 'A13', 'A40'] as const;
export type SupportedAdtEvent = (typeof SUPPORTED_ADT_EVENTS)[number];

/** CX: an identifier within its namespace (PID-3, PV1-19, MRG-1). */
export interface Hl7Identifier {
  value: string;
  /** CX-4: the namespace (e.g. `CH_EXEMPLE` / OID `1.2.250.1.999.1.1`). */
  assigningAuthority?: HierarchicDesignator;
  /** CX-5: PI (hospital IPP), INS, INS-NIR, INS-NIA, NH, VN, AN… */
  typeCode?: string;
  /** CX-6. */
  assigningFacility?: HierarchicDesignator;
  /**
   * The FHIR `Identifier.system` this identifier was read from (FHIR notifications only, never
   * HL7 v2): when set, the mappers write it as the system unchanged (see `identifierSystem`).
   */
  fhirSystem?: string;
}

/** XPN. PAM France: `L` birth name (with PID-5.3 = every birth first name), `D` used name. */
export interface Hl7Name {
  family?: string;
  given?: string;
  /** XPN-3: second and further given names (INS: the full list of birth first names). */
  furtherGivenNames?: string;
  suffix?: string;
  prefix?: string;
  degree?: string;
  /** XPN-7: L, D, S… */
  typeCode?: string;
}

/** XAD. */
export interface Hl7Address {
  street?: string;
  otherDesignation?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  country?: string;
  /** XAD-7: H home, O office, BDL birth place… */
  typeCode?: string;
  /** XAD-9: county/parish (INSEE commune code in France). */
  countyCode?: string;
}

/** XTN, reduced to one value. */
export interface Hl7Telecom {
  /** The number or address: XTN-1, else XTN-4 (e-mail), else XTN-12, else area + local number. */
  value: string;
  /** XTN-2: PRN primary residence, WPN work, ORN other, NET network, EMR emergency… */
  useCode?: string;
  /** XTN-3: PH, CP (mobile), FX, Internet… */
  equipmentType?: string;
}

/** XCN: a professional (PD1-4, ROL-4, PV1-7). */
export interface Hl7Person {
  /** XCN-1 with its namespace XCN-9 and type XCN-13 (RPPS, ADELI…). */
  identifier?: Hl7Identifier;
  family?: string;
  given?: string;
  prefix?: string;
}

export interface AdtPatient {
  identifiers: Hl7Identifier[];
  names: Hl7Name[];
  /** PID-7, FHIR date. */
  birthDate?: string;
  /** PID-8 as sent: M, F, U, O, A, N. */
  sex?: string;
  addresses: Hl7Address[];
  /** PID-13 then PID-14. */
  telecoms: Hl7Telecom[];
  /** PID-29, FHIR dateTime. */
  deathDateTime?: string;
  /** PID-30: Y or N. */
  deathIndicator?: string;
  /** PID-32 codes: VALI (qualified), QUAL, PROV, VIDE, DOUTE, FICTI… */
  identityReliability: string[];
}

export interface AdtVisit {
  /** PV1-2: I inpatient, O outpatient, E emergency, R recurring… */
  patientClass?: string;
  /** PV1-3: point of care ^ room ^ bed ^ facility. */
  assignedLocation?: { pointOfCare?: string; room?: string; bed?: string; facility?: HierarchicDesignator };
  /** PV1-10. */
  hospitalService?: string;
  /** PV1-7. */
  attendingDoctors: Hl7Person[];
  /** PV1-19: the stay's identifier (Encounter.identifier). */
  visitNumber?: Hl7Identifier;
  /** PV1-36. */
  dischargeDisposition?: string;
  /** PV1-37: where the patient went (e.g. a FINESS) and when. */
  dischargedTo?: { location: string; effectiveDateTime?: string };
  /** PV1-44. */
  admitDateTime?: string;
  /** PV1-45 (first repetition). */
  dischargeDateTime?: string;
}

/** ZBE (IHE PAM France): the movement this message is about. */
export interface AdtMovement {
  /** ZBE-1 (EI): id ^ namespace ^ OID ^ type. */
  id?: Hl7Identifier;
  /** ZBE-2. */
  dateTime?: string;
  /** ZBE-4. */
  action?: 'INSERT' | 'UPDATE' | 'CANCEL';
  /** ZBE-5: Y for a historic movement. */
  historic?: string;
  /** ZBE-6: trigger of the movement being updated or cancelled (e.g. A03 for an A13). */
  originalTrigger?: string;
  /** ZBE-7: responsible medical unit (XON name, id XON-10). */
  medicalUnit?: { name?: string; code?: string };
  /** ZBE-9: nature of the movement (S, H, M, L, D, SM, HMS…). */
  nature?: string;
}

/** ZFM (IHE PAM France): PMSI modes. ZFM-2 is used when PV1-36 is empty. */
export interface AdtPmsiModes {
  /** ZFM-1 mode d'entrée. */
  entryMode?: string;
  /** ZFM-2 mode de sortie: 6 mutation, 7 transfer, 8 home, 9 death. */
  exitMode?: string;
  /** ZFM-3 mode de provenance. */
  origin?: string;
  /** ZFM-4 mode de destination. */
  destination?: string;
}

/** One PID/MRG pair of an A40: `survivor` replaces the patient known by `priorIdentifiers`. */
export interface AdtMerge {
  survivor: AdtPatient;
  /** MRG-1. */
  priorIdentifiers: Hl7Identifier[];
  /** MRG-5. */
  priorVisitNumber?: Hl7Identifier;
}

export interface AdtEvent {
  /** MSH-9.2 (EVN-1 when MSH-9.2 is empty). */
  trigger: string;
  /** Whether SPEC §3 handles this message type and event. */
  supported: boolean;
  messageType: string;
  messageStructure?: string;
  controlId: string;
  sendingApplication: HierarchicDesignator;
  sendingFacility: HierarchicDesignator;
  /** MSH-7, FHIR dateTime. */
  messageDateTime?: string;
  /** EVN-2. */
  recordedDateTime?: string;
  /** EVN-3. */
  plannedDateTime?: string;
  /** EVN-4. */
  eventReason?: string;
  /** EVN-6. */
  occurredDateTime?: string;
  /** First PID. */
  patient?: AdtPatient;
  /** PD1-4 and ROL segments with a GP role (ODRP médecin traitant, FHCP, PP). */
  generalPractitioners: Hl7Person[];
  visit?: AdtVisit;
  movement?: AdtMovement;
  pmsi?: AdtPmsiModes;
  /** A40 only. */
  merges: AdtMerge[];
}

/** Result of `extractAdt`: what could be read, and what could not. */
export interface AdtExtraction {
  event: AdtEvent;
  /** Values that could not be read and segments not mapped, each naming its location. */
  issues: string[];
}
