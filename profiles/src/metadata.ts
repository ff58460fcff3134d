import type { CodeableConcept } from '@medplum/fhirtypes';

/**
 * Metadata shared by every artefact Passerelle publishes. The date is a constant, not the
 * clock, so that regenerating gives byte-identical files; bump it with the version.
 */
export const ARTEFACT_METADATA = {
  version: '0.1.0',
  date: '2026-11-24',
  status: 'active',
  publisher: 'Passerelle',
  jurisdiction: {
    coding: [{ system: 'urn:iso:std:iso:3166', code: 'FR', display: 'France' }],
  } satisfies CodeableConcept,
} as const;
