import { luhnValid } from './luhn.js';

/**
 * FINESS number (fichier national des établissements sanitaires et sociaux): 9 characters,
 * the first two being the department, the last one a Luhn key.
 *
 * Corsica: FINESS numbers of Corsican establishments start with `2A` or `2B`. How the key is
 * computed over those letters is not documented in any source we could check, so such numbers
 * are accepted on their layout alone (`2A`/`2B` + 7 digits) — a known, documented gap.
 * The national structure identifier idNatStruct is `1` + FINESS ({@link idNatStructFromFiness}).
 */
export function finessValid(value: string): boolean {
  if (/^2[AB][0-9]{7}$/.test(value)) return true;
  return /^[0-9]{9}$/.test(value) && luhnValid(value);
}

/** True for a Corsican FINESS, whose key is not verified (see {@link finessValid}). */
export function finessKeyUnchecked(value: string): boolean {
  return /^2[AB][0-9]{7}$/.test(value);
}

/** idNatStruct of an establishment known by its FINESS (prefix `1`, ANS convention). */
export function idNatStructFromFiness(finess: string): string {
  return `1${finess}`;
}
