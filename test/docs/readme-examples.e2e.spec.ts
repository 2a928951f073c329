import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startTestApi, type TestApi } from '../support/test-api';

/** The README's ```graphql blocks, in order: documentation that is also a test cannot drift. */
function readmeExamples(): string[] {
  const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
  return [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

/** The shell example's JSON body, run first: it registers the Control Site. */
function readmeCurlBody(): string {
  const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
  const match = /-d '(\{"query":.*\})'/.exec(readme);
  if (!match) throw new Error('README has no curl example');
  return match[1]!;
}

describe('README examples', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it('has examples to run', () => {
    expect(readmeExamples().length).toBeGreaterThanOrEqual(6);
  });

  it('runs the curl example and every GraphQL example without an error', async () => {
    const curl = await api.post(readmeCurlBody());
    expect(await curl.json()).toEqual({ data: { registerSite: { code: 'CTL01', kind: 'CONTROL_SITE', status: 'PROPOSED' } } });
    const results: unknown[] = [];
    for (const query of readmeExamples()) {
      const result = await api.gql(query);
      expect({ query, errors: result.errors }).toEqual({ query, errors: undefined });
      results.push(result.data);
    }
    expect(results[3]).toEqual({
      pauseSite: { code: 'RBV02', status: 'PAUSED', statusReason: 'Cleanroom deep clean', statusChangedBy: 'qa.lead@control-site' },
    });
    expect(JSON.stringify(results[5])).toContain('SitePaused');
  });
});
