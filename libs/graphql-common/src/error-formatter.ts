import { GraphQLError, type ExecutionResult } from 'graphql';
import mercurius from 'mercurius';
import { ConcurrencyError, concurrencyConflict } from '@bedside/event-store';
import { BedsideError } from '@bedside/shared';

interface FormatterContext {
  reply?: { request: { id: string; log: { error(obj: unknown, msg: string): void } } };
  app: { log: { error(obj: unknown, msg: string): void } };
}

/**
 * Every error a client sees carries a stable `extensions.code` and a message a scheduler can act
 * on; internal failures are logged with their stack and shown only as a correlation id.
 */
export function formatGraphQLErrors(execution: ExecutionResult & { errors: readonly GraphQLError[] }, context: unknown) {
  const ctx = context as FormatterContext;
  const errors = execution.errors
    .flatMap((error) => {
      const wrapped = (error.originalError as { errors?: unknown })?.errors;
      return Array.isArray(wrapped) ? (wrapped as GraphQLError[]) : [error];
    })
    .map((error) => toClientError(error, ctx));
  return mercurius.defaultErrorFormatter({ ...execution, errors } as never, context as never);
}

function toClientError(error: GraphQLError, ctx: FormatterContext): GraphQLError {
  const original = error.originalError;
  const rebuild = (message: string, extensions: Record<string, unknown>, httpError?: Error) =>
    new GraphQLError(message, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      extensions,
      // Kept only for HTTP-level errors, so the response keeps their status code (400, 413).
      ...(httpError ? { originalError: httpError } : {}),
    });

  // A race lost more often than its command retried is a conflict the user can retry, not an internal error (issue 11 §8).
  const known = original instanceof ConcurrencyError ? concurrencyConflict(original) : original;
  if (known instanceof BedsideError) {
    return rebuild(known.message, { ...known.details, code: known.code });
  }
  if (!original || original instanceof GraphQLError) {
    // Parse and validation errors (and the cost limit, with its figures): the request itself was malformed.
    return rebuild(error.message, { ...error.extensions, code: 'BAD_USER_INPUT' });
  }
  const statusCode = (original as { statusCode?: unknown }).statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return rebuild(describeHttpError(statusCode, original.message), { code: 'BAD_USER_INPUT' }, original);
  }
  const correlationId = ctx.reply?.request.id;
  (ctx.reply?.request.log ?? ctx.app.log).error({ err: original, correlationId }, 'unhandled error in GraphQL operation');
  return rebuild(
    `Bedside could not complete this request because of an internal error. Check the record (auditTrail) before ` +
      `trying again, and if it keeps failing report correlation id ${correlationId ?? 'unknown'}.`,
    { code: 'INTERNAL_SERVER_ERROR', correlationId },
  );
}

/** Errors raised before GraphQL runs: the body could not be read as a GraphQL request. */
function describeHttpError(statusCode: number, message: string): string {
  if (statusCode === 413) {
    return 'The request is larger than this server accepts. Send less per request (smaller pages, fewer items per mutation).';
  }
  if (statusCode === 415) return 'Send GraphQL requests as application/json.';
  return `The request could not be read as a GraphQL request: ${message}`;
}
