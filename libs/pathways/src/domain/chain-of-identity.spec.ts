import { ValidationError } from '@bedside/shared';
import { issueCoi, mod37Check, normaliseCoi } from './chain-of-identity';

describe('Chain of Identity identifiers', () => {
  it('issues identifiers whose check character validates', () => {
    const coi = issueCoi('B0001', 2026, 123);
    expect(coi).toMatch(/^B000126000123[0-9A-Z*]$/);
    expect(normaliseCoi(coi)).toBe(coi);
    expect(normaliseCoi(` ${coi.slice(0, 5)}-${coi.slice(5).toLowerCase()} `)).toBe(coi);
  });

  it('computes ISO 7064 Mod 37-2: with its check character, a body sums to 1 (mod 37) before the last doubling', () => {
    for (const body of ['B000126000123', 'Z999999999999', 'A000000000000']) {
      const withCheck = body + mod37Check(body);
      let sum = 0;
      for (const char of withCheck) sum = ((sum + '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*'.indexOf(char)) * 2) % 37;
      expect(sum).toBe(2);
    }
  });

  it('catches every single-character mistyping and every adjacent swap', () => {
    const coi = issueCoi('B0001', 2026, 424242);
    for (let i = 0; i < coi.length - 1; i++) {
      for (const char of '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ') {
        if (char === coi[i]) continue;
        const typo = coi.slice(0, i) + char + coi.slice(i + 1);
        if (/^[A-Z]\d{12}/.test(typo)) expect(() => normaliseCoi(typo)).toThrow(ValidationError);
      }
      const swapped = coi.slice(0, i) + coi[i + 1] + coi[i] + coi.slice(i + 2);
      if (swapped !== coi && /^[A-Z]\d{12}/.test(swapped)) expect(() => normaliseCoi(swapped)).toThrow(/check character/);
    }
  });

  it('rejects identifiers of the wrong shape, saying what the shape is', () => {
    expect(() => normaliseCoi('12345')).toThrow(/a letter and 4 digits/);
  });
});
