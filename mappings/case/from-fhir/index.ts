/** FHIR → case document: the public entry points. */
export { fhirToCase, type CaseFromFhir, type FhirToCaseOptions } from './case.js';
export { createResolver, type Resolver, type ResourceEntry } from './resolver.js';
export { readOrigin, type Origin } from './common.js';
export { planFromFhir } from './care-plan.js';
export { teamFromFhir } from './care-team.js';
export { patientFromFhir } from './patient.js';
export { supportRequestFromFhir } from './service-request.js';
