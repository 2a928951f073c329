import { AS_QA, eventually, startTestApi, type TestApi } from '../support/test-api';

const REGISTER = `
  mutation Register($input: RegisterSiteInput!) {
    registerSite(input: $input) { code name kind status timeZone location { latitude longitude } region trustCode registeredBy version }
  }`;
const SITE = `query Site($code: ID!, $asOf: DateTime) { site(code: $code, asOf: $asOf) { code status statusReason statusChangedBy version } }`;

const christie = {
  code: 'rbv02',
  name: 'The Christie',
  kind: 'HOSPITAL',
  timeZone: 'Europe/London',
  location: { latitude: 53.4293, longitude: -2.2306 },
  region: 'NW',
  trustCode: 'RBV',
};

describe('site lifecycle over GraphQL', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  const lifecycle = (mutation: string, code: string, reason?: string, actor = 'qa.lead@control-site') =>
    api.gql(
      `mutation Change($code: ID!${reason === undefined ? '' : ', $reason: String!'}) { ${mutation}(code: $code${reason === undefined ? '' : ', reason: $reason'}) { code status statusReason statusChangedBy } }`,
      { code, ...(reason === undefined ? {} : { reason }) },
      { role: 'control_site_qa', actor },
    );

  it('registers a site, walks it through its lifecycle and shows it in the directory and its audit trail', async () => {
    const registered = await api.gql(REGISTER, { input: christie });
    expect(registered.errors).toBeUndefined();
    expect(registered.data!.registerSite).toEqual({
      code: 'RBV02',
      name: 'The Christie',
      kind: 'HOSPITAL',
      status: 'PROPOSED',
      timeZone: 'Europe/London',
      location: { latitude: 53.4293, longitude: -2.2306 },
      region: 'NW',
      trustCode: 'RBV',
      registeredBy: 'qa.lead@control-site',
      version: 1,
    });

    expect((await lifecycle('onboardSite', 'RBV02')).data!.onboardSite.status).toBe('ONBOARDING');
    expect((await lifecycle('activateSite', 'RBV02')).data!.activateSite.status).toBe('ACTIVE');
    const beforePause = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const paused = await lifecycle('pauseSite', 'rbv02', 'Cleanroom deep clean', 'site.manager@rbv');
    expect(paused.data!.pauseSite).toEqual({ code: 'RBV02', status: 'PAUSED', statusReason: 'Cleanroom deep clean', statusChangedBy: 'site.manager@rbv' });

    // The read model catches up with the log.
    await eventually(async () => {
      const { data } = await api.gql(SITE, { code: 'RBV02' });
      expect(data!.site).toMatchObject({ status: 'PAUSED', statusReason: 'Cleanroom deep clean', version: 4 });
    });
    // As of before the pause, the site was active: rebuilt from its events.
    const asOf = await api.gql(SITE, { code: 'RBV02', asOf: beforePause.toISOString() });
    expect(asOf.data!.site).toMatchObject({ status: 'ACTIVE', version: 3 });

    const audit = await api.gql(`{ auditTrail(streamId: "site-RBV02") { edges { node { position type actor reason correlationId data } } } }`);
    const entries = audit.data!.auditTrail.edges.map((e: { node: unknown }) => e.node);
    expect(entries.map((e: { type: string }) => e.type)).toEqual(['SiteRegistered', 'SiteOnboardingStarted', 'SiteActivated', 'SitePaused']);
    expect(entries[3]).toMatchObject({ position: 4, actor: 'site.manager@rbv', reason: 'Cleanroom deep clean', data: { code: 'RBV02', from: 'ACTIVE' } });
    expect(entries[3].correlationId).toEqual(expect.any(String));
  });

  it('keeps a client correlation id on the events its request recorded', async () => {
    await api.gql(REGISTER, { input: { ...christie, code: 'RBV03' } }, { authorization: `Bearer ${await api.token(AS_QA)}`, 'x-correlation-id': 'ticket-4711' });
    const audit = await api.gql(`{ auditTrail(streamId: "site-RBV03") { edges { node { correlationId } } } }`);
    expect(audit.data!.auditTrail.edges[0].node.correlationId).toBe('ticket-4711');
  });

  it('rejects activating a ceased site with CONFLICT and a message saying what to do, recording nothing', async () => {
    await api.gql(REGISTER, { input: { ...christie, code: 'RBV09' } });
    await lifecycle('ceaseSite', 'RBV09', 'Never opened');
    const attempt = await lifecycle('activateSite', 'RBV09');
    expect(attempt.data).toBeNull();
    expect(attempt.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', status: 'CEASED', siteCode: 'RBV09' });
    expect(attempt.errors![0]!.message).toMatch(/ceased.*Register a new site/);
    const audit = await api.gql(`{ auditTrail(streamId: "site-RBV09") { edges { node { type } } } }`);
    expect(audit.data!.auditTrail.edges).toHaveLength(2);
  });

  it('rejects steps out of lifecycle order and a missing reason', async () => {
    await api.gql(REGISTER, { input: { ...christie, code: 'RBV10' } });
    const early = await lifecycle('pauseSite', 'RBV10', 'too early');
    expect(early.errors![0]!.extensions.code).toBe('CONFLICT');
    expect(early.errors![0]!.message).toMatch(/PROPOSED; it can be paused only when ACTIVE/);
    await lifecycle('onboardSite', 'RBV10');
    await lifecycle('activateSite', 'RBV10');
    const blank = await lifecycle('suspendSite', 'RBV10', '   ');
    expect(blank.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
  });

  it('allows one Control Site in the network, also when two registrations race', async () => {
    const attempts = await Promise.all(
      ['HUB01', 'HUB02', 'HUB03', 'HUB04', 'HUB05'].map((code) =>
        api.gql(REGISTER, { input: { ...christie, code, kind: 'CONTROL_SITE', name: `Hub ${code}`, trustCode: null } }),
      ),
    );
    const winners = attempts.filter((a) => !a.errors);
    expect(winners).toHaveLength(1);
    for (const loser of attempts.filter((a) => a.errors)) {
      expect(loser.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', controlSite: winners[0]!.data!.registerSite.code });
      // Nothing half-written: the losing site does not exist.
      const code = loser.errors![0]!.extensions.siteCode as string;
      expect((await api.gql(SITE, { code })).data!.site).toBeNull();
    }
    await eventually(async () => {
      const { data } = await api.gql(`{ network { controlSite { code kind } } }`);
      expect(data!.network.controlSite).toEqual({ code: winners[0]!.data!.registerSite.code, kind: 'CONTROL_SITE' });
    });
  });

  it('refuses to register a code twice', async () => {
    await api.gql(REGISTER, { input: { ...christie, code: 'RBV20' } });
    const again = await api.gql(REGISTER, { input: { ...christie, code: 'rbv20', name: 'Other' } });
    expect(again.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', siteCode: 'RBV20' });
  });

  it('pages through the directory with opaque cursors and filters', async () => {
    for (const code of ['PGA01', 'PGA02', 'PGA03']) await api.gql(REGISTER, { input: { ...christie, code, kind: 'AMBULANCE' } });
    const page = (after?: string) =>
      api.gql(`query($after: String) { network { sites(first: 2, kind: AMBULANCE, after: $after) { edges { cursor node { code } } pageInfo { hasNextPage endCursor } } } }`, {
        after,
      });
    await eventually(async () => {
      const first = await page();
      expect(first.data!.network.sites.edges.map((e: { node: { code: string } }) => e.node.code)).toEqual(['PGA01', 'PGA02']);
      expect(first.data!.network.sites.pageInfo.hasNextPage).toBe(true);
      const second = await page(first.data!.network.sites.pageInfo.endCursor);
      expect(second.data!.network.sites.edges.map((e: { node: { code: string } }) => e.node.code)).toEqual(['PGA03']);
      expect(second.data!.network.sites.pageInfo).toEqual({ hasNextPage: false, endCursor: second.data!.network.sites.edges[0].cursor });
    });
  });
});

describe('bad input over GraphQL', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it.each([
    ['an unknown time zone', { timeZone: 'Mars/Olympus' }, 'timeZone'],
    ['a malformed code', { code: 'R-1' }, 'code'],
    ['a latitude off the map', { location: { latitude: 95, longitude: 0 } }, 'location.latitude'],
    ['an empty name', { name: ' ' }, 'name'],
  ])('rejects %s with BAD_USER_INPUT naming the field, and records nothing', async (_what, change, field) => {
    const result = await api.gql(REGISTER, { input: { ...christie, code: 'BAD01', ...change } });
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    const audit = await api.gql(`{ auditTrail(streamId: "site-BAD01") { edges { node { type } } } }`);
    expect(audit.errors![0]!.extensions.code).toBe('NOT_FOUND');
  });

  it('keeps every site in a region: required at registration, corrected with a reason, and listed by region', async () => {
    const noRegion = await api.gql(REGISTER, { input: { ...christie, code: 'RBV30', region: undefined } });
    expect(noRegion.errors![0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect(noRegion.errors![0]!.message).toMatch(/region/);
    expect((await api.gql(REGISTER, { input: { ...christie, code: 'RBV31', region: 'MID' } })).errors).toBeUndefined();

    const SET = `mutation($code: ID!, $region: Region!, $reason: String!) { setSiteRegion(code: $code, region: $region, reason: $reason) { code region version } }`;
    const corrected = await api.gql(SET, { code: 'rbv31', region: 'NW', reason: 'Manchester is in the North West' });
    expect(corrected.errors).toBeUndefined();
    expect(corrected.data!.setSiteRegion).toEqual({ code: 'RBV31', region: 'NW', version: 2 });
    const same = await api.gql(SET, { code: 'RBV31', region: 'NW', reason: 'again' });
    expect(same.errors![0]!).toMatchObject({ message: 'Site RBV31 is already in NW.', extensions: { code: 'CONFLICT' } });
    const noReason = await api.gql(SET, { code: 'RBV31', region: 'LON', reason: ' ' });
    expect(noReason.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    const planner = await api.gql(SET, { code: 'RBV31', region: 'LON', reason: 'x' }, { role: 'planner', actor: 'planner@network' });
    expect(planner.errors![0]!.extensions.code).toBe('FORBIDDEN');

    const inNorthWest = await api.gql(`{ network { sites(region: NW, first: 500) { edges { node { code region } } } } }`);
    const codes = inNorthWest.data!.network.sites.edges.map((e: { node: { code: string; region: string } }) => e.node);
    expect(codes).toContainEqual({ code: 'RBV31', region: 'NW' });
    expect(codes.every((n: { region: string }) => n.region === 'NW')).toBe(true);
    const trail = await api.gql(`{ auditTrail(streamId: "site-RBV31") { edges { node { type reason data } } } }`);
    expect(trail.data!.auditTrail.edges.at(-1).node).toMatchObject({ type: 'SiteRegionSet', reason: 'Manchester is in the North West', data: { from: 'MID', to: 'NW' } });
  });

  it('rejects input of the wrong shape with BAD_USER_INPUT', async () => {
    const wrongType = await api.gql(REGISTER, { input: { ...christie, kind: 'SPACESHIP' } });
    expect(wrongType.errors![0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect(wrongType.errors![0]!.message).toMatch(/SPACESHIP/);
    const missing = await api.gql(`mutation { registerSite(input: { code: "X12" }) { code } }`);
    expect(missing.errors!.every((e) => e.extensions.code === 'BAD_USER_INPUT')).toBe(true);
  });

  it('rejects a request that is not GraphQL at all', async () => {
    const syntax = await api.gql(`mutation { registerSite(`);
    expect(syntax.errors![0]!.extensions.code).toBe('BAD_USER_INPUT');
    const notJson = await api.post('{"query": ');
    expect(notJson.status).toBe(400);
  });

  it('rejects an oversized request before it reaches a resolver', async () => {
    const huge = JSON.stringify({ query: `{ network { controlSite { code } } }`, variables: { pad: 'x'.repeat(2_000_000) } });
    const response = await api.post(huge);
    expect(response.status).toBe(413);
  });

  it('answers unknown ids with NOT_FOUND or null, as the operation says', async () => {
    const mutation = await api.gql(`mutation { suspendSite(code: "ZZZ99", reason: "audit") { code } }`);
    expect(mutation.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND', id: 'ZZZ99' });
    const query = await api.gql(SITE, { code: 'ZZZ99' });
    expect(query.data!.site).toBeNull();
    const audit = await api.gql(`{ auditTrail(streamId: "site-ZZZ99") { edges { node { type } } } }`);
    expect(audit.errors![0]!.extensions.code).toBe('NOT_FOUND');
  });

  it('rejects malformed cursors and page sizes with BAD_USER_INPUT', async () => {
    const cursor = await api.gql(`{ network { sites(after: "bm90LWEtY3Vyc29y") { edges { cursor } } } }`);
    expect(cursor.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const size = await api.gql(`{ network { sites(first: 100000) { edges { cursor } } } }`);
    expect(size.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  it('shows no stack traces or SQL in errors', async () => {
    const result = await api.gql(`{ site(code: "'; DROP TABLE sites; --") { code } }`);
    expect(JSON.stringify(result.errors)).not.toMatch(/at \w+ \(|SELECT|stack/i);
    expect(result.errors![0]!.extensions.code).toBe('BAD_USER_INPUT');
  });
});
