/**
 * Golden-file test: the SPEC example case → the expected transaction Bundle, byte for byte,
 * plus the list of what was not (fully) mapped.
 *
 * After an intended mapping change, regenerate and review the diff:
 *   npx tsx mappings/case/__golden__/regenerate.ts
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DUPONT_FIXTURE, DUPONT_GOLDEN, GOLDEN_CONTEXT } from './__golden__/golden-context.js';
import { CaseDocumentSchema } from './schema.js';
import { caseToTransaction } from './to-fhir/index.js';

const doc = CaseDocumentSchema.parse(JSON.parse(readFileSync(DUPONT_FIXTURE, 'utf8')));

describe('golden: case-dupont', () => {
  it('maps the SPEC example to the golden transaction bundle', () => {
    const { bundle } = caseToTransaction(doc, GOLDEN_CONTEXT);
    const golden = readFileSync(DUPONT_GOLDEN, 'utf8');
    expect(`${JSON.stringify(bundle, null, 2)}\n`).toBe(golden);
  });

  it('reports what it could not map fully: parties the case knows by identifier only', () => {
    const { issues } = caseToTransaction(doc, GOLDEN_CONTEXT);
    expect(issues).toEqual([
      "Practitioner rpps:10101010105 : aucun nom dans le dossier ; créé avec ses seuls identifiants s'il n'existe pas encore",
      "Practitioner rpps:10202020201 : aucun nom dans le dossier ; créé avec ses seuls identifiants s'il n'existe pas encore",
      "Organization finess:250012341 : aucun nom dans le dossier ; créée avec ses seuls identifiants si elle n'existe pas encore",
      "Organization siret:12345678900015 : aucun nom dans le dossier ; créée avec ses seuls identifiants si elle n'existe pas encore",
    ]);
  });

  it('writes one resource per real party and one per case element', () => {
    const { bundle } = caseToTransaction(doc, GOLDEN_CONTEXT);
    const counts: Record<string, number> = {};
    for (const e of bundle.entry ?? []) counts[e.resource!.resourceType] = (counts[e.resource!.resourceType] ?? 0) + 1;
    expect(counts).toEqual({
      Organization: 3, // FINESS 250012341, FINESS 250098761, SIRET 12345678900015
      Practitioner: 4, // the GP (3 mentions), the nurse, PRO-12, the physiotherapist
      PractitionerRole: 1, // PRO-12 at the DAC
      Patient: 1, RelatedPerson: 1, CareTeam: 1, Condition: 1, Goal: 1, ServiceRequest: 1, CarePlan: 1, Provenance: 1,
    });
  });
});
