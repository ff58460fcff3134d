/**
 * FHIR identifiers of the French national ids, per FR Core 2.1 (SPEC §4): system, type
 * (fr-core-cs-v2-0203) and, for the national ids, the `official` use.
 */
import type { CodeableConcept, Identifier } from '@medplum/fhirtypes';
import { FR_SYSTEM } from '../../../profiles/canonical.js';
import { idNatPsFromRpps, idNatStructFromFiness } from '../../identifiers/index.js';

/** An identifier type from FR Core's v2-0203 extension (RPPS, IDNPS, FINEG, IDNST, SIRET, INTRN, INS-NIR…). */
export function frIdentifierType(code: string, display: string): CodeableConcept {
  return { coding: [{ system: FR_SYSTEM.frCoreIdentifierType, code, display }] };
}

/** RPPS number and the idNatPS derived from it (`8` + RPPS). */
export function rppsIdentifiers(rpps: string): Identifier[] {
  return [
    { type: frIdentifierType('RPPS', 'N° RPPS'), system: FR_SYSTEM.rpps, value: rpps },
    { use: 'official', type: frIdentifierType('IDNPS', 'Identifiant National de Professionnel de Santé'), system: FR_SYSTEM.idNatPs, value: idNatPsFromRpps(rpps) },
  ];
}

/** FINESS (geographic establishment) and the idNatStruct derived from it (`1` + FINESS). */
export function finessIdentifiers(finess: string): Identifier[] {
  return [
    { type: frIdentifierType('FINEG', "FINESS d'entité géographique"), system: FR_SYSTEM.finess, value: finess },
    {
      use: 'official',
      type: frIdentifierType('IDNST', 'Identification nationale de structure définie par l’ANS dans le CI_SIS'),
      system: FR_SYSTEM.idNatStruct,
      value: idNatStructFromFiness(finess),
    },
  ];
}

/** SIRET of an establishment. */
export function siretIdentifier(siret: string): Identifier {
  return { type: frIdentifierType('SIRET', "Identification de l'organisation au SIRET"), system: FR_SYSTEM.siret, value: siret };
}

/** The client's own id of a directory party (type INTRN). */
export function internalIdentifier(system: string, value: string): Identifier {
  return { type: frIdentifierType('INTRN', 'Identifiant interne'), system, value };
}
