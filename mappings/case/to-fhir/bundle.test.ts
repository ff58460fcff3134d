import { readFileSync } from 'node:fs';
import type { Bundle, BundleEntry, CarePlan, CareTeam, Goal, Patient, Practitioner, Provenance, Resource } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CODE_SYSTEM, EXTENSION, FR_SYSTEM, PROFILE, sourceIdentifierSystem } from '../../../profiles/canonical.js';
import { CaseDocumentSchema, type CaseDocument } from '../schema.js';
import { caseDocumentArb } from '../testing/arbitraries.js';
import { caseToRevocation, caseToTransaction, type CaseMappingContext } from './index.js';

const ctx: CaseMappingContext = { clientId: 'dac-doubs', tenant: 'doubs', caseId: 'DOS-1', now: '2024-03-10T09:00:00.000Z' };
const dupont = (): CaseDocument => CaseDocumentSchema.parse(JSON.parse(readFileSync(new URL('../__fixtures__/case-dupont.json', import.meta.url), 'utf8')));
const resources = <T extends Resource>(bundle: Bundle, type: T['resourceType']) =>
  (bundle.entry ?? []).map((e) => e.resource).filter((r): r is T => r?.resourceType === type);
const entryOf = (bundle: Bundle, type: string): BundleEntry => bundle.entry!.find((e) => e.resource?.resourceType === type)!;

/** Every `reference` string anywhere in a value. */
function referencesIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => referencesIn(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') out.push(v);
      else referencesIn(v, out);
    }
  }
  return out;
}

