import { GraphQLError, NoSchemaIntrospectionCustomRule, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { BedsideError } from '@bedside/shared';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './pagination';

/** What one request may ask of the server (issue 5 §5). */
export interface QueryLimits {
  /** Deepest nesting of fields. */
  readonly maxDepth: number;
  /** Largest cost: each field 1, a page of `first` items counted `first` times. */
  readonly maxCost: number;
  /** Operations per identity per minute (0: no limit). */
  readonly requestsPerMinute: number;
  /** Whether the schema may be introspected (development tools, codegen). */
  readonly introspection: boolean;
}

export const DEFAULT_LIMITS: QueryLimits = { maxDepth: 12, maxCost: 10_000, requestsPerMinute: 1200, introspection: true };

/**
 * A paged list costs what one item costs, once per item asked for (`first`, or the default page). A
 * page larger than any list serves is priced at the largest, so its own clear error (`first`) answers.
 */
const pagedEstimator: ComplexityEstimator = ({ field, args, childComplexity }) =>
  field.args.some((a) => a.name === 'first') ? 1 + childComplexity * (typeof args.first === 'number' ? Math.min(Math.max(args.first, 1), MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE) : undefined;

/** Rules checked when a query is first validated (Mercurius caches the result per query text). */
export function validationRules(limits: QueryLimits): ValidationRule[] {
  return limits.introspection ? [] : [NoSchemaIntrospectionCustomRule];
}

/**
 * Mercurius reuses one parsed document per query text, so a document's cost is remembered per set of
 * variables (a few sets each: the same dashboard query comes again and again).
 */
const costs = new WeakMap<DocumentNode, Map<string, number>>();

function costOf(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined): number {
  const key = variables ? JSON.stringify(variables) : '';
  let known = costs.get(document);
  const cached = known?.get(key);
  if (cached !== undefined) return cached;
  const cost = getComplexity({ schema, query: document, variables, estimators: [pagedEstimator, simpleEstimator({ defaultComplexity: 1 })] });
  if (!known) costs.set(document, (known = new Map()));
  if (known.size >= 64) known.clear();
  known.set(key, cost);
  return cost;
}

/**
 * The cost limit depends on variables (`first: $n`), so it is checked before each execution rather
 * than in the cached validation; nothing has run when it refuses.
 */
export function checkCost(limits: QueryLimits, schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined): void {
  const cost = costOf(schema, document, variables);
  if (cost > limits.maxCost) {
    throw new GraphQLError(`This request would cost ${cost}, more than the ${limits.maxCost} one request may: ask for fewer fields, fewer aliases or smaller pages (first), or split it.`, {
      extensions: { cost, maxCost: limits.maxCost },
    });
  }
}

export class RateLimitedError extends BedsideError {
  constructor(retryAfterSeconds: number) {
    super('RATE_LIMITED', `Too many requests from you in the last minute: wait ${retryAfterSeconds} s and try again. Nothing was done for this request.`, { retryAfterSeconds });
  }
}

/** Per-identity budget of operations a minute, counted once per request. */
export class RequestRateLimiter {
  private readonly limiter: RateLimiterMemory | null;

  constructor(requestsPerMinute: number) {
    this.limiter = requestsPerMinute > 0 ? new RateLimiterMemory({ points: requestsPerMinute, duration: 60 }) : null;
  }

  async take(identity: string): Promise<void> {
    if (!this.limiter) return;
    try {
      await this.limiter.consume(identity);
    } catch (result) {
      if (result instanceof RateLimiterRes) throw new RateLimitedError(Math.max(1, Math.ceil(result.msBeforeNext / 1000)));
      throw result;
    }
  }
}
