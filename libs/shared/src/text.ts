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
