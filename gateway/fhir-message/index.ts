/**
 * FHIR messaging inbound edge (SPEC §3): `POST /fhir/$process-message` and its commit step
 * (store → queue → answer). The worker side is the `hl7-inbound` processor, which reads
 * `fhir-message` records with `mappings/notification`.
 */
export { createFhirMessageIntake, fhirMessageDedupeKey, type FhirMessageAnswer, type FhirMessageIntake, type FhirMessageIntakeDeps, type FhirMessageSource } from './intake.js';
export { registerFhirMessageRoute, FHIR_MESSAGE_MEDIA_TYPES, FHIR_MESSAGE_SCOPE, PROCESS_MESSAGE_PATH, type FhirMessageRouteDeps } from './route.js';
export { recoverPendingFhirMessages, type FhirMessageRecoveryDeps } from './recovery.js';
