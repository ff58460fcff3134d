import { luhnValid } from './luhn.js';

/**
 * RPPS number (répertoire partagé des professionnels de santé): 11 digits, Luhn key.
 * The national practitioner identifier idNatPS is `8` + RPPS (see {@link idNatPsFromRpps}).
 */
export function rppsValid(value: string): boolean {
  return /^[0-9]{11}$/.test(value) && luhnValid(value);
}

/** idNatPS of an RPPS-registered practitioner (prefix `8`, ANS convention). */
export function idNatPsFromRpps(rpps: string): string {
  return `8${rpps}`;
}
