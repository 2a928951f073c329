import { randomUUID } from 'node:crypto';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { CommandContext } from '@bedside/event-store';

interface RequestLike {
  id?: string;
  headers: Record<string, string | string[] | undefined>;
}

const header = (request: RequestLike, name: string): string | undefined => {
  const value = request.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text?.trim() || undefined;
};

/**
 * Who is acting, in which role, for whom, in this request. Until identity lands (bearer tokens,
 * issue 5) it is read from the `x-bedside-actor`, `x-bedside-role` and `x-bedside-on-behalf-of`
 * headers; every event records it.
 */
export function commandContextFrom(request: RequestLike, reason?: string | null): CommandContext {
  const onBehalfOf = header(request, 'x-bedside-on-behalf-of');
  const role = header(request, 'x-bedside-role');
  return {
    actor: header(request, 'x-bedside-actor') ?? 'anonymous',
    ...(onBehalfOf ? { onBehalfOf } : {}),
    ...(role ? { role } : {}),
    correlationId: request.id ?? randomUUID(),
    ...(reason?.trim() ? { reason: reason.trim() } : {}),
  };
}

export interface GraphQLRequestContext {
  reply: { request: RequestLike };
}

/** Resolver parameter: the request's CommandContext (without a reason; add the mutation's own). */
export const Acting = createParamDecorator((_data: unknown, context: ExecutionContext): CommandContext => {
  const gql = GqlExecutionContext.create(context).getContext<GraphQLRequestContext>();
  return commandContextFrom(gql.reply.request);
});
