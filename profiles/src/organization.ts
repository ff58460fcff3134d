import { FR_SYSTEM, PROFILE } from '../canonical.js';
import { digitSumMultipleOf, fhirPathString, hasSystem, luhnValid, oneOf } from './fhirpath.js';
import type { ProfileSource } from './types.js';
import { el, invariant } from './types.js';

/** FHIRPath on one Identifier: it carries the FR Core identifier type `code` (one of `codes`). */
function frType(codes: readonly string[]): string {
  return `type.coding.where(system = ${fhirPathString(FR_SYSTEM.frCoreIdentifierType)} and ${oneOf('code', codes)}).exists()`;
}

/** FINESS in the string `of`: 9 digits with a Luhn key, or Corsica (2A/2B + 7 digits, key not checkable). */
function finessValid(of: string): string {
  return `(${of}.matches('^2[AB][0-9]{7}$') or (${of}.matches('^[0-9]{9}$') and ${luhnValid(9, of)}))`;
}

/** SIRET: 14 digits with a Luhn key; La Poste's establishments (SIREN 356000000) use a digit sum multiple of 5. */
const SIRET_VALID =
  `(value.matches('^[0-9]{14}$') and iif(value.startsWith('356000000') and value != '35600000000048', ` +
  `${digitSumMultipleOf(14, 5)}, ${luhnValid(14)}))`;

/**
 * Passerelle Organization (structure de coordination, établissement, service). Mirrors FR Core
 * Organization (`fr-core-organization`): identifier slices FINESS, idNatSt and SIRET with FR Core's
 * systems and types.
 */
export const organizationProfile: ProfileSource = {
  id: 'passerelle-organization',
  url: PROFILE.organization,
  name: 'PasserelleOrganization',
  title: 'Passerelle Organization (structure)',
  description:
    'Structure du cercle de soins ou de la coordination (DAC, établissement, EHPAD, service à domicile…), ' +
    "identifiée par son FINESS, son SIRET et/ou l'identifiant du logiciel appelant. Reprend les tranches " +
    "d'identifiants de FR Core Organization ; les clés FINESS (Luhn) et SIRET (Luhn, exception La Poste) sont vérifiées.",
  type: 'Organization',
  mirrors: 'FR Core Organization (fr-core-organization)',
  differential: [
    el('Organization.identifier', {
      slicing: {
        discriminator: [{ type: 'value', path: 'system' }],
        description: "Par système d'identification (FINESS, idNatSt, SIRET) ; les identifiants propres aux logiciels restent hors tranche",
        ordered: false,
        rules: 'open',
      },
      short: 'Identifiants de la structure : FINESS, idNatSt (1 + FINESS), SIRET, identifiant du logiciel appelant',
      min: 1,
      constraint: [
        invariant(
          'psl-org-1',
          'Un FINESS a le type FINEG ou FINEJ (fr-core-cs-v2-0203) et une clé valide',
          `${hasSystem(FR_SYSTEM.finess)} implies (${frType(['FINEG', 'FINEJ'])} and ${finessValid('value')})`,
        ),
        invariant(
          'psl-org-2',
          "Un idNatSt a use = official, le type IDNST et la forme préfixe + identifiant (1 + FINESS : clé vérifiée)",
          `${hasSystem(FR_SYSTEM.idNatStruct)} implies (use = 'official' and ${frType(['IDNST'])} and ` +
            `value.matches('^[0-4].+$') and (value.startsWith('1') implies ${finessValid('value.substring(1)')}))`,
        ),
        invariant(
          'psl-org-3',
          'Un identifiant SIRENE a le type SIRET (14 chiffres, clé valide) ou SIREN (9 chiffres, clé valide)',
          `${hasSystem(FR_SYSTEM.siret)} implies ((${frType(['SIRET'])} and ${SIRET_VALID}) or ` +
            `(${frType(['SIREN'])} and value.matches('^[0-9]{9}$') and ${luhnValid(9)}))`,
        ),
      ],
      mustSupport: true,
    }),
    el('Organization.identifier.system', { min: 1 }),
    el('Organization.identifier.value', { min: 1 }),
    el('Organization.identifier:finess', { short: "FINESS d'entité géographique (FINEG) ou juridique (FINEJ)", mustSupport: true }),
    el('Organization.identifier:finess.system', { fixedUri: FR_SYSTEM.finess }),
    el('Organization.identifier:idNatSt', { short: 'Identifiant national de structure (idNatStruct)', max: '1', mustSupport: true }),
    el('Organization.identifier:idNatSt.use', { fixedCode: 'official' }),
    el('Organization.identifier:idNatSt.system', { fixedUri: FR_SYSTEM.idNatStruct }),
    el('Organization.identifier:siret', { short: "SIRET de l'établissement", mustSupport: true }),
    el('Organization.identifier:siret.system', { fixedUri: FR_SYSTEM.siret }),
    el('Organization.name', { mustSupport: true }),
  ],
};