describe('caseToTransaction', () => {
  it('makes every entry conditional on a business identifier', () => {
    fc.assert(fc.property(caseDocumentArb, (input) => {
      const { bundle } = caseToTransaction(CaseDocumentSchema.parse(input), ctx);
      expect(bundle.type).toBe('transaction');
      for (const e of bundle.entry ?? []) {
        const req = e.request!;
        if (req.method === 'PUT') expect(req.url).toMatch(/^[A-Za-z]+\?identifier=[^|]+\|.+$/);
        else {
          expect(req.method).toBe('POST');
          expect(req.ifNoneExist).toMatch(/^(identifier|_tag)=[^|]+\|.+$/);
        }
        expect(e.fullUrl).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      }
    }), { numRuns: 100 });
  });

  it('resolves every reference inside the bundle and never repeats a fullUrl', () => {
    fc.assert(fc.property(caseDocumentArb, (input) => {
      const { bundle } = caseToTransaction(CaseDocumentSchema.parse(input), ctx);
      const urls = (bundle.entry ?? []).map((e) => e.fullUrl);
      expect(new Set(urls).size).toBe(urls.length);
      for (const reference of referencesIn(bundle.entry?.map((e) => e.resource))) expect(urls).toContain(reference);
    }), { numRuns: 100 });
  });

  it('is deterministic, and only the Provenance depends on the clock', () => {
    fc.assert(fc.property(caseDocumentArb, (input) => {
      const doc = CaseDocumentSchema.parse(input);
      const a = caseToTransaction(doc, ctx).bundle;
      const b = caseToTransaction(doc, { ...ctx, now: '2030-01-01T00:00:00.000Z', requestId: 'other' }).bundle;
      const strip = (bundle: Bundle) => bundle.entry!.filter((e) => e.resource?.resourceType !== 'Provenance');
      expect(strip(b)).toEqual(strip(a));
      // The same write keeps the same Provenance key, so a replay re-matches it.
      expect(entryOf(b, 'Provenance').request).toEqual(entryOf(a, 'Provenance').request);
    }), { numRuns: 50 });
  });

  it('keys the Provenance on the content: another content, another Provenance', () => {
    const doc = dupont();
    const changed = { ...doc, plan: { ...doc.plan!, title: 'PPS révisé' } };
    const a = entryOf(caseToTransaction(doc, ctx).bundle, 'Provenance');
    const b = entryOf(caseToTransaction(changed, ctx).bundle, 'Provenance');
    expect(b.request!.ifNoneExist).not.toBe(a.request!.ifNoneExist);
    const provenance = a.resource as Provenance;
    expect(provenance.recorded).toBe(ctx.now);
    expect(provenance.target).toHaveLength(15);
  });

  it('tags every resource with its tenant and owner', () => {
    const { bundle } = caseToTransaction(dupont(), ctx);
    for (const e of bundle.entry!) {
      expect(e.resource!.meta!.tag).toEqual(expect.arrayContaining([
        { system: CODE_SYSTEM.tenant, code: 'doubs' },
        { system: CODE_SYSTEM.owner, code: 'dac-doubs' },
      ]));
    }
    expect(entryOf(bundle, 'CarePlan').resource!.meta!.profile).toEqual([PROFILE.carePlan]);
    expect(entryOf(bundle, 'Patient').resource!.meta!.profile).toEqual([PROFILE.patient]);
  });

  it('keys the Patient on a qualified INS, recorded as its official identifier', () => {
    const { bundle } = caseToTransaction(dupont(), ctx);
    const entry = entryOf(bundle, 'Patient');
    expect(entry.request).toEqual({ method: 'PUT', url: 'Patient?identifier=urn:oid:1.2.250.1.213.1.4.8|279035121518989&_tag=https://fhir.passerelle.fr/CodeSystem/tenant|doubs' });
    expect((entry.resource as Patient).identifier).toEqual([
      { use: 'official', type: { coding: [{ system: FR_SYSTEM.frCoreIdentifierType, code: 'INS-NIR', display: 'NIR définitif' }] }, system: FR_SYSTEM.insNir, value: '279035121518989' },
      { system: sourceIdentifierSystem('dac-doubs', 'patient'), value: 'USR-981', type: { coding: [{ system: FR_SYSTEM.v2IdentifierType, code: 'PI', display: 'Patient internal identifier' }] } },
    ]);
  });

  it('never records an unqualified INS as an identifier and keys the Patient on the client id', () => {
    const doc = dupont();
    doc.patient.ins = { ...doc.patient.ins!, identityStatus: 'provisional' };
    const { bundle, issues } = caseToTransaction(doc, ctx);
    const entry = entryOf(bundle, 'Patient');
    const patient = entry.resource as Patient;
    expect(entry.request!.url).toBe(`Patient?identifier=${sourceIdentifierSystem('dac-doubs', 'patient')}|USR-981&_tag=https://fhir.passerelle.fr/CodeSystem/tenant|doubs`);
    expect(JSON.stringify(patient.identifier)).not.toContain('279035121518989');
    expect(patient.extension).toEqual([{
      url: EXTENSION.unqualifiedIns,
      extension: [{ url: 'value', valueString: '279035121518989' }, { url: 'kind', valueCode: 'NIR' }, { url: 'identityStatus', valueCode: 'provisional' }],
    }]);
    expect(issues).toContainEqual(expect.stringMatching(/^patient\.ins: identité provisional, non qualifiée/));
  });

  it('creates shared directory resources only if absent, with RPPS and idNatPS', () => {
    const { bundle } = caseToTransaction(dupont(), ctx);
    const gp = bundle.entry!.find((e) => e.request?.ifNoneExist === 'identifier=https://rpps.esante.gouv.fr|10003456786')!;
    expect(gp.request!.method).toBe('POST');
    const practitioner = gp.resource as Practitioner;
    expect(practitioner.identifier!.map((i) => `${i.system}|${i.value}|${i.type?.coding?.[0]?.code}`)).toEqual([
      'https://rpps.esante.gouv.fr|10003456786|RPPS',
      'urn:oid:1.2.250.1.71.4.2.1|810003456786|IDNPS',
    ]);
    expect(practitioner.name).toEqual([{ family: 'BERNARD', given: ['Luc'] }]);
    const ehpad = bundle.entry!.find((e) => e.request?.ifNoneExist === 'identifier=https://finess.esante.gouv.fr|250098761')!;
    expect((ehpad.resource as { identifier: { value: string }[] }).identifier.map((i) => i.value)).toEqual(['250098761', '1250098761']);
  });

  it('merges the mentions of one practitioner known by RPPS and by the client id', () => {
    const doc = dupont();
    doc.team!.members[0]!.practitioner!.id = 'PRO-1';
    doc.plan!.author = { id: 'PRO-1' };
    const { bundle } = caseToTransaction(doc, ctx);
    const withPro1 = resources<Practitioner>(bundle, 'Practitioner').filter((p) => p.identifier!.some((i) => i.value === 'PRO-1'));
    expect(withPro1).toHaveLength(1);
    expect(withPro1[0]!.identifier!.map((i) => i.value)).toEqual(['10003456786', '810003456786', 'PRO-1']);
    const carePlan = resources<CarePlan>(bundle, 'CarePlan')[0]!;
    const gpUrl = bundle.entry!.find((e) => e.resource === withPro1[0])!.fullUrl;
    expect(carePlan.author!.reference).toBe(gpUrl);
  });

  it('puts the origin on every team participant, goal, problem and activity', () => {
    const { bundle } = caseToTransaction(dupont(), ctx);
    const origins = (extension: { url: string; extension?: { url: string; valueString?: string }[] }[] | undefined) =>
      extension?.filter((e) => e.url === EXTENSION.origin).map((e) => e.extension!.map((x) => x.valueString).join('/'));
    const careTeam = resources<CareTeam>(bundle, 'CareTeam')[0]!;
    expect(careTeam.participant!.map((p) => origins(p.extension)![0])).toEqual([
      'dac-doubs/DOS-1/medecin-traitant~rpps:10003456786',
      'dac-doubs/DOS-1/infirmier~rpps:10101010105',
      'dac-doubs/DOS-1/coordinateur~id:PRO-12~finess:250012341',
      'dac-doubs/DOS-1/ehpad-referent~finess:250098761',
      expect.stringMatching(/^dac-doubs\/DOS-1\/aidant~person:[0-9a-f]{12}$/),
    ]);
    const carePlan = resources<CarePlan>(bundle, 'CarePlan')[0]!;
    expect(carePlan.activity!.map((a) => origins(a.extension)![0])).toEqual(['dac-doubs/DOS-1/A1', 'dac-doubs/DOS-1/A2']);
    expect(origins(resources<Goal>(bundle, 'Goal')[0]!.extension)).toEqual(['dac-doubs/DOS-1/G1']);
  });

  it('codes team roles with our code, the ANS Cercle de soins code and the coordinator function', () => {
    const { bundle } = caseToTransaction(dupont(), ctx);
    const careTeam = resources<CareTeam>(bundle, 'CareTeam')[0]!;
    const codes = careTeam.participant!.map((p) => p.role![0]!.coding!.map((c) => c.code));
    expect(codes).toEqual([
      ['medecin-traitant', 'PCP'], ['infirmier', 'PROV'], ['coordinateur', 'AGNT', '330'], ['ehpad-referent', 'AGNT'], ['aidant', 'CAREGIVER'],
    ]);
    const role = bundle.entry!.find((e) => e.resource?.resourceType === 'PractitionerRole')!;
    expect(careTeam.participant![2]!.member!.reference).toBe(role.fullUrl);
    const dac = bundle.entry!.find((e) => e.request?.ifNoneExist?.endsWith('|250012341'))!;
    expect(careTeam.managingOrganization).toEqual([{ reference: dac.fullUrl }]);
  });

  it('maps plan statuses onto CarePlan statuses and goal lifecycles', () => {
    const doc = dupont();
    const cases: [CaseDocument['plan'] extends infer P ? P extends { status: infer S } ? S : never : never, string, string][] = [
      ['draft', 'draft', 'proposed'], ['active', 'active', 'active'], ['suspended', 'on-hold', 'on-hold'],
      ['completed', 'completed', 'completed'], ['cancelled', 'revoked', 'cancelled'],
    ];
    for (const [status, fhir, goal] of cases) {
      const { bundle } = caseToTransaction({ ...doc, plan: { ...doc.plan!, status } }, ctx);
      expect(resources<CarePlan>(bundle, 'CarePlan')[0]!.status).toBe(fhir);
      expect(resources<Goal>(bundle, 'Goal')[0]!.lifecycleStatus).toBe(goal);
    }
  });
});

describe('caseToRevocation', () => {
  it('revokes the plan, cancels its goals and makes the team inactive, with the same keys', () => {
    const doc = dupont();
    const upsert = caseToTransaction(doc, ctx).bundle;
    const { bundle } = caseToRevocation(doc, ctx);
    expect(resources<CarePlan>(bundle, 'CarePlan')[0]!.status).toBe('revoked');
    expect(resources<CareTeam>(bundle, 'CareTeam')[0]!.status).toBe('inactive');
    expect(resources<Goal>(bundle, 'Goal')[0]!.lifecycleStatus).toBe('cancelled');
    const requests = (b: Bundle) => b.entry!.filter((e) => e.resource?.resourceType !== 'Provenance').map((e) => e.request);
    expect(requests(bundle)).toEqual(requests(upsert));
    const provenance = resources<Provenance>(bundle, 'Provenance')[0]!;
    expect(provenance.activity!.coding![0]!.code).toBe('DELETE');
    expect(entryOf(bundle, 'Provenance').request!.ifNoneExist).not.toBe(entryOf(upsert, 'Provenance').request!.ifNoneExist);
  });
});
