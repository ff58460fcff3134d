import type { CodeSystem, ElementDefinition, StructureDefinition, ValueSet } from '@medplum/fhirtypes';
import { PASSERELLE_BASE } from '../canonical.js';
import { codeListSources } from '../src/code-lists.js';
import { EXTENSION_SOURCES, PROFILE_SOURCES } from '../src/index.js';
import { loadBaseRegistry } from './base-definitions.js';
import { buildStructureDefinition } from './structure-definition.js';
import { buildCodeSystem, buildValueSet } from './terminology.js';

/** One file `profiles/build.ts` writes: its name (in `profiles/`) and exact content. */
export interface GeneratedFile {
  name: string;
  content: string;
}

/** Names of the files the generator owns in `profiles/`; anything else there is left alone. */
export const GENERATED_FILE_PATTERN = /^(StructureDefinition|CodeSystem|ValueSet)-[A-Za-z0-9\-.]+\.json$/;

/** Every artefact Passerelle publishes, as resources. */
export interface Artefacts {
  extensions: StructureDefinition[];
  profiles: StructureDefinition[];
  codeSystems: CodeSystem[];
  valueSets: ValueSet[];
}

/**
 * Builds every artefact from the typed sources, the code lists of the mappings and the pinned
 * base R4 definitions. Pure apart from reading those definitions: same inputs, same output.
 */
export function buildArtefacts(): Artefacts {
  const registry = loadBaseRegistry();
  // Extensions first: profiles slice on them and expand their definitions.
  const extensions = EXTENSION_SOURCES.map((source) => {
    const sd = buildStructureDefinition(source, registry);
    registry.register(sd);
    return sd;
  });
  const profiles = PROFILE_SOURCES.map((source) => buildStructureDefinition(source, registry));
  const lists = codeListSources();
  const artefacts: Artefacts = {
    extensions,
    profiles,
    codeSystems: lists.map(buildCodeSystem),
    valueSets: lists.map(buildValueSet),
  };
  checkReferences(artefacts);
  return artefacts;
}

/**
 * Every Passerelle canonical a definition points at (binding, type profile) must be one we
 * publish: a dangling URL would only show up when someone else validates our resources.
 */
function checkReferences(artefacts: Artefacts): void {
  const published = new Set<string>([
    ...artefacts.extensions.map((sd) => sd.url),
    ...artefacts.profiles.map((sd) => sd.url),
    ...artefacts.valueSets.map((vs) => vs.url as string),
  ]);
  for (const sd of [...artefacts.extensions, ...artefacts.profiles]) {
    for (const element of sd.snapshot?.element ?? []) {
      for (const url of referencedCanonicals(element)) {
        if (url.startsWith(PASSERELLE_BASE) && !published.has(url)) {
          throw new Error(`${sd.id}: ${element.id} refers to ${url}, which is not published`);
        }
      }
    }
  }
}

/** Canonical URLs an element refers to: its binding and its type (target) profiles. */
function referencedCanonicals(element: ElementDefinition): string[] {
  const urls: string[] = [];
  if (element.binding?.valueSet) {
    urls.push(element.binding.valueSet);
  }
  for (const type of element.type ?? []) {
    urls.push(...(type.profile ?? []), ...(type.targetProfile ?? []));
  }
  return urls;
}

/** The files for `profiles/`, sorted by name: two-space JSON and a final newline. */
export function generateFiles(artefacts: Artefacts = buildArtefacts()): GeneratedFile[] {
  const resources = [
    ...artefacts.extensions,
    ...artefacts.profiles,
    ...artefacts.codeSystems,
    ...artefacts.valueSets,
  ];
  const files = resources.map((resource) => ({
    name: `${resource.resourceType}-${resource.id as string}.json`,
    content: JSON.stringify(resource, null, 2) + '\n',
  }));
  const names = new Set<string>();
  for (const file of files) {
    if (!GENERATED_FILE_PATTERN.test(file.name) || names.has(file.name)) {
      throw new Error(`Invalid or duplicate artefact file name ${file.name}`);
    }
    names.add(file.name);
  }
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
