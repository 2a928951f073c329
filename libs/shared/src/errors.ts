/**
 * Stable error codes: GraphQL clients see them as `extensions.code` (README.md, "Try it", which lists them), so they are
 * part of the public contract and never renamed.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'SLOT_TAKEN'
  | 'CONFLICT'
  | 'HOLD_EXPIRED'
  | 'STEP_OUT_OF_ORDER'
  | 'RATE_LIMITED';

/**
 * An error a user can act on. Its message is written for a scheduler or planner: what happened
 * and what to do next, with no internals. Anything else that escapes is an internal error.
 */
export class BedsideError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Machine-readable facts for the client (field names, current state, ...). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends BedsideError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('BAD_USER_INPUT', message, { field });
  }
}

export class NotFoundError extends BedsideError {
  constructor(what: string, id: string, hint = '') {
    super('NOT_FOUND', `No ${what} with id "${id}" is recorded.${hint ? ` ${hint}` : ''}`, { what, id });
  }
}

export class ConflictError extends BedsideError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('CONFLICT', message, details);
  }
}
