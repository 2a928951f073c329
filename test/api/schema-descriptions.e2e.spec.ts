import { GraphQLSchemaHost } from '@nestjs/graphql';
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, type GraphQLNamedType } from 'graphql';
import { startTestApi, type TestApi } from '../support/test-api';

/** Dashboards and integrations read the schema: every type, field, argument and enum value says what it is. */
describe('GraphQL schema', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ runProjections: false });
  });
  afterAll(() => api.close());

  it('describes every type, field, argument and enum value', () => {
    const { schema } = api.app.get(GraphQLSchemaHost);
    const missing: string[] = [];
    const own = (type: GraphQLNamedType) => !type.name.startsWith('__') && !['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name);
    const roots = ['Query', 'Mutation', 'Subscription'];
    for (const type of Object.values(schema.getTypeMap()).filter(own)) {
      if (!type.description && !roots.includes(type.name)) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of 'args' in field ? field.args : []) if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
      if (isEnumType(type)) {
        for (const value of type.getValues()) if (!value.description) missing.push(`${type.name}.${value.name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
