import { existsSync, readFileSync } from 'node:fs';
import { OperationOutcomeError } from '@medplum/core';
import type { Bundle, OperationOutcomeIssue } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CaseDocumentSchema } from '../mappings/case/schema.js';
import { caseDocumentArb } from '../mappings/case/testing/arbitraries.js';
import { caseToRevocation, caseToTransaction } from '../mappings/case/to-fhir/index.js';
import { profileFor, validateBundleEntries } from './index.js';

/*
 * Conformance (STYLE practice 9): what the case mappers produce for valid input is valid
 * FHIR R4 and conforms to our profiles — the golden bundle, the shared example case, and
 * generated case documents, written (PUT) and revoked (DELETE).
 */

const golden = new URL('../mappings/case/__golden__/case-dupont.bundle.json', import.meta.url);
const fixture = new URL('../mappings/case/__fixtures__/case-dupont.json', import.meta.url);
const ctx = { clientId: 'dac-doubs', tenant: 'doubs', caseId: 'DOS-2024-0042', now: '2024-03-10T09:00:00Z', requestId: 'req-1' };

/** All issues of a bundle's entries (errors included), without throwing. */
function bundleIssues(bundle: Bundle): OperationOutcomeIssue[] {
  try {
    return validateBundleEntries(bundle);
  } catch (err) {
    if (err instanceof OperationOutcomeError) {
      return err.outcome.issue ?? [];
    }
    throw err;
  }
}

describe('case mappers → profiles', () => {
  it.skipIf(!existsSync(golden))('the golden bundle of case-dupont is valid R4 and conforms to our profiles', () => {
    const bundle = JSON.parse(readFileSync(golden, 'utf8')) as Bundle;
    expect(bundle.entry?.length).toBeGreaterThan(0);
    expect(bundleIssues(bundle)).toEqual([]);
  });

  it('the example case, written and revoked, conforms — and every profiled resource declares its profile', () => {
    const doc = CaseDocumentSchema.parse(JSON.parse(readFileSync(fixture, 'utf8')));
    for (const { bundle } of [caseToTransaction(doc, ctx), caseToRevocation(doc, ctx)]) {
      expect(bundleIssues(bundle)).toEqual([]);
      const types = new Set(bundle.entry?.map((e) => e.resource?.resourceType));
      for (const type of ['Patient', 'CarePlan', 'CareTeam', 'ServiceRequest', 'Organization']) {
        expect(types.has(type as never), type).toBe(true);
      }
      for (const entry of bundle.entry ?? []) {
        const profile = profileFor(entry.resource?.resourceType ?? '');
        if (profile) {
          expect(entry.resource?.meta?.profile, entry.resource?.resourceType).toEqual([profile.url]);
        }
      }
    }
  });

  it('any valid case document maps to resources that conform', () => {
    fc.assert(
      fc.property(caseDocumentArb, (input) => {
        const doc = CaseDocumentSchema.parse(input);
        for (const { bundle } of [caseToTransaction(doc, ctx), caseToRevocation(doc, ctx)]) {
          const issues = bundleIssues(bundle);
          expect(issues, JSON.stringify(issues.slice(0, 5))).toEqual([]);
        }
      }),
      { numRuns: 60 },
    );
  });
});
