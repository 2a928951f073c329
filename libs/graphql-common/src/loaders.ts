import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import DataLoader from 'dataloader';
import { graphqlContextOf } from './request-context';

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
  private readonly provided = new Map<string, Map<unknown, unknown>>();

  /**
   * An answer a parent resolver has already read along with its own row (one statement instead of
   * two): the next load of `key` from loader `name` in this request takes it, once, without a read.
   */
  provide<K, V>(name: string, key: K, value: V): void {
    const known = this.provided.get(name) ?? new Map<unknown, unknown>();
    known.set(key, value);
    this.provided.set(name, known);
  }

  /**
   * The answer provided for `key` of loader `name`, taken (once), or undefined when none was: a
   * resolver answers it at once instead of waiting a tick for a batch that would only return it.
   */
  take<K, V>(name: string, key: K): V | undefined {
    const known = this.provided.get(name);
    if (!known?.has(key)) return undefined;
    const value = known.get(key) as V;
    known.delete(key);
    return value;
  }

  /**
   * The loader called `name` in this request. Include every argument that changes the answer in the
   * name (e.g. `site-utilisation:2027-01-04:2027-01-08`): the batch read is the first caller's.
   */
  get<K, V>(name: string, read: BatchRead<K, V>): DataLoader<K, V> {
    let loader = this.loaders.get(name) as DataLoader<K, V> | undefined;
    if (!loader) {
      loader = new DataLoader<K, V>(async (keys) => {
        const known = this.provided.get(name);
        const given = keys.map((key) => known?.has(key));
        const missing = keys.filter((_, i) => !given[i]);
        const fetched = missing.length > 0 ? [...(await read(missing))] : [];
        return keys.map((key, i) => {
          if (!given[i]) return fetched.shift()!;
          const value = known!.get(key) as V;
          known!.delete(key);
          return value;
        });
      }, { cache: false });
      this.loaders.set(name, loader as DataLoader<unknown, unknown>);
    }
    return loader;
  }
}

/**
 * Kept on the request object, so the loaders go when the request does and no module wiring is needed
 * (a symbol-keyed property: cheaper on every request than a WeakMap entry).
 */
const LOADERS = Symbol('bedside:request-loaders');

/** The loaders of the request a GraphQL context belongs to (the Fastify request; the context itself otherwise, e.g. over WebSocket). */
export function loadersOf(graphqlContext: { reply?: { request?: object } }): RequestLoaders {
  const owner = (graphqlContext.reply?.request ?? graphqlContext) as { [LOADERS]?: RequestLoaders };
  return (owner[LOADERS] ??= new RequestLoaders());
}

/** Resolver parameter: this request's loaders. */
export const Loaders = createParamDecorator((_data: unknown, context: ExecutionContext): RequestLoaders => loadersOf(graphqlContextOf(context)));

/** Whether a resolver's own field selection asks for `field` directly (fragments are not looked into). */
export function selects(info: { fieldNodes: readonly { selectionSet?: { selections: readonly { kind: string; name?: { value: string } }[] } }[] }, field: string): boolean {
  return info.fieldNodes.some((node) => node.selectionSet?.selections.some((s) => s.kind === 'Field' && s.name?.value === field) ?? false);
}
