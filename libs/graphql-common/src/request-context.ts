import { randomUUID } from 'node:crypto';
import { createParamDecorator, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { CommandContext } from '@bedside/event-store';
import { TokenVerifier, type Identity } from '@bedside/identity';

export interface RequestLike {
  id?: string;
  headers: Record<string, string | string[] | undefined>;
  /** Set once per request by the AuthenticationGuard. */
  verifying?: Promise<Identity>;
  identity?: Identity;
}

export interface GraphQLRequestContext {
  reply: { request: RequestLike };
}

const requestOf = (context: ExecutionContext): RequestLike => GqlExecutionContext.create(context).getContext<GraphQLRequestContext>().reply.request;

/**
 * Every operation needs a verified bearer token (issue 5 §1). The token is checked once per request,
 * before any resolver runs; a missing, forged or expired token answers UNAUTHENTICATED.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(private readonly verifier: TokenVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType<string>() !== 'graphql') return true;
    const request = requestOf(context);
    const authorization = request.headers.authorization;
    request.verifying ??= this.verifier.verify(Array.isArray(authorization) ? authorization[0] : authorization);
    request.identity = await request.verifying;
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
    correlationId: request.id ?? randomUUID(),
  };
}

/** Resolver parameter: the request's CommandContext (without a reason; add the mutation's own). */
export const Acting = createParamDecorator((_data: unknown, context: ExecutionContext): CommandContext => commandContextFrom(requestOf(context)));
