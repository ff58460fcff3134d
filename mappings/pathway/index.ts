/**
 * The unified pathway of a person (SPEC §2 `GET /v1/patients/{patientId}/pathway`): pure
 * mapping from gathered FHIR resources to a view in the case-document vocabulary.
 */
export { buildPathway, SHOWN_PLAN_STATUSES, type BuildPathwayOptions } from './build.js';
export { missingReferences, REFERENCED_TYPES, type ReferencedType } from './references.js';
export { patientView } from './patient.js';
export { isDischargeTask, DISCHARGE_TASK_CODE } from './tasks.js';
export { OPEN_TASK_STATUSES } from './labels.js';
export type { ClientNameLookup } from './origin.js';
export * from './view.js';
