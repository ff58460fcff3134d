import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CodeSystem, StructureDefinition, ValueSet } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { CODE_LISTS } from '../mappings/case/code-lists.js';
import { CODE_SYSTEM, EXTENSION, PROFILE } from './canonical.js';
import { GENERATED_FILE_PATTERN, generateFiles, type GeneratedFile } from './generator/artefacts.js';
import { pathOfId } from './generator/snapshot.js';
import { allCodeSystems, allExtensionDefinitions, allProfiles, allValueSets, profileFor } from './index.js';

const profilesDir = dirname(fileURLToPath(import.meta.url));

let files: GeneratedFile[];
beforeAll(() => {
  files = generateFiles();
});

describe('profiles/build.ts', () => {
  it('generates byte-identical files on every run', () => {
    expect(generateFiles()).toEqual(files);
  });

  it('matches the committed files exactly (run `npx tsx profiles/build.ts` after changing a source)', () => {
    const committed = readdirSync(profilesDir).filter((name) => GENERATED_FILE_PATTERN.test(name)).sort();
    expect(committed).toEqual(files.map((f) => f.name));
    for (const file of files) {
      expect(readFileSync(join(profilesDir, file.name), 'utf8'), file.name).toBe(file.content);
    }
  });
});

describe('committed StructureDefinitions', () => {
  it('publish one profile per canonical URL of PROFILE, and every extension of EXTENSION', () => {
    expect(allProfiles.map((sd) => sd.url).sort()).toEqual(Object.values(PROFILE).sort());
    expect(allExtensionDefinitions.map((sd) => sd.url).sort()).toEqual(Object.values(EXTENSION).sort());
    expect(profileFor('CarePlan')?.url).toBe(PROFILE.carePlan);
    expect(profileFor('Encounter')).toBeUndefined();
  });

  it.each([...allProfiles, ...allExtensionDefinitions].map((sd) => [sd.id, sd] as const))(
    '%s has a consistent snapshot covering its differential',
    (_id, sd: StructureDefinition) => {
      const snapshot = sd.snapshot?.element ?? [];
      const ids = snapshot.map((e) => e.id ?? '');
      expect(sd.derivation).toBe('constraint');
      expect(snapshot[0]?.path).toBe(sd.type);
      expect(new Set(ids).size).toBe(ids.length);
      for (const element of snapshot) {
        expect(element.path, element.id).toBe(pathOfId(element.id ?? ''));
        // Every element of a slice sits under its slice entry, and that entry is present.
        const slicePrefix = element.id?.match(/^(.*?:[^.]+)\./)?.[1];
        if (slicePrefix) {
          expect(ids).toContain(slicePrefix);
        }
      }
      for (const diff of sd.differential?.element ?? []) {
        expect(ids, diff.id).toContain(diff.id);
      }
    },
  );

  it('never put a pattern or fixed value on a repeating element outside a slice', () => {
    for (const sd of [...allProfiles, ...allExtensionDefinitions]) {
      for (const element of sd.snapshot?.element ?? []) {
        const constrained = Object.keys(element).some((k) => k.startsWith('pattern') || k.startsWith('fixed'));
        if (constrained && !element.sliceName) {
          expect(element.base?.max, `${sd.id} ${element.id}`).toBe('1');
        }
      }
    }
  });
});

describe('committed CodeSystems and ValueSets', () => {
  it('publish every code list of the case document with the codes and French displays of its table', () => {
    for (const list of Object.values(CODE_LISTS)) {
      const cs = allCodeSystems.find((c) => c.url === list.system) as CodeSystem;
      expect(cs, list.system).toBeDefined();
      expect(cs.language).toBe('fr');
      expect(cs.content).toBe('complete');
      const table = list.codes as Record<string, { display: string }>;
      expect(cs.concept?.map((c) => [c.code, c.display])).toEqual(Object.entries(table).map(([code, v]) => [code, v.display]));
      expect(cs.count).toBe(cs.concept?.length);
    }
  });

  it('publish the PPS category and the support request type the mappers use', () => {
    const codes = (url: string) => allCodeSystems.find((c) => c.url === url)?.concept?.map((c) => c.code);
    expect(codes(CODE_SYSTEM.carePlanCategory)).toEqual(['pps']);
    expect(codes(CODE_SYSTEM.requestType)).toEqual(['demande-appui']);
  });

  it('pair each CodeSystem with a ValueSet of all its codes, and bind only to published ValueSets', () => {
    expect(allValueSets.length).toBe(allCodeSystems.length);
    for (const cs of allCodeSystems) {
      const vs = allValueSets.find((v) => v.url === cs.valueSet) as ValueSet;
      expect(vs, cs.url).toBeDefined();
      expect(vs.compose?.include).toEqual([{ system: cs.url }]);
    }
    const published = new Set(allValueSets.map((v) => v.url));
    for (const sd of [...allProfiles, ...allExtensionDefinitions]) {
      for (const element of sd.snapshot?.element ?? []) {
        const vs = element.binding?.valueSet;
        if (vs?.startsWith('https://fhir.passerelle.fr/')) {
          expect(published.has(vs), `${sd.id} ${element.id} → ${vs}`).toBe(true);
        }
      }
    }
  });
});
