/**
 * Check-key validators of the French national identifiers Passerelle accepts
 * (SPEC §4: "a bad key is a validation error"). Pure functions over strings.
 */
export { luhnValid, luhnCheckDigit } from './luhn.js';
export { insValid, insKey, type InsKind } from './ins.js';
export { rppsValid, idNatPsFromRpps } from './rpps.js';
export { finessValid, finessKeyUnchecked, idNatStructFromFiness } from './finess.js';
export { siretValid, LA_POSTE_SIREN, LA_POSTE_HEAD_OFFICE_SIRET } from './siret.js';
