/**
 * INS (identité nationale de santé) number checks: the NIR (numéro d'inscription au
 * répertoire, "numéro de sécurité sociale") and the NIA (numéro identifiant d'attente,
 * given while a NIR is pending) share one layout and one key algorithm:
 *
 *   S AA MM DD CCC OOO KK   — 13 characters then a 2-digit key
 *   key = 97 − (N mod 97), N = the 13 characters read as a number.
 *
 * Corsica: the department field (positions 6–7) may be `2A` or `2B`. For the key, the
 * standard rule replaces 2A by 19 and 2B by 18 (equivalently N − 1,000,000 / N − 2,000,000).
 *
 * What is NOT checked: the plausibility of the sex digit, month or commune (fictitious and
 * foreign-born ranges exist, e.g. months 20–42 and 50–99); only layout and key are verified.
 */

/** The two kinds of INS number. */
export type InsKind = 'NIR' | 'NIA';

const INS_PATTERN = /^[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{8}$/;

/** True when `value` is a 15-character NIR/NIA with a correct key (Corsica 2A/2B handled). */
export function insValid(value: string): boolean {
  if (!INS_PATTERN.test(value)) return false;
  const key = Number(value.slice(13, 15));
  return key === insKey(value.slice(0, 13));
}

/**
 * The 2-digit key (1–97) of a 13-character NIR/NIA body.
 * @example insKey('2790351215189') // → 89
 */
export function insKey(body: string): number {
  if (!/^[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{6}$/.test(body)) throw new Error('insKey: 13-character NIR body expected');
  const department = body.slice(5, 7);
  const numeric = department === '2A' ? `${body.slice(0, 5)}19${body.slice(7)}`
    : department === '2B' ? `${body.slice(0, 5)}18${body.slice(7)}`
    : body;
  return 97 - Number(BigInt(numeric) % 97n);
}
