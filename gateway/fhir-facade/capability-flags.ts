import type { CapabilityStatementRestResource } from '@medplum/fhirtypes';

/** What no `/fhir` resource offers: instance history and conditional interactions (spelled out, as R4 asks). */
export const NO_CONDITIONAL_INTERACTIONS = {
  readHistory: false,
  updateCreate: false,
  conditionalCreate: false,
  conditionalRead: 'not-supported',
  conditionalUpdate: false,
  conditionalDelete: 'not-supported',
} as const satisfies Partial<CapabilityStatementRestResource>;
