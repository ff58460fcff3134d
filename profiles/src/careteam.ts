import { CODE_SYSTEM, EXTENSION, FR_SYSTEM, HL7_SYSTEM, PROFILE, valueSetOf } from '../canonical.js';
import { codesOf } from './code-lists.js';
import { codesWithin, fhirPathString, oneCodingOf, oneOf } from './fhirpath.js';
import type { ProfileSource } from './types.js';
import { el, invariant } from './types.js';

/** LOINC answer "Longitudinal care-coordination focused care team": a pathway's team, not a stay's. */
const LONGITUDINAL_CARE_TEAM = { system: HL7_SYSTEM.loinc, code: 'LA28865-6' } as const;

/**
 * Passerelle coordination CareTeam: the cercle de soins of a case. Mirrors the ANS Cercle de
 * soins CareTeam (`cds-ihe-careteam`): subject a Patient, status, members with a role carrying
 * the ANS code (TRE_R259 / TRE_R260) — plus our own closed role list and origins.
 */
export const careTeamProfile: ProfileSource = {
  id: 'passerelle-coordination-careteam',
  url: PROFILE.careTeam,
  name: 'PasserelleCoordinationCareTeam',
  title: 'Passerelle cercle de soins (CareTeam)',
  description:
    "Cercle de soins / équipe de coordination d'un usager : médecin traitant, infirmier, coordinateur, référents, " +
    'aidants. Chaque membre a un rôle de la liste fermée Passerelle, le code ANS correspondant (Cercle de soins) et ' +
    'son origine (client et identifiant du membre).',
  type: 'CareTeam',
  mirrors: 'ANS Cercle de soins CareTeam (cds-ihe-careteam)',
  differential: [
    el('CareTeam.identifier', { short: 'Identifiant du dossier dans le logiciel qui l’a écrit', min: 1, mustSupport: true }),
    el('CareTeam.identifier.system', { min: 1 }),
    el('CareTeam.identifier.value', { min: 1 }),
    el('CareTeam.status', { min: 1, mustSupport: true }),
    el('CareTeam.category', {
      slicing: {
        discriminator: [{ type: 'pattern', path: '$this' }],
        description: 'Équipe de coordination au long cours (LOINC LA28865-6)',
        ordered: false,
        rules: 'open',
      },
      min: 1,
      mustSupport: true,
    }),
    el('CareTeam.category:coordination', {
      short: 'Équipe de coordination du parcours',
      min: 1,
      max: '1',
      patternCodeableConcept: { coding: [{ ...LONGITUDINAL_CARE_TEAM }] },
    }),
    el('CareTeam.subject', {
      short: "L'usager",
      min: 1,
      type: [{ code: 'Reference', targetProfile: [PROFILE.patient] }],
      mustSupport: true,
    }),
    el('CareTeam.participant', {
      short: 'Membres du cercle de soins',
      constraint: [
        invariant('psl-team-1', 'Un membre a un rôle et désigne qui il est (member)', 'role.exists() and member.exists()'),
        invariant(
          'psl-team-2',
          'Le rôle porte exactement un code de la liste fermée des rôles Passerelle',
          `${oneCodingOf('role', CODE_SYSTEM.teamRole)} and ${codesWithin('role', CODE_SYSTEM.teamRole, codesOf('teamRole'))}`,
        ),
        invariant(
          'psl-team-3',
          'Le rôle porte aussi le code ANS du Cercle de soins (TRE_R259-HL7ParticipationFunction ou TRE_R260-HL7RoleClass)',
          `role.coding.where(${oneOf('system', [FR_SYSTEM.treR259ParticipationFunction, FR_SYSTEM.treR260RoleClass])}).exists()`,
        ),
        invariant(
          'psl-team-4',
          'Un membre porte exactement une origine (extension element-origin)',
          `extension.where(url = ${fhirPathString(EXTENSION.origin)}).count() = 1`,
        ),
      ],
      mustSupport: true,
    }),
    el('CareTeam.participant.extension', {
      min: 1,
      slicing: { discriminator: [{ type: 'value', path: 'url' }], ordered: false, rules: 'open' },
    }),
    el('CareTeam.participant.extension:origin', {
      short: 'Origine du membre : client, dossier, identifiant chez le client',
      min: 1,
      max: '1',
      type: [{ code: 'Extension', profile: [EXTENSION.origin] }],
      mustSupport: true,
    }),
    el('CareTeam.participant.role', {
      short: 'Rôle : code Passerelle + code ANS (TRE_R259 / TRE_R260, éventuellement TRE_R85)',
      min: 1,
      binding: { strength: 'required', valueSet: valueSetOf(CODE_SYSTEM.teamRole) },
      mustSupport: true,
    }),
    el('CareTeam.participant.member', { min: 1, mustSupport: true }),
    el('CareTeam.participant.period', { mustSupport: true }),
    el('CareTeam.managingOrganization', {
      short: 'Structure du coordinateur (structure de coordination du plan)',
      type: [{ code: 'Reference', targetProfile: [PROFILE.organization] }],
      mustSupport: true,
    }),
  ],
};
