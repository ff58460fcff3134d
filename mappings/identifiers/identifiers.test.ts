import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  finessValid, idNatPsFromRpps, idNatStructFromFiness, insKey, insValid, luhnCheckDigit, luhnValid, rppsValid,
  siretValid,
} from './index.js';

/** Replace the digit at `index` by another digit (never the same one). */
function changeDigit(value: string, index: number, shift: number): string {
  const d = value.charCodeAt(index) - 48;
  const next = (d + 1 + (shift % 9)) % 10; // shift in 0..8 → next ≠ d
  return `${value.slice(0, index)}${next}${value.slice(index + 1)}`;
}

const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((a) => a.join(''));
const validRpps = digits(10).map((p) => p + luhnCheckDigit(p));
const validFiness = digits(8).map((p) => p + luhnCheckDigit(p));
const validSiret = digits(13).filter((p) => !p.startsWith('356000000')).map((p) => p + luhnCheckDigit(p));
const nirBody = fc.tuple(fc.constantFrom('1', '2', '7', '8'), digits(4), fc.constantFrom('2A', '2B', '25', '75', '97'), digits(6))
  .map(([s, a, dep, rest]) => `${s}${a}${dep}${rest}`);
const validNir = nirBody.map((b) => `${b}${String(insKey(b)).padStart(2, '0')}`);

describe('the identifiers of the SPEC example', () => {
  it('all carry valid check keys', () => {
    expect(insValid('279035121518989')).toBe(true);
    for (const rpps of ['10003456786', '10101010105', '10202020201']) expect(rppsValid(rpps)).toBe(true);
    for (const finess of ['250012341', '250098761']) expect(finessValid(finess)).toBe(true);
    expect(siretValid('12345678900015')).toBe(true);
  });
});

describe('INS (NIR / NIA)', () => {
  it('computes the key as 97 − (n mod 97)', () => {
    expect(insKey('2790351215189')).toBe(89);
    expect(insKey('1891275125012')).toBe(82); // 1891275125012 mod 97 = 15
  });
  it('replaces 2A by 19 and 2B by 18 for Corsica', () => {
    expect(insKey('18001' + '2A' + '123456')).toBe(insKey('18001' + '19' + '123456'));
    expect(insKey('18001' + '2B' + '123456')).toBe(insKey('18001' + '18' + '123456'));
    const body = '180012A123456';
    expect(insValid(body + String(insKey(body)).padStart(2, '0'))).toBe(true);
  });
  it('rejects wrong lengths, letters outside the department and a wrong key', () => {
    expect(insValid('27903512151898')).toBe(false);
    expect(insValid('2790351215189890')).toBe(false);
    expect(insValid('27903512151X989')).toBe(false);
    expect(insValid('279035121518988')).toBe(false);
    expect(insValid('2790351215189 89')).toBe(false);
  });
  it('accepts every generated valid NIR and rejects it with one digit changed', () => {
    fc.assert(fc.property(validNir, fc.nat(), fc.nat(), (nir, pos, shift) => {
      expect(insValid(nir)).toBe(true);
      const digitPositions = [...nir].map((c, i) => (/[0-9]/.test(c) ? i : -1)).filter((i) => i >= 0);
      const index = digitPositions[pos % digitPositions.length]!;
      const altered = changeDigit(nir, index, shift);
      expect(insValid(altered)).toBe(false);
    }));
  });
});

describe('Luhn-keyed identifiers', () => {
  it('computes Luhn check digits', () => {
    expect(luhnCheckDigit('1000345678')).toBe('6');
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
    expect(luhnValid('')).toBe(false);
  });
  it('RPPS: 11 digits with a Luhn key, any single changed digit fails', () => {
    fc.assert(fc.property(validRpps, fc.nat(10), fc.nat(), (rpps, index, shift) => {
      expect(rppsValid(rpps)).toBe(true);
      expect(rppsValid(changeDigit(rpps, index, shift))).toBe(false);
    }));
    expect(rppsValid('1000345678')).toBe(false);
    expect(idNatPsFromRpps('10003456786')).toBe('810003456786');
  });
  it('FINESS: 9 digits with a Luhn key, any single changed digit fails', () => {
    fc.assert(fc.property(validFiness, fc.nat(8), fc.nat(), (finess, index, shift) => {
      expect(finessValid(finess)).toBe(true);
      expect(finessValid(changeDigit(finess, index, shift))).toBe(false);
    }));
    expect(idNatStructFromFiness('250012341')).toBe('1250012341');
  });
  it('FINESS: accepts Corsican 2A/2B numbers on their layout only', () => {
    expect(finessValid('2A0000123')).toBe(true);
    expect(finessValid('2B1234567')).toBe(true);
    expect(finessValid('2C1234567')).toBe(false);
    expect(finessValid('2A000012')).toBe(false);
  });
  it('SIRET: 14 digits with a Luhn key, any single changed digit fails', () => {
    fc.assert(fc.property(validSiret, fc.nat(13), fc.nat(), (siret, index, shift) => {
      expect(siretValid(siret)).toBe(true);
      const altered = changeDigit(siret, index, shift);
      // Changing a digit can only land in La Poste's range if the prefix becomes 356000000.
      if (!altered.startsWith('356000000')) expect(siretValid(altered)).toBe(false);
    }));
  });
  it('SIRET: La Poste establishments need a digit sum multiple of 5, its head office the Luhn key', () => {
    expect(siretValid('35600000000048')).toBe(true);
    expect(siretValid('35600000000001')).toBe(true); // digit sum 15, not Luhn-valid
    expect(luhnValid('35600000000001')).toBe(false);
    expect(siretValid('35600000000014')).toBe(false); // digit sum 19
    expect(siretValid('35600000000049')).toBe(false); // head office with a wrong key
  });
});
