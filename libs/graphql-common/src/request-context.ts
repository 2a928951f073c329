import { randomUUID } from 'node:crypto';
import { createParamDecorator, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { CommandContext } from '@bedside/event-store';
import { TokenVerifier, type Identity } from '@bedside/identity';
import { ForbiddenError, requireRole, type Role } from '@bedside/shared';
import { RequestRateLimiter } from './limits';

const ALLOWED_ROLES = 'bedside:allowed-roles';

/**
 * The roles that may call a query, mutation or subscription. An operation without it is open to no
 * one, so a new operation is denied until someone decides who may use it (issue 5 §2). Finer rules
 * (a scheduler's own trust, dashboards and patient-level rows) live in the application layer.
 */
export const Allow = (roles: readonly Role[]) => SetMetadata(ALLOWED_ROLES, roles);

export interface RequestLike {
  id?: string;
  headers: Record<string, string | string[] | undefined>;
  /** Set once per request by the AuthenticationGuard. */
  verifying?: Promise<Identity>;
  identity?: Identity;
  /** The request has been counted against its identity's rate limit. */
  counted?: Promise<void>;
}

export interface GraphQLRequestContext {
  /** HTTP operations. */
  reply?: { request: RequestLike };
  /** Subscriptions: who connected (verified at connection_init; see subscriberIdentity). */
  identity?: Identity;
  [SUBSCRIBER]?: RequestLike;
}

const SUBSCRIBER = Symbol('subscriber');

/**
 * The identity a WebSocket client proves in its connection_init payload: `{ "authorization": "Bearer …" }`
 * (also accepted inside `headers`). Verified once per connection; every subscription on it acts as them.
 */
export async function subscriberIdentity(verifier: TokenVerifier, payload: unknown): Promise<Identity> {
  const p = (payload ?? {}) as { authorization?: unknown; Authorization?: unknown; headers?: { authorization?: unknown; Authorization?: unknown } };
  const value = p.authorization ?? p.Authorization ?? p.headers?.authorization ?? p.headers?.Authorization;
  return verifier.verify(typeof value === 'string' ? value : undefined);
}

/**
 * A resolver's own arguments (root, args, context, info) as its ExecutionContext holds them. Nest's
 * GqlExecutionContext.create does the same and more (it also recognises reference and resolveType
 * calls, which have three arguments or a type last); built for every guard and parameter of every
 * resolver call, it was a measurable share of a small query, so it is left for those other cases.
 */
function resolverArgs(context: ExecutionContext): readonly [unknown, unknown, GraphQLRequestContext, { fieldName: string }] {
  const args = context.getArgs();
  if (args.length === 4 && typeof (args[3] as { fieldName?: unknown } | undefined)?.fieldName === 'string') return args as unknown as [unknown, unknown, GraphQLRequestContext, { fieldName: string }];
  const gql = GqlExecutionContext.create(context);
  return [gql.getRoot(), gql.getArgs(), gql.getContext<GraphQLRequestContext>(), gql.getInfo<{ fieldName: string }>()];
}

/** A resolver's GraphQL context (Mercurius': `reply` over HTTP; over WebSocket, what onConnect gave). */
export const graphqlContextOf = (context: ExecutionContext): GraphQLRequestContext => resolverArgs(context)[2];

/** The request a GraphQL operation belongs to: the HTTP request, or for a subscription its connection's. */
export function requestOfGraphQL(gql: GraphQLRequestContext): RequestLike {
  if (gql.reply) return gql.reply.request;
  // A subscription: its connection was authenticated at connection_init.
  return (gql[SUBSCRIBER] ??= { id: randomUUID(), headers: {}, ...(gql.identity ? { identity: gql.identity, verifying: Promise.resolve(gql.identity) } : {}) });
}

/** The HTTP request behind a GraphQL operation or a plain HTTP route (the CSV export). */
function requestOf(context: ExecutionContext): RequestLike {
  if (context.getType<string>() !== 'graphql') return context.switchToHttp().getRequest<RequestLike>();
  return requestOfGraphQL(resolverArgs(context)[2]);
}

const operationOf = (context: ExecutionContext): string =>
  context.getType<string>() === 'graphql' ? resolverArgs(context)[3].fieldName : `${context.getClass().name}.${context.getHandler().name}`;

/**
 * Every operation needs a verified bearer token (issue 5 §1), checked once per request before any
 * resolver runs: a missing, forged or expired token answers UNAUTHENTICATED. Then the operation's
 * `@Allow` roles: anyone else, or an operation nobody was allowed, answers FORBIDDEN.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly reflector: Reflector,
    private readonly rateLimiter: RequestRateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = requestOf(context);
    const authorization = request.headers.authorization;
    request.verifying ??= this.verifier.verify(Array.isArray(authorization) ? authorization[0] : authorization);
    request.identity = await request.verifying;
    // Counted once per request however many root fields it has, and only once the caller is known.
    request.counted ??= this.rateLimiter.take(`${request.identity.role}:${request.identity.actor}`);
    await request.counted;
    const operation = operationOf(context);
    const allowed = this.reflector.getAllAndOverride<readonly Role[] | undefined>(ALLOWED_ROLES, [context.getHandler(), context.getClass()]);
    if (!allowed) throw new ForbiddenError(`${operation} is not open to any role yet.`, { operation });
    requireRole(request.identity.role, allowed, `use ${operation}`);
    return true;
  }
}

/**
 * Who is acting, in which role, for which trusts: from the verified token only, never from the
 * request body. Every event records it; handlers narrow `onBehalfOf` to the trust they act for.
 */
export function commandContextFrom(request: RequestLike): CommandContext {
  const identity = request.identity;
  // The guard runs before every root resolver; without it there is no one to act as.
  if (!identity) throw new Error('No verified identity on the request: is the AuthenticationGuard installed?');
  return {
    actor: identity.actor,
    role: identity.role,
    trusts: identity.trusts,
    ...(identity.trusts.length === 1 ? { onBehalfOf: identity.trusts[0] } : {}),
    ...(identity.signedInAt && { signedInAt: identity.signedInAt }),
    correlationId: request.id ?? randomUUID(),
  };
}

/**
 * The CommandContext of the request a GraphQL context belongs to, for a field resolver written
 * without parameter decorators (Nest then calls it as GraphQL does, with no execution context around
 * it). Only below a root field, whose guard has verified the caller.
 */
export const actingOf = (gql: GraphQLRequestContext): CommandContext => commandContextFrom(requestOfGraphQL(gql));

/** Resolver parameter: the request's CommandContext (without a reason; add the mutation's own). */
export const Acting = createParamDecorator((_data: unknown, context: ExecutionContext): CommandContext => commandContextFrom(requestOf(context)));
