/** Case document → FHIR: the public entry points. */
export { caseToTransaction, caseToRevocation, type CaseTransaction, type CaseMappingContext, type CaseMappingMode } from './bundle.js';
export { caseWriteHash } from './provenance.js';
