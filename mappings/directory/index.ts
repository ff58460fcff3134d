/** Directory entries → FHIR transactions. */
export { organizationEntryToTransaction } from './organization-entry.js';
export { practitionerEntryToTransaction } from './practitioner-entry.js';
export type { DirectoryMappingContext, DirectoryTransaction } from './context.js';
