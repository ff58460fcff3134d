/**
 * Identity resolution (identitovigilance, SPEC §3), pure: given the Patients the worker found
 * by IPP, by qualified INS and by traits (family name + birth date), decide which Patient an
 * inbound identity is. The rules:
 * - the source's own identifier (the IPP, in its namespace) is the first key;
 * - the INS is a key only for a qualified identity (`identityQualified`); otherwise `byIns`
 *   is ignored;
 * - never merge on name and birth date: traits alone never select a Patient. A person with the
 *   same traits but other identifiers is a possible duplicate: create, and ask a human;
 * - an ambiguous situation is accepted, never merged: the write goes on (on the IPP's Patient
 *   when there is one, else a new Patient) and a reconciliation Task is raised. When another
 *   Patient already holds the qualified INS, the INS is withheld from the write (carried by
 *   the Task) so that two Patients never share it.
 * Merged Patients (`active: false`, `link.type = replaced-by`) stand for their survivor.
 *
 * Decision table (P, Q: distinct Patients):
 * | byIpp | qualified INS → | traits | decision |
 * |---|---|---|---|
 * | [P, Q…] | any | any | use-and-reconcile P (first id), `duplicate-ipp` |
 * | [P] | [] or [P] | any | use P |
 * | [P] | [Q…] | any | use-and-reconcile P, `ipp-ins-conflict`, INS withheld |
 * | [] | [Q] | any | use Q (qualified INS is a key) |
 * | [] | [Q, R…] | any | create-and-reconcile, `duplicate-ins`, INS withheld |
 * | [] | [] (or not qualified) | [T…] | create-and-reconcile, `same-traits` |
 * | [] | [] (or not qualified) | [] | create |
 */
import type { Patient } from '@medplum/fhirtypes';
import type { ReconciliationReason } from './code-maps.js';

/** What the worker found, each list from one search. */
export interface MatchInput {
  /** Patients with the message's IPP (system|value). */
  byIpp: readonly Patient[];
  /** Patients with the message's INS as identifier (searched only when qualified; ignored otherwise). */
  byIns: readonly Patient[];
  /** Patients with the same family name and birth date. */
  byTraits: readonly Patient[];
  /** PID-32 says the identity is qualified (`identityQualified(event.patient)`). */
  identityQualified: boolean;
}

/** The decision. `use*` give the FHIR id of the Patient to write to. */
export type PatientMatch =
  | { action: 'use'; patientId: string }
  | { action: 'use-and-reconcile'; patientId: string; reason: ReconciliationReason; candidates: string[]; withholdIns: boolean }
  | { action: 'create' }
  | { action: 'create-and-reconcile'; reason: ReconciliationReason; candidates: string[]; withholdIns: boolean };

/** The id a Patient stands for: its survivor's when it was merged (one hop), else its own. */
export function survivingId(patient: Patient): string | undefined {
  const link = patient.link?.find((l) => l.type === 'replaced-by' && l.other.reference?.startsWith('Patient/') === true);
  const survivor = link?.other.reference?.slice('Patient/'.length);
  return survivor !== undefined && survivor !== '' ? survivor : patient.id;
}

/** Distinct surviving ids, sorted (the decision must not depend on search order). */
function ids(patients: readonly Patient[]): string[] {
  return [...new Set(patients.map(survivingId).filter((id): id is string => id !== undefined && id !== ''))].sort();
}

/**
 * Decides which Patient an inbound identity is.
 * @example decidePatientMatch({ byIpp: [], byIns: [], byTraits: [], identityQualified: true }) // { action: 'create' }
 */
export function decidePatientMatch(input: MatchInput): PatientMatch {
  const ipp = ids(input.byIpp);
  const ins = input.identityQualified ? ids(input.byIns) : [];
  const keyed = new Set([...ipp, ...ins]);
  const traits = ids(input.byTraits).filter((id) => !keyed.has(id));

  if (ipp.length > 1) {
    const patientId = ipp[0]!;
    const holders = ins.filter((id) => id !== patientId);
    return { action: 'use-and-reconcile', patientId, reason: 'duplicate-ipp', candidates: union(ipp, ins), withholdIns: holders.length > 0 };
  }
  if (ipp.length === 1) {
    const patientId = ipp[0]!;
    const others = ins.filter((id) => id !== patientId);
    if (others.length === 0) return { action: 'use', patientId };
    return { action: 'use-and-reconcile', patientId, reason: 'ipp-ins-conflict', candidates: union(ipp, ins), withholdIns: true };
  }
  if (ins.length === 1) return { action: 'use', patientId: ins[0]! };
  if (ins.length > 1) return { action: 'create-and-reconcile', reason: 'duplicate-ins', candidates: ins, withholdIns: true };
  if (traits.length > 0) return { action: 'create-and-reconcile', reason: 'same-traits', candidates: traits, withholdIns: false };
  return { action: 'create' };
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}
