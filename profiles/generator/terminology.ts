import type { CodeSystem, ValueSet } from '@medplum/fhirtypes';
import { ARTEFACT_METADATA, publicationHeader } from '../src/metadata.js';

/** One closed code list of the case document, ready to be published as CodeSystem + ValueSet. */
export interface CodeListSource {
  /** Logical id shared by the CodeSystem and its ValueSet (`team-role`). */
  id: string;
  /** CodeSystem canonical URL (from `CODE_SYSTEM`). */
  url: string;
  /** ValueSet canonical URL (from `VALUE_SET`). */
  valueSetUrl: string;
  /** Computable name, PascalCase. */
  name: string;
  /** French title. */
  title: string;
  description: string;
  /** The codes, in the order of the source table, with their French display. */
  concepts: readonly { code: string; display: string; definition?: string }[];
}

/** Refuses empty lists, duplicate codes and blank displays: they would publish a broken code system. */
function checkConcepts(source: CodeListSource): void {
  if (source.concepts.length === 0) {
    throw new Error(`Code list ${source.id} is empty`);
  }
  const seen = new Set<string>();
  for (const concept of source.concepts) {
    if (!/^[^\s]+( [^\s]+)*$/.test(concept.code)) {
      throw new Error(`Code list ${source.id}: invalid code "${concept.code}"`);
    }
    if (seen.has(concept.code)) {
      throw new Error(`Code list ${source.id}: duplicate code "${concept.code}"`);
    }
    if (!concept.display.trim()) {
      throw new Error(`Code list ${source.id}: code "${concept.code}" has no display`);
    }
    seen.add(concept.code);
  }
}

/**
 * The CodeSystem of a closed code list: complete content, French displays (`language: fr`).
 * @example buildCodeSystem(teamRoles).concept?.map((c) => c.code)
 */
export function buildCodeSystem(source: CodeListSource): CodeSystem {
  checkConcepts(source);
  return {
    resourceType: 'CodeSystem',
    id: source.id,
    language: 'fr',
    url: source.url,
    ...publicationHeader(source),
    description: source.description,
    jurisdiction: [ARTEFACT_METADATA.jurisdiction],
    caseSensitive: true,
    valueSet: source.valueSetUrl,
    content: 'complete',
    count: source.concepts.length,
    concept: source.concepts.map((c) => ({
      code: c.code,
      display: c.display,
      ...(c.definition ? { definition: c.definition } : {}),
    })),
  };
}

/**
 * The ValueSet holding every code of the code list's CodeSystem (the target of our
 * required bindings).
 */
export function buildValueSet(source: CodeListSource): ValueSet {
  checkConcepts(source);
  return {
    resourceType: 'ValueSet',
    id: source.id,
    language: 'fr',
    url: source.valueSetUrl,
    ...publicationHeader(source),
    description: `Tous les codes de ${source.url}. ${source.description}`,
    jurisdiction: [ARTEFACT_METADATA.jurisdiction],
    immutable: false,
    compose: { include: [{ system: source.url }] },
  };
}
