import type { ExpectedVersion } from './types';

/** An append's expected version did not match the stream: someone else wrote first. */
export class ConcurrencyError extends Error {
  override readonly name = 'ConcurrencyError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    /** The stream's version when the append was refused, or 'no_stream'. */
    readonly actual: number | 'no_stream',
  ) {
    super(`Stream "${streamId}" was expected at ${describe(expected)} but is at ${describe(actual)}.`);
  }
}

function describe(version: ExpectedVersion | 'no_stream'): string {
  switch (version) {
    case 'any':
      return 'any version';
    case 'no_stream':
      return 'no stream (it does not exist)';
    case 'exists':
      return 'an existing stream';
    default:
      return `version ${version}`;
  }
}

/** The caller asked for something the store cannot do as asked (empty append, duplicate stream, ...). */
export class InvalidAppendError extends Error {
  override readonly name = 'InvalidAppendError';
}
