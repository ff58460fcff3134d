/**
 * ADT (HL7 v2) → FHIR: the public entry points. Pure: no I/O; clock and ids are injected.
 *
 * - {@link adtToTransaction}: one transaction per message, its effects and issues;
 * - identity: {@link decidePatientMatch}, {@link identityQualified};
 * - discharge coordination (after the write, once plan and team are read): {@link dischargeTask},
 *   {@link reassessmentActivity}, {@link coordinatingOrganization}, {@link cancelDischarge};
 * - merge: {@link mergeUpdates}, {@link repointSubject}.
 */
export { adtToTransaction, type AdtTransaction } from './transaction.js';
export type { AdtEffects, AdtMappingOptions, MergePair, StayEffect, WrittenRef } from './events/types.js';
export { facilityNamespaceFor, type AdtMappingContext, type FacilityNamespace } from './context.js';
export { decidePatientMatch, survivingId, type MatchInput, type PatientMatch } from './identity.js';
export { hasPatientKey, identityQualified, preservePatientState } from './resources/patient.js';
export { classifyPatientIdentifiers, identifierSystem, visitKeyOf } from './resources/identifiers.js';
export { facilityIdentifier } from './resources/organization.js';
export { effectsProvenance } from './resources/provenance.js';
export {
  cancelDischargeTask, dischargeTask, dischargeTaskIdentifier, dischargeTaskUpsert, reconciliationTask, taskEntry,
  type DischargeTaskInput, type ReconciliationTaskInput,
} from './resources/task.js';
export { cancelReassessment, reassessmentActivity, reassessmentElementId, withReassessment, type ReassessmentInput } from './resources/care-plan-activity.js';
export { cancelDischarge, coordinatingOrganization, isCoordinator, referencesNeedingRoles, type DischargeCancellation } from './resources/coordination.js';
export { mergeUpdates, PATIENT_REFERENCE_FIELDS, repointSubject, type MergedPatients } from './resources/merge.js';
