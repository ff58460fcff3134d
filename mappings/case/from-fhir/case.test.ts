import { readFileSync } from 'node:fs';
import type { BundleEntry, CarePlan, CareTeam, Resource } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CaseDocumentSchema, type CaseDocument } from '../schema.js';
import { caseDocumentArb } from '../testing/arbitraries.js';
import { caseToTransaction, type CaseMappingContext } from '../to-fhir/index.js';
import { fhirToCase } from './index.js';

const ctx: CaseMappingContext = { clientId: 'dac-doubs', tenant: 'doubs', caseId: 'DOS-7', now: '2024-03-10T09:00:00.000Z' };
const dupont = (): CaseDocument => CaseDocumentSchema.parse(JSON.parse(readFileSync(new URL('../__fixtures__/case-dupont.json', import.meta.url), 'utf8')));

/**
 * What a FHIR server returns after the transaction: every resource with a server id, every
 * urn:uuid reference rewritten to `Type/id`, no fullUrls.
 */
function asStored(entries: BundleEntry[]): { resource: Resource }[] {
  const ids = new Map<string, string>();
  entries.forEach((e, i) => ids.set(e.fullUrl!, `${e.resource!.resourceType}/srv-${i}`));
  const text = JSON.stringify(entries.map((e, i) => ({ ...e.resource!, id: `srv-${i}` })))
    .replace(/"urn:uuid:[0-9a-f-]{36}"/g, (m) => JSON.stringify(ids.get(JSON.parse(m) as string)));
  return (JSON.parse(text) as Resource[]).map((resource) => ({ resource }));
}

describe('case → FHIR → case', () => {
  it('is lossless for every field of the case document (references resolved inside the bundle)', () => {
    fc.assert(fc.property(caseDocumentArb, (input) => {
      const doc = CaseDocumentSchema.parse(input);
      const { bundle } = caseToTransaction(doc, ctx);
      const back = fhirToCase(bundle.entry ?? [], { clientId: ctx.clientId });
      expect(back.doc).toStrictEqual(doc);
      expect(back.issues).toEqual([]);
      expect(back.caseId).toBe(doc.team || doc.plan || doc.supportRequest ? ctx.caseId : undefined);
    }), { numRuns: 300 });
  });

  it('reads resources as a server stores them (Type/id references)', () => {
    const doc = dupont();
    const { bundle } = caseToTransaction(doc, ctx);
    const back = fhirToCase(asStored(bundle.entry!), { clientId: ctx.clientId, caseId: 'DOS-7' });
    expect(back.doc).toStrictEqual(doc);
    expect(back.caseId).toBe('DOS-7');
  });

  it("leaves out, and counts, the elements another client contributed to the shared plan", () => {
    const doc = dupont();
    const ours = caseToTransaction(doc, ctx).bundle.entry!;
    const theirs = caseToTransaction(doc, { ...ctx, clientId: 'ehpad-tilleuls', caseId: 'E-1' }).bundle.entry!;
    // Graft the EHPAD's activities and participants onto our CarePlan and CareTeam, as the merge will.
    const plan = ours.find((e) => e.resource?.resourceType === 'CarePlan')!.resource as CarePlan;
    const team = ours.find((e) => e.resource?.resourceType === 'CareTeam')!.resource as CareTeam;
    const theirPlan = theirs.find((e) => e.resource?.resourceType === 'CarePlan')!.resource as CarePlan;
    const theirTeam = theirs.find((e) => e.resource?.resourceType === 'CareTeam')!.resource as CareTeam;
    plan.activity = [...plan.activity!, ...theirPlan.activity!.map((a) => ({ ...a, detail: { ...a.detail!, goal: undefined, performer: undefined } }))];
    team.participant = [...team.participant!, theirTeam.participant![0]!];
    const back = fhirToCase(ours, { clientId: ctx.clientId });
    expect(back.doc).toStrictEqual(doc);
    expect(back.issues).toEqual([
      "CareTeam: 1 membre(s) d'autres contributeurs non repris",
      "CarePlan: 2 élément(s) d'autres contributeurs non repris",
    ]);
  });

  it('reads a Patient that carries no id of the client, saying so', () => {
    const { bundle } = caseToTransaction(dupont(), ctx);
    const back = fhirToCase(bundle.entry!, { clientId: 'another-client' });
    expect(back.caseId).toBeUndefined();
    expect(back.doc!.patient.ins).toEqual({ value: '279035121518989', kind: 'NIR', identityStatus: 'qualified' });
    expect(back.issues).toEqual([expect.stringMatching(/^patient\.id: .* ne porte pas d'identifiant de another-client/)]);
  });
});
