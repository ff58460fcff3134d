/**
 * The FHIR facade `/fhir` (SPEC §4, §7): read, search with `_include` / `_revinclude`, the
 * limited version-aware updates, per-tenant isolation and the audit trail.
 */
export { registerFhirFacade } from './routes.js';
export type { FacadeWrite, FhirFacadeDeps } from './routes.js';
export type { AuditAction, AuditInteraction, AuditOutcome, AuditRecord, AuditSink } from './audit.js';
export { FhirAuditSink, DEFAULT_BATCH_SIZE, DEFAULT_FLUSH_INTERVAL_MS, DEFAULT_MAX_QUEUED } from './fhir-audit-sink.js';
export type { AuditSinkLogger, FhirAuditSinkOptions } from './fhir-audit-sink.js';
export { capabilityStatement } from './capability-statement.js';
export { FACADE_TYPES, RESOURCES } from './resource-table.js';
export type { FacadeType } from './resource-table.js';
export { facadeWriteEvent, facadeWriteHook } from './write-events.js';
export { carePlanWrite, stampedElementId, OTHERS_ACTIVITY_PATHS, STAMPED_ID_PREFIX } from './write-careplan.js';
export type { CarePlanWrite, RefusedChange } from './write-careplan.js';
