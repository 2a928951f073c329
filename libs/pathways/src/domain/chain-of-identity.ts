import { ValidationError } from '@bedside/shared';

/**
 * Chain of Identity identifiers in the shape of an ISBT 128 Donation Identification Number (the
 * basis of ST-028 COIs): facility id (a letter and four digits), two-digit year, six-digit sequence,
 * then an ISO 7064 Mod 37-2 check character, e.g. "B000126000123" + check.
 */
/**
 * A Chain of Identity identifier that has been checked (shape and check character) and normalised:
 * commands carry this, so a handler never meets one a resolver did not parse (issue 12 §4).
 */
export type ChainOfIdentity = string & { readonly __checked: 'ChainOfIdentity' };

const COI = /^([A-Z]\d{4})(\d{2})(\d{6})([0-9A-Z*])$/;
const CHARSET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*';

/** ISO 7064 Mod 37-2 check character of a string of digits and capital letters. */
export function mod37Check(body: string): string {
  let sum = 0;
  for (const char of body) {
    const value = CHARSET.indexOf(char);
    if (value < 0 || value > 35) throw new Error(`"${char}" cannot appear in a checked identifier.`);
    sum = ((sum + value) * 2) % 37;
  }
  return CHARSET[(38 - sum) % 37]!;
}

export function normaliseCoi(raw: string): ChainOfIdentity {
  const coi = raw.replace(/[\s-]/g, '').toUpperCase();
  const match = COI.exec(coi);
  if (!match) {
    throw new ValidationError('coi', `"${raw}" is not a Chain of Identity identifier: a letter and 4 digits, a 2-digit year, a 6-digit sequence and a check character.`);
  }
  if (mod37Check(coi.slice(0, -1)) !== coi.at(-1)) {
    throw new ValidationError('coi', `The check character of "${raw}" is wrong: the identifier was mistyped. Copy it from the label again.`);
  }
  return coi as ChainOfIdentity;
}

export function issueCoi(facilityId: string, year: number, sequence: number): ChainOfIdentity {
  const body = `${facilityId}${String(year % 100).padStart(2, '0')}${String(sequence).padStart(6, '0')}`;
  if (!/^[A-Z]\d{4}\d{8}$/.test(body)) throw new Error(`Cannot issue a COI from facility "${facilityId}", sequence ${sequence}.`);
  return (body + mod37Check(body)) as ChainOfIdentity;
}
