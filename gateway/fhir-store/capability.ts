/**
 * The store's CapabilityStatement: what it really does, no more. Search parameters are not
 * listed one by one: every R4 search parameter of a type is accepted (unknown ones answer 400).
 */
import { getResourceTypes } from '@medplum/core';
import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';

function resourceCapability(type: CapabilityStatementRestResource['type']): CapabilityStatementRestResource {
  return {
    type,
    versioning: 'versioned-update',
    readHistory: true,
    updateCreate: false,
    conditionalCreate: true,
    conditionalUpdate: true,
    conditionalDelete: 'single',
    conditionalRead: 'not-supported',
    interaction: [
      { code: 'read' }, { code: 'vread' }, { code: 'update' }, { code: 'patch' }, { code: 'delete' },
      { code: 'history-instance' }, { code: 'history-type' }, { code: 'create' }, { code: 'search-type' },
    ],
  };
}

/**
 * `software.name` of the store's CapabilityStatement: how Passerelle recognises its own embedded
 * store behind `FHIR_BASE_URL` (its change feed is then not needed: `CHANGE_FEED=auto`).
 */
export const EMBEDDED_STORE_SOFTWARE_NAME = 'Passerelle embedded FHIR store';

/** Builds the CapabilityStatement served at `GET /fhir/metadata`. */
export function capabilityStatement(baseUrl: string): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-01-01',
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['application/fhir+json'],
    software: { name: EMBEDDED_STORE_SOFTWARE_NAME },
    implementation: { description: 'Embedded FHIR R4 store (Medplum FHIR router over SQLite)', url: baseUrl },
    rest: [
      {
        mode: 'server',
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
        resource: getResourceTypes().sort().map(resourceCapability),
      },
    ],
  };
}
