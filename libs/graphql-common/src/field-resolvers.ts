import { isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';

/** The name of the resolver @nestjs/graphql gives every plain `@Field()` of an object type. */
const NEST_PROPERTY_RESOLVER = 'rootFieldResolver';

/**
 * Takes off the resolvers @nestjs/graphql puts on every plain `@Field()` (`(root) => root[property]`)
 * where GraphQL's own default, reading the property of the same name, answers the same. A field with a
 * resolver is one graphql-jit calls (with a resolve info, a try/catch and a promise check) for every
 * object of a list; without one it compiles to a property read. A timeline of a few steps with their
 * slots was over a hundred such calls per request.
 *
 * Each candidate is asked, with a root that records what is read from it, which property it reads and
 * what it answers for a missing one: only a resolver that reads the field's own name and answers
 * `undefined` (no `defaultValue`) goes. Field resolvers written with `@ResolveField`, renamed fields
 * (`@Field({ name })`), fields with a default value or field middleware (wrapped, so not named so) stay.
 */
export function withoutPropertyResolvers(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve;
      if (!resolve || resolve.name !== NEST_PROPERTY_RESOLVER) continue;
      if (readsOwnProperty(resolve as (root: unknown) => unknown, field.name)) field.resolve = undefined;
    }
  }
  return schema;
}

function readsOwnProperty(resolve: (root: unknown) => unknown, fieldName: string): boolean {
  const read: PropertyKey[] = [];
  const root = new Proxy({}, { get: (_target, key) => (read.push(key), undefined) });
  try {
    return resolve(root) === undefined && read.length === 1 && read[0] === fieldName;
  } catch {
    return false;
  }
}
