import { GraphQLSchemaHost } from '@nestjs/graphql';
import { breakingChanges, committedContract, printContract } from '../../apps/api/src/schema-artefact';
import { startTestApi, type TestApi } from '../support/test-api';

describe('schema.graphql, the committed contract', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ runProjections: false });
  });
  afterAll(() => api.close());

  it('matches the schema the code serves (run `npm run schema` and commit it after changing the API)', async () => {
    const schema = api.app.get(GraphQLSchemaHost).schema;
    const committed = await committedContract();
    const breaking = breakingChanges(committed, schema);
    // The message names breaking changes so they are seen, and called out in CHANGELOG.md.
    expect({ upToDate: committed === printContract(schema), breaking }).toEqual({ upToDate: true, breaking: [] });
  });
});
