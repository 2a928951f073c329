import type { Type } from '@nestjs/common';
import { Field, ObjectType } from '@nestjs/graphql';
import { ValidationError } from '@bedside/shared';

@ObjectType({ description: 'Where a page of a list stands (Relay cursor connections).' })
export class PageInfo {
  @Field({ description: 'True when more items follow this page; ask again with `after: endCursor`.' })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the last item on this page; pass it as `after` for the next page.' })
  endCursor!: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface ConnectionShape<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
}

/** Builds the Relay connection type for a node type: `XConnection { edges { cursor node } pageInfo }`. */
export function Connection<T>(nodeType: Type<T>, nodeName: string, nodeDescription: string) {
  @ObjectType(`${nodeName}Edge`, { description: `One ${nodeDescription} in a page, with the cursor that points at it.` })
  class EdgeType {
    @Field({ description: 'Opaque cursor of this item; pass it as `after` to get the items that follow.' })
    cursor!: string;

    @Field(() => nodeType, { description: `The ${nodeDescription}.` })
    node!: T;
  }

  @ObjectType({ isAbstract: true })
  abstract class ConnectionType implements ConnectionShape<T> {
    @Field(() => [EdgeType], { description: `The ${nodeDescription}s on this page, in order.` })
    edges!: EdgeType[];

    @Field(() => PageInfo, { description: 'Whether more items follow, and the cursor to get them.' })
    pageInfo!: PageInfo;
  }
  return ConnectionType;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new ValidationError('first', `first must be between 1 and ${MAX_PAGE_SIZE}; got ${first}.`);
  }
  return first;
}

/**
 * Opaque keyset cursors: the sort key of an item, tagged with the list it came from, so a cursor
 * from one list cannot be replayed against another.
 */
export function encodeCursor(list: string, key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify([list, ...key])).toString('base64url');
}

export function decodeCursor(list: string, cursor: string | null | undefined, shape: readonly ('string' | 'number')[]): (string | number)[] | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  const invalid = () =>
    new ValidationError('after', `The cursor "${cursor.slice(0, 40)}" was not given out by this list; start again without \`after\`.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed[0] !== list || parsed.length !== shape.length + 1) throw invalid();
  const key = parsed.slice(1) as unknown[];
  if (!key.every((value, i) => typeof value === shape[i])) throw invalid();
  return key as (string | number)[];
}

/** Turns `limit + 1` fetched rows into a page: the extra row only says that more follow. */
export function toConnection<Row, Node>(
  rows: readonly Row[],
  limit: number,
  cursorOf: (row: Row) => string,
  toNode: (row: Row) => Node,
): ConnectionShape<Node> {
  const page = rows.slice(0, limit);
  const edges = page.map((row) => ({ cursor: cursorOf(row), node: toNode(row) }));
  return { edges, pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null } };
}
