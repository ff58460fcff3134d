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

/**
 * The publication header every artefact carries between its url and its description, in the
 * order FHIR lists the elements (regeneration must stay byte-identical).
 */
export function publicationHeader(source: { name: string; title: string }) {
  return {
    version: ARTEFACT_METADATA.version,
    name: source.name,
    title: source.title,
    status: ARTEFACT_METADATA.status,
    experimental: false,
    date: ARTEFACT_METADATA.date,
    publisher: ARTEFACT_METADATA.publisher,
  } as const;
}
