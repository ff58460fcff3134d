/**
 * Luhn (mod 10) check, the key algorithm of RPPS, FINESS, SIREN and SIRET numbers.
 * Pure string arithmetic: no parsing to number, so leading zeros and long ids are safe.
 */

/** True when `digits` (decimal digits only) passes the Luhn check. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  return luhnSum(digits) % 10 === 0;
}

/**
 * The Luhn check digit to append to `payload` so that the whole string is valid.
 * Used by tests and fixtures to build valid identifiers.
 * @example luhnCheckDigit('1000345678') // → '6' (RPPS 10003456786)
 */
export function luhnCheckDigit(payload: string): string {
  if (!/^\d*$/.test(payload)) throw new Error('luhnCheckDigit: digits only');
  const sum = luhnSum(`${payload}0`);
  return String((10 - (sum % 10)) % 10);
}

function luhnSum(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    // Walk from the right: every second digit (1-based even position) is doubled.
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum;
}
