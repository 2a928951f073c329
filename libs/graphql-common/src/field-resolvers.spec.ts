import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Field, GraphQLSchemaBuilderModule, GraphQLSchemaFactory, ObjectType, Query, Resolver, type FieldMiddleware } from '@nestjs/graphql';
import { graphql, type GraphQLObjectType } from 'graphql';
import { withoutPropertyResolvers } from './field-resolvers';

const upper: FieldMiddleware = async (_context, next) => String(await next()).toUpperCase();

@ObjectType()
class Thing {
  @Field()
  plain!: string;
  @Field({ name: 'renamed' })
  internalName!: string;
  @Field({ middleware: [upper] })
  shouted!: string;
}

@Resolver(() => Thing)
class ThingResolver {
  @Query(() => Thing)
  thing(): Thing {
    return { plain: 'p', internalName: 'r', shouted: 's' };
  }
}

/** Plain fields lose @nestjs/graphql's per-field resolver (graphql-jit then reads the property inline); others keep theirs. */
describe('withoutPropertyResolvers', () => {
  it('takes off the resolvers of plain fields only, and answers the same', async () => {
    const app = await NestFactory.createApplicationContext(GraphQLSchemaBuilderModule, { logger: false });
    try {
      const schema = await app.get(GraphQLSchemaFactory).create([ThingResolver]);
      const fields = () => (schema.getType('Thing') as GraphQLObjectType).getFields();
      // Nest puts its property resolver on every field; if it stops doing so (or renames it), this test says so.
      expect(fields().plain!.resolve?.name).toBe('rootFieldResolver');

      withoutPropertyResolvers(schema);
      expect(fields().plain!.resolve).toBeUndefined();
      expect(fields().renamed!.resolve).toBeDefined();
      expect(fields().shouted!.resolve).toBeDefined();

      const root = { thing: { plain: 'p', internalName: 'r', shouted: 's' } };
      const answer = await graphql({ schema, source: '{ thing { plain renamed shouted } }', rootValue: root });
      expect(answer).toEqual({ data: { thing: { plain: 'p', renamed: 'r', shouted: 'S' } } });
    } finally {
      await app.close();
    }
  });
});
