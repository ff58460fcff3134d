/**
 * Identity decision table (SPEC §3, identitovigilance): the INS is a key only for a qualified
 * identity, traits never merge, ambiguity is accepted and reconciled, never merged.
 */
import type { Patient } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decidePatientMatch, survivingId, type MatchInput, type PatientMatch } from './identity.js';

const p = (id: string, extra: Partial<Patient> = {}): Patient => ({ resourceType: 'Patient', id, ...extra });
const input = (over: Partial<MatchInput>): MatchInput => ({ byIpp: [], byIns: [], byTraits: [], identityQualified: true, ...over });

describe('decidePatientMatch', () => {
  it.each<[string, Partial<MatchInput>, PatientMatch]>([
    ['nobody known: create', {}, { action: 'create' }],
    ['the IPP finds P: use P', { byIpp: [p('P')] }, { action: 'use', patientId: 'P' }],
    ['IPP and qualified INS agree: use P', { byIpp: [p('P')], byIns: [p('P')] }, { action: 'use', patientId: 'P' }],
    ['no IPP, qualified INS finds Q: use Q (the INS is a key)', { byIns: [p('Q')] }, { action: 'use', patientId: 'Q' }],
    ['no IPP, unqualified identity, INS finds Q: Q is not a match', { byIns: [p('Q')], identityQualified: false }, { action: 'create' }],
    ['IPP finds P, qualified INS finds Q: use P, reconcile, withhold the INS',
      { byIpp: [p('P')], byIns: [p('Q')] },
      { action: 'use-and-reconcile', patientId: 'P', reason: 'ipp-ins-conflict', candidates: ['P', 'Q'], withholdIns: true }],
    ['IPP finds P, unqualified INS finds Q: the INS is no key, use P', { byIpp: [p('P')], byIns: [p('Q')], identityQualified: false }, { action: 'use', patientId: 'P' }],
    ['two Patients share the IPP: use the first id, reconcile',
      { byIpp: [p('P2'), p('P1')] },
      { action: 'use-and-reconcile', patientId: 'P1', reason: 'duplicate-ipp', candidates: ['P1', 'P2'], withholdIns: false }],
    ['two Patients share the qualified INS: create, reconcile, withhold the INS',
      { byIns: [p('Q1'), p('Q2')] },
      { action: 'create-and-reconcile', reason: 'duplicate-ins', candidates: ['Q1', 'Q2'], withholdIns: true }],
    ['same name and birth date, other identifiers: create, never merge, reconcile',
      { byTraits: [p('T')] },
      { action: 'create-and-reconcile', reason: 'same-traits', candidates: ['T'], withholdIns: false }],
    ['unqualified identity with the same traits: create and reconcile too',
      { byTraits: [p('T')], identityQualified: false },
      { action: 'create-and-reconcile', reason: 'same-traits', candidates: ['T'], withholdIns: false }],
    ['a key match wins over traits (traits are not a second opinion)', { byIpp: [p('P')], byTraits: [p('T')] }, { action: 'use', patientId: 'P' }],
    ['the Patient found by traits is the one found by INS: use it', { byIns: [p('Q')], byTraits: [p('Q')] }, { action: 'use', patientId: 'Q' }],
  ])('%s', (_name, over, expected) => {
    expect(decidePatientMatch(input(over))).toEqual(expected);
  });

  it('follows a merged Patient to its survivor', () => {
    const prior = p('OLD', { active: false, link: [{ type: 'replaced-by', other: { reference: 'Patient/NEW' } }] });
    expect(survivingId(prior)).toBe('NEW');
    expect(decidePatientMatch(input({ byIpp: [prior] }))).toEqual({ action: 'use', patientId: 'NEW' });
    // The prior and its survivor found together are one person, not a duplicate.
    expect(decidePatientMatch(input({ byIpp: [prior, p('NEW')] }))).toEqual({ action: 'use', patientId: 'NEW' });
  });

  it('never selects a Patient found by traits alone, and never depends on search order', () => {
    const ids = fc.uniqueArray(fc.constantFrom('A', 'B', 'C', 'D'), { maxLength: 3 });
    fc.assert(fc.property(ids, ids, ids, fc.boolean(), (ipp, ins, traits, qualified) => {
      const make = (list: string[]) => list.map((id) => p(id));
      const decision = decidePatientMatch({ byIpp: make(ipp), byIns: make(ins), byTraits: make(traits), identityQualified: qualified });
      const reversed = decidePatientMatch({ byIpp: make(ipp).reverse(), byIns: make(ins).reverse(), byTraits: make(traits).reverse(), identityQualified: qualified });
      expect(reversed).toEqual(decision);
      if (decision.action === 'use' || decision.action === 'use-and-reconcile') {
        const keyed = [...ipp, ...(qualified ? ins : [])];
        expect(keyed).toContain(decision.patientId);
      }
      if (!qualified) expect('withholdIns' in decision && decision.withholdIns).toBe(false);
    }));
  });
});
