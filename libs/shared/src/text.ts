import { ValidationError } from './errors';

export function requireText(field: string, raw: string | undefined | null, maxLength: number): string {
  const text = (raw ?? '').trim();
  if (!text) throw new ValidationError(field, `${field} must not be empty.`);
  if (text.length > maxLength) throw new ValidationError(field, `${field} is longer than ${maxLength} characters.`);
  return text;
}

export function optionalText(field: string, raw: string | undefined | null, maxLength: number): string | undefined {
  const text = raw?.trim();
  if (!text) return undefined;
  if (text.length > maxLength) throw new ValidationError(field, `${field} is longer than ${maxLength} characters.`);
  return text;
}

/** The "why" of a change (GMP: who, what, when and why); blank counts as none. */
export function optionalReason(raw: string | undefined | null): string | undefined {
  return optionalText('reason', raw, 1000);
}

/**
 * A UK postcode district (the outward code: "M20", "WC1E", "B15"), the coarse home location the
 * stay-within-reach rule needs (issue 14 §4). A full postcode or an address is refused, never stored:
 * Bedside keeps no more of where a patient lives than the district (docs/domain.md "Pathway").
 */
export function postcodeDistrict(field: string, raw: string | undefined | null): string {
  const text = (raw ?? '').trim().toUpperCase();
  if (/^[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}$/.test(text)) {
    throw new ValidationError(field, `Give only the postcode district, the part before the space (${text.replace(/\s*[0-9][A-Z]{2}$/, '')}): Bedside keeps no full postcode or address.`);
  }
  if (!/^[A-Z]{1,2}[0-9][A-Z0-9]?$/.test(text)) throw new ValidationError(field, `"${raw ?? ''}" is not a postcode district: give the outward code, e.g. "M20" or "WC1E".`);
  return text;
}
