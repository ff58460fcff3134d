import { EXTENSION, FR_SYSTEM, PROFILE } from '../canonical.js';
import type { ProfileSource } from './types.js';
import { fhirPathString, hasSystem, oneOf } from './fhirpath.js';
import { el, invariant } from './types.js';

/** The INS identifiers FR Core knows, each with its namespace, identifier type and use. */
const INS_SLICES = [
  { slice: 'INS-NIR', system: FR_SYSTEM.insNir, type: 'INS-NIR', use: 'official', label: 'INS-NIR (NIR certifié par le téléservice INSi)' },
  { slice: 'INS-NIA', system: FR_SYSTEM.insNia, type: 'INS-NIA', use: 'temp', label: "INS-NIA (numéro identifiant d'attente)" },
  { slice: 'INS-NIR-TEST', system: FR_SYSTEM.insNirTest, type: 'INS-NIR-TEST', use: 'official', label: 'INS-NIR de test' },
  { slice: 'INS-NIR-DEMO', system: FR_SYSTEM.insNirDemo, type: 'INS-NIR-DEMO', use: 'official', label: 'INS-NIR de démonstration' },
] as const;

/** 13 characters (Corsica: 2A/2B in the department) then a 2-digit key. */
const INS_FORMAT = '^[0-9]{5}([0-9]{2}|2A|2B)[0-9]{8}$';

/**
 * FHIRPath on one Identifier: the INS key is 97 − (first 13 characters mod 97), with 2A/2B
 * read as 19/18. Letters can only be in the department, so replacing them is safe.
 */
const INS_KEY_VALID =
  "(97 - (value.substring(0, 13).replace('2A', '19').replace('2B', '18').toInteger() mod 97)) = value.substring(13, 2).toInteger()";

/**
 * FHIRPath on one Identifier: an identifier in an INS namespace, or typed as that INS, is that
 * INS in full — system, type, use — with a well-formed value and a valid key. (`hasSystem`
 * rather than `system = …`, which is empty, not false, when the system is missing, and an
 * empty invariant counts as failed.)
 */
function insInvariantExpression(ins: (typeof INS_SLICES)[number]): string {
  const typed = `type.coding.where(system = ${fhirPathString(FR_SYSTEM.frCoreIdentifierType)} and code = ${fhirPathString(ins.type)}).exists()`;
  return (
    `(${hasSystem(ins.system)} or ${typed}) implies (${hasSystem(ins.system)} and use = ${fhirPathString(ins.use)} and ` +
    `${typed} and value.matches(${fhirPathString(INS_FORMAT)}) and ${INS_KEY_VALID})`
  );
}

/**
 * Passerelle Patient (usager). Mirrors FR Core Patient (`fr-core-patient`) and, for the INS
 * slices, FR Core Patient INS (`fr-core-patient-ins`), hl7.fhir.fr.core 2.1.
 */
export const patientProfile: ProfileSource = {
  id: 'passerelle-patient',
  url: PROFILE.patient,
  name: 'PasserellePatient',
  title: 'Passerelle Patient (usager)',
  description:
    "Personne prise en charge (usager). Reprend les conventions FR Core Patient et FR Core Patient INS : " +
    "l'INS n'est porté qu'en identifiant officiel (use = official, type INS-NIR) et seulement pour une identité " +
    'qualifiée ; les identifiants locaux (IPP, identifiant du logiciel source) sont dans leur propre espace de noms.',
  type: 'Patient',
  mirrors: 'FR Core Patient (fr-core-patient) et FR Core Patient INS (fr-core-patient-ins)',
  differential: [
    el('Patient', {
      constraint: [
        invariant(
          'psl-pat-5',
          "Une identité non qualifiée (extension unqualified-ins) ne porte aucun INS en identifiant",
          `extension.where(url = ${fhirPathString(EXTENSION.unqualifiedIns)}).exists() implies ` +
            `identifier.where(${oneOf('system', INS_SLICES.map((ins) => ins.system))}).empty()`,
        ),
      ],
    }),
    el('Patient.extension', {
      slicing: { discriminator: [{ type: 'value', path: 'url' }], ordered: false, rules: 'open' },
    }),
    el('Patient.extension:unqualifiedIns', {
      short: "INS d'une identité non qualifiée (conservé, jamais identifiant)",
      max: '1',
      type: [{ code: 'Extension', profile: [EXTENSION.unqualifiedIns] }],
      mustSupport: true,
    }),
    el('Patient.identifier', {
      slicing: {
        discriminator: [{ type: 'pattern', path: 'type' }],
        description: "Par type d'identifiant (INS-NIR, INS-NIA, INS de test ou de démonstration, IPP)",
        ordered: false,
        rules: 'open',
      },
      short: "Identifiants de l'usager : INS (identité qualifiée seulement), IPP, identifiant du logiciel source",
      min: 1,
      constraint: INS_SLICES.map((ins, i) =>
        invariant(
          `psl-pat-${i + 1}`,
          `Un identifiant ${ins.slice} (système ${ins.system} ou type ${ins.type}) a ce système, ce type, use = ${ins.use} et une clé valide`,
          insInvariantExpression(ins),
        ),
      ),
      mustSupport: true,
    }),
    el('Patient.identifier.system', { min: 1 }),
    el('Patient.identifier.value', { min: 1 }),
    ...INS_SLICES.flatMap((ins) => [
      el(`Patient.identifier:${ins.slice}`, { short: ins.label, max: '1', mustSupport: true }),
      el(`Patient.identifier:${ins.slice}.use`, { min: 1, fixedCode: ins.use }),
      el(`Patient.identifier:${ins.slice}.type`, {
        min: 1,
        patternCodeableConcept: { coding: [{ system: FR_SYSTEM.frCoreIdentifierType, code: ins.type }] },
      }),
      el(`Patient.identifier:${ins.slice}.system`, { fixedUri: ins.system }),
    ]),
    el('Patient.identifier:IPP', {
      short: "IPP : identifiant patient permanent dans l'espace de noms de l'établissement",
      mustSupport: true,
    }),
    el('Patient.identifier:IPP.type', {
      min: 1,
      patternCodeableConcept: { coding: [{ system: FR_SYSTEM.v2IdentifierType, code: 'PI' }] },
    }),
    el('Patient.name', {
      slicing: {
        discriminator: [{ type: 'value', path: 'use' }],
        description: 'Nom utilisé (usual) et nom de naissance (official), comme FR Core',
        ordered: false,
        rules: 'open',
      },
      min: 1,
      mustSupport: true,
    }),
    el('Patient.name.family', { min: 1 }),
    el('Patient.name:usualName', { short: 'Nom utilisé', max: '1', mustSupport: true }),
    el('Patient.name:usualName.use', { min: 1, fixedCode: 'usual' }),
    el('Patient.name:officialName', { short: 'Nom de naissance', max: '1', mustSupport: true }),
    el('Patient.name:officialName.use', { min: 1, fixedCode: 'official' }),
    el('Patient.gender', { mustSupport: true }),
    el('Patient.birthDate', { mustSupport: true }),
  ],
};
