/**
 * Types shared by the event roots and the transaction builder: what the worker must do after
 * the write (effects), and the options the identity decision sets.
 */
import type { BundleEntry, Identifier, Patient } from '@medplum/fhirtypes';
import type { PatientMatch } from '../identity.js';

/** A resource of the transaction, as the worker finds it again: its fullUrl in the bundle (→ response entry) and its business key. */
export interface WrittenRef {
  fullUrl: string;
  identifier: Identifier;
}

/** A stay the effect is about. */
export interface StayEffect {
  patient: WrittenRef;
  encounter: WrittenRef;
  /** `visitKeyOf(encounter.identifier)`: keys the discharge Task and the plan activity. */
  visitKey: string;
}

/** One PID/MRG pair of an A40. */
export interface MergePair {
  /** The survivor's key (its IPP), as written by this transaction. */
  survivor: Identifier;
  /** MRG-1: the identifiers (IPPs) of the Patient that is replaced. */
  prior: Identifier[];
}

/**
 * What the worker must do after the write, reading the person's current plan and team:
 * - `admitted`: publish `patient.admitted`;
 * - `discharged`: where the person has an active plan or team, write the discharge Task and the
 *   plan's reassessment activity (`dischargeTask`, `reassessmentActivity`, `coordinatingOrganization`),
 *   publish `patient.discharged`;
 * - `discharge-cancelled`: `cancelDischarge` on the stay's Task and plan;
 * - `merged`: `mergeUpdates` on each pair, then `repointSubject` on the prior's stays and tasks.
 *   `survivor` / `prior` are the first pair (the usual A40), `pairs` all of them;
 * - `none`: nothing.
 */
export type AdtEffects =
  | ({ kind: 'admitted' } & StayEffect)
  | ({ kind: 'discharged'; dischargeDateTime?: string } & StayEffect)
  | ({ kind: 'discharge-cancelled' } & StayEffect)
  | ({ kind: 'merged'; pairs: MergePair[] } & MergePair)
  | { kind: 'none' };

/** Options set by the worker after the identity search (see `decidePatientMatch`). */
export interface AdtMappingOptions {
  /** The identity decision: `use*` writes to that Patient (`PUT Patient?_id=…`); `*-and-reconcile` adds a reconciliation Task. */
  match?: PatientMatch | undefined;
  /** The stored Patient the write lands on: what the message does not carry is kept (`preservePatientState`). */
  currentPatient?: Patient | undefined;
}

/** What an event root returns. */
export interface EventMapping {
  entries: BundleEntry[];
  effects: AdtEffects;
}
