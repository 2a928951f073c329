import { ValidationError } from './errors';

export function wholeNumber(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, `${field} must be a whole number from ${min} to ${max}; got ${value}.`);
  }
  return value;
}

export function numberIn(field: string, value: number, min: number, max: number, { exclusiveMin = false } = {}): number {
  if (!Number.isFinite(value) || value > max || (exclusiveMin ? value <= min : value < min)) {
    throw new ValidationError(field, `${field} must be ${exclusiveMin ? 'more than' : 'at least'} ${min} and at most ${max}; got ${value}.`);
  }
  return value;
}

export function oneOf<T extends string>(field: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new ValidationError(field, `${field} must be one of ${allowed.join(', ')}; got "${value}".`);
  return value as T;
}
