import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CodeSystem, StructureDefinition, ValueSet } from '@medplum/fhirtypes';

/*
 * Loads the committed artefacts (the JSON files `profiles/build.ts` writes next to this
 * module). Read once, at import: they are small, and every consumer needs the same objects.
 * The generator is not imported here: running Passerelle never regenerates anything.
 */

const profilesDir = dirname(fileURLToPath(import.meta.url));

/** Parses every `<ResourceType>-*.json` of `profiles/`, in file-name order. */
function loadAll<T extends { resourceType: string }>(resourceType: T['resourceType']): readonly T[] {
  return readdirSync(profilesDir)
    .filter((name) => name.startsWith(`${resourceType}-`) && name.endsWith('.json'))
    .sort()
    .map((name) => {
      const resource = JSON.parse(readFileSync(join(profilesDir, name), 'utf8')) as T;
      if (resource.resourceType !== resourceType) {
        throw new Error(`profiles/${name} is a ${resource.resourceType}, not a ${resourceType}`);
      }
      return Object.freeze(resource);
    });
}

/** Every StructureDefinition we publish: profiles and extension definitions. */
export const allStructureDefinitions: readonly StructureDefinition[] = loadAll<StructureDefinition>('StructureDefinition');

/** Our resource profiles (one per constrained resource type). */
export const allProfiles: readonly StructureDefinition[] = allStructureDefinitions.filter((sd) => sd.kind === 'resource');

/** Our extension definitions (e.g. `element-origin`). */
export const allExtensionDefinitions: readonly StructureDefinition[] = allStructureDefinitions.filter(
  (sd) => sd.type === 'Extension',
);

/** The CodeSystems of the closed code lists (French displays). */
export const allCodeSystems: readonly CodeSystem[] = loadAll<CodeSystem>('CodeSystem');

/** One ValueSet per CodeSystem, holding all its codes. */
export const allValueSets: readonly ValueSet[] = loadAll<ValueSet>('ValueSet');

const profilesByType = new Map<string, StructureDefinition>();
for (const sd of allProfiles) {
  if (profilesByType.has(sd.type)) {
    throw new Error(`Two Passerelle profiles constrain ${sd.type}`);
  }
  profilesByType.set(sd.type, sd);
}

/**
 * Our profile for a resource type, if we publish one.
 * @example profileFor('CarePlan')?.url // 'https://fhir.passerelle.fr/StructureDefinition/passerelle-pps-careplan'
 */
export function profileFor(resourceType: string): StructureDefinition | undefined {
  return profilesByType.get(resourceType);
}
