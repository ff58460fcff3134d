import { describe, expect, it } from 'vitest';
import { FR_SYSTEM } from '../../profiles/canonical.js';
import { CODE_LISTS, TEAM_ROLES, codeListsDocument } from './code-lists.js';

/** The ANS Cercle de soins value set careteam-roles-vs: TRE_R259 PCP + all of TRE_R260 (active codes). */
const CERCLE_DE_SOINS_VS = new Set([
  `${FR_SYSTEM.treR259ParticipationFunction}|PCP`,
  ...['ECON', 'GUARD', 'POLHOLD', 'CON', 'CAREGIVER', 'PAT', 'PROV', 'AGNT', 'NOK'].map((c) => `${FR_SYSTEM.treR260RoleClass}|${c}`),
]);

describe('the code lists', () => {
  it('map every team role to a code of the ANS Cercle de soins value set', () => {
    for (const [role, def] of Object.entries(TEAM_ROLES)) {
      expect(CERCLE_DE_SOINS_VS.has(`${def.ans.system}|${def.ans.code}`), role).toBe(true);
    }
    expect(TEAM_ROLES['medecin-traitant'].ans.code).toBe('PCP');
    expect(TEAM_ROLES.aidant.ans.code).toBe('CAREGIVER');
  });

  it('include the roles a cercle de soins needs', () => {
    for (const role of ['medecin-traitant', 'infirmier', 'coordinateur', 'ehpad-referent', 'aidant', 'pharmacien', 'kinesitherapeute',
      'medecin-specialiste', 'assistant-social', 'psychologue', 'aide-a-domicile', 'ssiad', 'had', 'etablissement-sante']) {
      expect(Object.keys(TEAM_ROLES)).toContain(role);
    }
  });

  it('publish every list with a system, a title and French displays', () => {
    const doc = codeListsDocument();
    expect(Object.keys(doc)).toEqual(Object.keys(CODE_LISTS));
    for (const list of Object.values(doc)) {
      expect(list.system).toMatch(/^https:\/\/fhir\.passerelle\.fr\/CodeSystem\//);
      expect(list.codes.length).toBeGreaterThan(0);
      for (const { code, display } of list.codes) {
        expect(code).toMatch(/^[A-Za-z][A-Za-z-]*$/);
        expect(display.length).toBeGreaterThan(1);
      }
    }
    expect(doc.teamRole.codes).toContainEqual({ code: 'medecin-traitant', display: 'Médecin traitant' });
  });
});
