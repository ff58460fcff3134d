import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CaseDocumentSchema, OrganizationEntrySchema, PractitionerEntrySchema, fieldIssues, type CaseDocumentInput } from './schema.js';
import { caseDocumentArb } from './testing/arbitraries.js';

const dupont = (): CaseDocumentInput => JSON.parse(readFileSync(new URL('./__fixtures__/case-dupont.json', import.meta.url), 'utf8'));

/** Validates `doc` and returns its issues as `path: message` strings. */
function issuesOf(doc: unknown): { path: string; message: string }[] {
  const result = CaseDocumentSchema.safeParse(doc);
  return result.success ? [] : fieldIssues(result.error);
}

describe('the case document schema', () => {
  it('accepts the SPEC example', () => {
    expect(issuesOf(dupont())).toEqual([]);
  });

  it('accepts every generated consistent case', () => {
    fc.assert(fc.property(caseDocumentArb, (doc) => {
      expect(issuesOf(doc)).toEqual([]);
    }), { numRuns: 200 });
  });

  it('reports a wrong RPPS key on the field path', () => {
    const doc = dupont();
    doc.team!.members![1]!.practitioner!.rpps = '10101010106';
    expect(issuesOf(doc)).toEqual([{ path: 'team.members.1.practitioner.rpps', message: expect.stringContaining('RPPS') }]);
  });

  it('reports wrong INS, FINESS and SIRET keys on their paths', () => {
    const doc = dupont();
    doc.patient.ins!.value = '279035121518988';
    doc.team!.members![3]!.organization!.finess = '250098762';
    doc.plan!.actions![1]!.responsible!.organization!.siret = '12345678900016';
    expect(issuesOf(doc).map((i) => i.path)).toEqual([
      'patient.ins.value', 'team.members.3.organization.finess', 'plan.actions.1.responsible.organization.siret',
    ]);
  });

  it('rejects an unknown role with the path team.members.2.role', () => {
    const doc = dupont() as unknown as { team: { members: { role: string }[] } };
    doc.team.members[2]!.role = 'gestionnaire';
    expect(issuesOf(doc).map((i) => i.path)).toEqual(['team.members.2.role']);
  });

  it('rejects unknown fields, naming each one', () => {
    const doc = dupont() as unknown as Record<string, Record<string, unknown>>;
    doc.patient!.nickname = 'Jeannette';
    doc.extra = {};
    expect(issuesOf(doc)).toEqual(expect.arrayContaining([
      { path: 'patient.nickname', message: 'champ inconnu' },
      { path: 'extra', message: 'champ inconnu' },
    ]));
  });

  it('rejects unknown codes instead of dropping them', () => {
    const doc = dupont() as unknown as { plan: { actions: { kind: string; status: string }[] }; supportRequest: { reasons: string[] } };
    doc.plan.actions[0]!.kind = 'magie';
    doc.plan.actions[1]!.status = 'done';
    doc.supportRequest.reasons.push('meteo');
    expect(issuesOf(doc).map((i) => i.path).sort()).toEqual(['plan.actions.0.kind', 'plan.actions.1.status', 'supportRequest.reasons.2']);
  });

  it('checks that goals reference existing problems and actions existing goals', () => {
    const doc = dupont();
    doc.plan!.goals![0]!.problemIds = ['P1', 'P9'];
    doc.plan!.actions![0]!.goalIds = ['G7'];
    expect(issuesOf(doc)).toEqual([
      { path: 'plan.goals.0.problemIds.1', message: 'problème inconnu : P9' },
      { path: 'plan.actions.0.goalIds.0', message: 'objectif inconnu : G7' },
    ]);
  });

  it('rejects duplicate ids of problems, goals, actions and team members', () => {
    const doc = dupont();
    doc.plan!.actions!.push({ ...doc.plan!.actions![0]! });
    doc.plan!.problems!.push({ id: 'P1', label: 'Isolement', domain: 'social' });
    doc.team!.members!.push({ role: 'infirmier', practitioner: { rpps: '10101010105' } });
    expect(issuesOf(doc).map((i) => i.path).sort()).toEqual(['plan.actions.2', 'plan.problems.1', 'team.members.5']);
  });

  it('requires a close person for a family role and a professional for a care role', () => {
    const doc = dupont() as unknown as { team: { members: Record<string, unknown>[] } };
    doc.team.members[4] = { role: 'aidant', practitioner: { rpps: '10003456786' } };
    doc.team.members[1] = { role: 'infirmier' };
    expect(issuesOf(doc).map((i) => i.path).sort()).toEqual(['team.members.1.role', 'team.members.4.practitioner', 'team.members.4.relatedPerson']);
  });

  it('requires an identity on every practitioner and organization reference', () => {
    const doc = dupont() as unknown as { plan: { author: object; actions: { responsible: object }[] } };
    doc.plan.author = {};
    doc.plan.actions[1]!.responsible = { organization: { name: 'x' } };
    expect(issuesOf(doc).map((i) => i.path).sort()).toEqual(['plan.actions.1.responsible.organization', 'plan.actions.1.responsible.organization.name', 'plan.author']);
  });

  it('rejects impossible dates and periods that end before they start', () => {
    const doc = dupont();
    doc.patient.birthDate = '1938-02-30';
    doc.plan!.period = { start: '2024-09-10', end: '2024-03-10' };
    expect(issuesOf(doc).map((i) => i.path)).toEqual(['patient.birthDate', 'plan.period.end']);
  });

  it('converts to JSON Schema for OpenAPI, with descriptions and strict objects', () => {
    const schema = z.toJSONSchema(CaseDocumentSchema, { io: 'input' }) as { additionalProperties?: boolean; properties: Record<string, { properties?: Record<string, { description?: string }> }> };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.patient!.properties!.familyName!.description).toBe('Nom utilisé');
    expect(JSON.stringify(schema)).toContain('medecin-traitant (Médecin traitant)');
  });

  it('fills absent plan lists with empty ones', () => {
    const parsed = CaseDocumentSchema.parse({ patient: { id: 'U1', familyName: 'X' }, plan: { id: 'PL', status: 'draft' } });
    expect(parsed.plan).toEqual({ id: 'PL', status: 'draft', problems: [], goals: [], actions: [] });
  });
});

describe('the directory entry schemas', () => {
  it('accept an organization and a practitioner in the case vocabulary', () => {
    expect(OrganizationEntrySchema.safeParse({ name: 'EHPAD Les Tilleuls', kind: 'ehpad', finess: '250098761', phone: '+33381000001' }).success).toBe(true);
    expect(PractitionerEntrySchema.safeParse({ rpps: '10003456786', familyName: 'BERNARD', givenName: 'Luc', profession: 'medecin', organizations: [{ finess: '250012341' }] }).success).toBe(true);
  });
  it('check keys and reject unknown fields', () => {
    const result = PractitionerEntrySchema.safeParse({ rpps: '10003456780', familyName: 'X', title: 'Dr' });
    expect(result.success).toBe(false);
    expect(fieldIssues(result.error!).map((i) => i.path).sort()).toEqual(['rpps', 'title']);
  });
});
