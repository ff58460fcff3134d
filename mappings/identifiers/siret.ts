import { luhnValid } from './luhn.js';

/** SIREN of La Poste, whose establishments' SIRET numbers do not follow the Luhn rule. */
export const LA_POSTE_SIREN = '356000000';
/** La Poste's head office, the one La Poste SIRET that keeps a Luhn key. */
export const LA_POSTE_HEAD_OFFICE_SIRET = '35600000000048';

/**
 * SIRET number (establishment of a company): 14 digits = SIREN (9) + NIC (5), Luhn key.
 * Exception: La Poste (SIREN 356000000) numbered its establishments beyond what Luhn
 * allows; INSEE's rule for them is that the sum of the 14 digits is a multiple of 5
 * (its head office, 35600000000048, keeps the Luhn key).
 */
export function siretValid(value: string): boolean {
  if (!/^[0-9]{14}$/.test(value)) return false;
  if (value.startsWith(LA_POSTE_SIREN) && value !== LA_POSTE_HEAD_OFFICE_SIRET) {
    let sum = 0;
    for (const c of value) sum += c.charCodeAt(0) - 48;
    return sum % 5 === 0;
  }
  return luhnValid(value);
}
