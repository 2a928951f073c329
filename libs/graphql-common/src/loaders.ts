import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import DataLoader from 'dataloader';

/** Loads the values of many keys in one read: one value (or Error) per key, in the keys' order. */
export type BatchRead<K, V> = (keys: readonly K[]) => Promise<readonly (V | Error)[]>;

/**
 * The DataLoaders of one GraphQL request (issue 5 §4: a dashboard query does a bounded number of SQL
 * statements however long its lists are). A field resolver asks for a loader by name; the first ask
 * in the request creates it, so every item of a list lands in the same batch.
 *
 * Batching only, no memoising: a request may hold several mutations, run one after another, and a
 * value read for the first would be stale for the next. Keys asked for twice in one batch reach the
 * batch read twice, so batch reads must answer repeated keys (map rows by key, never by position).
 */
export class RequestLoaders {
  private readonly loaders = new Map<string, DataLoader<unknown, unknown>>();

  /**
   * The loader called `name` in this request. Include every argument that changes the answer in the
   * name (e.g. `site-utilisation:2027-01-04:2027-01-08`): the batch read is the first caller's.
   */
  get<K, V>(name: string, read: BatchRead<K, V>): DataLoader<K, V> {
    let loader = this.loaders.get(name) as DataLoader<K, V> | undefined;
    if (!loader) {
      loader = new DataLoader<K, V>(read, { cache: false });
      this.loaders.set(name, loader as DataLoader<unknown, unknown>);
    }
    return loader;
  }
}

/** Keyed on the request object, so the loaders go when the request does and no module wiring is needed. */
const byRequest = new WeakMap<object, RequestLoaders>();

/** The loaders of the request a GraphQL context belongs to (the Fastify request; the context itself otherwise, e.g. over WebSocket). */
export function loadersOf(graphqlContext: { reply?: { request?: object } }): RequestLoaders {
  const owner = graphqlContext.reply?.request ?? graphqlContext;
  let loaders = byRequest.get(owner);
  if (!loaders) {
    loaders = new RequestLoaders();
    byRequest.set(owner, loaders);
  }
  return loaders;
}

/** Resolver parameter: this request's loaders. */
export const Loaders = createParamDecorator((_data: unknown, context: ExecutionContext): RequestLoaders =>
  loadersOf(GqlExecutionContext.create(context).getContext<{ reply?: { request?: object } }>()),
);
