import { DataSource } from 'typeorm';
import { DEFAULT_LIMITS } from '@bedside/graphql-common';
import { AS_DASHBOARD, AS_PLANNER, AS_SCHEDULER, startDemoApi, startTestApi, type TestApi } from '../support/test-api';

const REGISTER = (i: number) => `r${i}: registerSite(input: { code: "ZX${String(i).padStart(3, '0')}", name: "Flood ${i}", kind: HOSPITAL, location: { latitude: 51, longitude: 0 }, region: SE }) { code }`;

describe('hostile and oversized requests', () => {
  let api: TestApi;
  const events = async () => Number((await api.app.get(DataSource).query('SELECT count(*) AS n FROM events'))[0].n);
  beforeAll(async () => {
    api = await startDemoApi();
  });
  afterAll(() => api.close());

  it('refuses a query nested 50 deep before running any of it', async () => {
    let selection = 'name';
    for (let i = 0; i < 24; i++) selection = `fields { type { ${selection} } }`;
    const result = await api.gql(`{ __type(name: "Query") { ${selection} } }`);
    // The schema has no cycles, so only introspection nests this deep; graphql-js's own introspection depth rule answers first.
    expect(result.errors![0]).toMatchObject({ message: expect.stringMatching(/depth/i), extensions: { code: 'BAD_USER_INPUT' } });
    expect(result.data ?? null).toBeNull();
  });

  it('refuses 10,000 aliases, and 10,000 aliased mutations write nothing', async () => {
    const reads = Array.from({ length: 10_000 }, (_, i) => `a${i}: projections { name }`).join(' ');
    const read = await api.gql(`{ ${reads} }`);
    expect(read.errors![0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect(read.errors![0]!.message).toMatch(/more than the 10000 one request may|maximum|exceeds/i);

    const before = await events();
    const writes = await api.gql(`mutation { ${Array.from({ length: 10_000 }, (_, i) => REGISTER(i)).join(' ')} }`);
    expect(writes.errors![0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect(await events()).toBe(before);
  });

  it('prices a page by its size: one large page of capacity passes, the same page twice does not', async () => {
    const page = (alias: string) => `${alias}: capacity(filter: {}, from: "2027-01-04", to: "2027-01-08", first: 500) { edges { cursor node { siteCode unitId resource day session startsAt endsAt nominal capacity committed tentative free } } pageInfo { hasNextPage } }`;
    expect((await api.gql(`{ ${page('one')} }`)).errors).toBeUndefined();
    const twice = await api.gql(`{ ${page('one')} ${page('two')} }`);
    expect(twice.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', maxCost: DEFAULT_LIMITS.maxCost, cost: expect.any(Number) } });
    expect(twice.errors![0]!.message).toMatch(/ask for fewer fields, fewer aliases or smaller pages/);
  });

  it('answers a 5 MB request with 413 and BAD_USER_INPUT, writing nothing', async () => {
    const before = await events();
    const padding = 'x'.repeat(5 * 1024 * 1024);
    const response = await api.post(JSON.stringify({ query: `mutation { ${REGISTER(1)} }`, variables: { padding } }));
    expect(response.status).toBe(413);
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/larger than this server accepts/) });
    expect(await events()).toBe(before);
  });

  it.each([
    ['pathways', `{ pathways(after: "bm90LWEtY3Vyc29y") { edges { cursor } } }`],
    ['atRiskPathways', `{ atRiskPathways(after: "%%%") { edges { cursor } } }`],
    ['waitlist', `{ waitlist(after: "eyJ4IjoxfQ") { edges { cursor } } }`],
    ['capacity', `{ capacity(filter: {}, from: "2027-01-04", to: "2027-01-04", after: "12345") { edges { cursor } } }`],
    ['auditTrail', `{ auditTrail(streamId: "site-RBV01", after: "") { edges { cursor } } }`],
    ['network.sites', `{ network { sites(after: "${Buffer.from('["sites",1]').toString('base64url')}") { edges { cursor } } } }`],
  ])('refuses a malformed cursor for %s with BAD_USER_INPUT', async (_name, query) => {
    const result = await api.gql(query, {}, AS_PLANNER);
    expect(result.errors![0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect(result.errors![0]!.message).toMatch(/cursor/i);
  });
});

describe('rate limits and introspection', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ limits: { ...DEFAULT_LIMITS, maxDepth: 4, requestsPerMinute: 5, introspection: false } });
  });
  afterAll(() => api.close());

  it('refuses a query nested deeper than the limit, naming the limit', async () => {
    const deep = await api.gql(`{ network { sites { edges { node { code } } } } }`, {}, AS_DASHBOARD);
    expect(deep.errors![0]).toMatchObject({ message: expect.stringMatching(/exceeds the query depth limit of 4/), extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('limits each identity’s requests a minute, telling them when to try again, without touching others', async () => {
    for (let i = 0; i < 5; i++) expect((await api.gql(`{ projections { name } }`, {}, AS_PLANNER)).errors).toBeUndefined();
    const refused = await api.gql(`mutation { ${REGISTER(1)} }`, {}, AS_PLANNER);
    expect(refused.errors![0]).toMatchObject({ extensions: { code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) }, message: expect.stringMatching(/^Too many requests from you in the last minute: wait \d+ s and try again/) });
    expect((await api.gql(`{ projections { name } }`, {}, AS_SCHEDULER)).errors).toBeUndefined();
  });

  it('refuses introspection when it is switched off, and still answers ordinary queries', async () => {
    const introspection = await api.gql(`{ __schema { types { name } } }`, {}, AS_SCHEDULER);
    expect(introspection.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/introspection/i) });
    expect((await api.gql(`{ network { controlSite { code } } }`, {}, AS_SCHEDULER)).errors).toBeUndefined();
  });
});
