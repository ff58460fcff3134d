import type { StructureDefinition } from '@medplum/fhirtypes';
import type { ProfileSource } from '../src/types.js';
import { ARTEFACT_METADATA, publicationHeader } from '../src/metadata.js';
import type { DefinitionRegistry } from './base-definitions.js';
import { coreUrl } from './base-definitions.js';
import { generateSnapshot, sortKeysInPlace } from './snapshot.js';

/**
 * Builds the StructureDefinition (snapshot and differential) of one profile or extension.
 * Everything comes from the source and the pinned base definitions: no clock, no randomness,
 * so the output is byte-identical from one run to the next.
 * @example buildStructureDefinition(carePlanProfile, registry).snapshot?.element.length
 */
export function buildStructureDefinition(source: ProfileSource, registry: DefinitionRegistry): StructureDefinition {
  const base = registry.get(coreUrl(source.type));
  const baseSnapshot = base.snapshot?.element;
  if (!baseSnapshot?.length) {
    throw new Error(`Base ${source.type} has no snapshot`);
  }
  if (base.kind === 'complex-type' && source.type === 'Extension' && !source.context?.length) {
    throw new Error(`Extension ${source.id} needs a context`);
  }
  const differential = source.differential.map((element) => {
    const copy = structuredClone(element);
    sortKeysInPlace(copy);
    return copy;
  });
  let snapshot;
  try {
    snapshot = generateSnapshot({ url: source.url, baseSnapshot, differential, registry });
  } catch (err) {
    throw new Error(`${source.id}: ${(err as Error).message}`, { cause: err });
  }
  return {
    resourceType: 'StructureDefinition',
    id: source.id,
    url: source.url,
    ...publicationHeader(source),
    description: source.description,
    jurisdiction: [ARTEFACT_METADATA.jurisdiction],
    fhirVersion: '4.0.1',
    kind: base.kind,
    abstract: false,
    ...(source.context ? { context: source.context } : {}),
    type: source.type,
    baseDefinition: base.url,
    derivation: 'constraint',
    snapshot: { element: snapshot },
    differential: { element: differential },
  };
}
