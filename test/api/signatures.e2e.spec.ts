import { parse } from 'csv-parse/sync';
import { DataSource } from 'typeorm';
import { mintToken } from '@bedside/identity';
import { referAndBook, walkThePlan } from '../support/pathway-steps';
import { AS_QA, AS_SCHEDULER, startDemoApi, type GraphQLResponse, type Persona, type TestApi } from '../support/test-api';

/**
 * Electronic signatures where the regulation asks for one (issue 14 §2; 21 CFR 11.50, 11.200). The rule:
 * a QC release, a DMMF version and a site suspension carry the signature of the person who made them,
 * taken from their token, with what it means, when, and when they signed in; a sign-in older than
 * SIGNATURE_MAX_AGE_MINUTES (15) cannot sign, and is told to sign in again, with nothing recorded.
 */
describe('electronic signatures', () => {
  let api: TestApi;
  const events = async () => Number((await api.app.get(DataSource).query('SELECT count(*) AS n FROM events'))[0].n);
  /** A token for `persona` whose user signed in `minutesAgo` minutes ago by the API's clock. */
  const signedIn = async (persona: Persona, minutesAgo: number) => ({
    authorization: `Bearer ${await mintToken(api.signingKey, {
      actor: persona.actor!,
      role: persona.role,
      trusts: persona.trusts,
      issuedAt: new Date(api.clock.now().getTime() - minutesAgo * 60_000),
      expiresIn: 3600,
    })}`,
  });
  const trail = async (streamId: string) =>
    (await api.gql(`query($s: ID!) { auditTrail(streamId: $s, first: 500) { edges { node { type actor signature { signer role meaning signedAt signedInAt } } } } }`, { s: streamId })).data!.auditTrail.edges.map(
      (e: { node: { type: string; signature: Record<string, string> | null } }) => e.node,
    );
  const refusedToSign = (result: GraphQLResponse, what: string) => {
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reauthenticate: true, maxAgeMinutes: 15 });
    expect(result.errors![0]!.message).toMatch(new RegExp(`^To sign ${what}, sign in again: a signature needs a sign-in within the last 15 minutes`));
  };

  beforeAll(async () => {
    api = await startDemoApi();
  });
  afterAll(() => api.close());

  it('signs a site suspension as the QA lead who suspends, and refuses a sign-in 16 minutes old, recording nothing', async () => {
    const before = await events();
    const stale = await api.gql(`mutation { suspendSite(code: "RR801", reason: "Sterility deviation under investigation") { status } }`, {}, await signedIn(AS_QA, 16));
    refusedToSign(stale, 'the suspension of site RR801');
    expect(await events()).toBe(before);
    // Pausing is not signed: the same old sign-in may pause.
    expect((await api.gql(`mutation { pauseSite(code: "RR801", reason: "Deep clean") { status } }`, {}, await signedIn(AS_QA, 16))).errors).toBeUndefined();

    const suspended = await api.gql(`mutation { suspendSite(code: "RR801", reason: "Sterility deviation under investigation") { status } }`, {}, await signedIn(AS_QA, 14));
    expect(suspended.data!.suspendSite.status).toBe('SUSPENDED');
    const [last] = (await trail('site-RR801')).slice(-1);
    expect(last).toMatchObject({ type: 'SiteSuspended', actor: AS_QA.actor, signature: { signer: AS_QA.actor, role: 'control_site_qa', meaning: 'APPROVED' } });
    const { signedAt, signedInAt } = last.signature;
    expect(Date.parse(signedAt) - Date.parse(signedInAt)).toBeGreaterThanOrEqual(14 * 60_000);
    expect(Date.parse(signedAt) - Date.parse(signedInAt)).toBeLessThan(15 * 60_000);

    // The CSV an inspector downloads says who signed, meaning what, and when they had signed in.
    const csv = await fetch(`${api.url.replace(/\/graphql$/, '')}/audit/site-RR801/csv`, { headers: { authorization: `Bearer ${await api.token(AS_QA)}` } });
    const rows: Record<string, string>[] = parse(await csv.text(), { columns: true });
    expect(rows.at(-1)!.signature).toBe(`${AS_QA.actor} (control_site_qa) APPROVED at ${new Date(signedAt).toISOString()}, signed in at ${new Date(signedInAt).toISOString()}`);
    expect(rows.at(-2)!.signature).toBe('');
  });

  it('signs a DMMF version as the QA lead who publishes it, and refuses a stale sign-in', async () => {
    const { dmmf } = (await api.gql(`{ dmmf(productCode: "CRYO-CAR19") { process { productCode name startingMaterial maxFreshHoldHours apheresisSessions apheresisHoursPerSession manufactureDays qcMethod qcReleaseDays shelfLifeHours conditioningRegimen conditioningDays infusionWindowMinDays infusionWindowMaxDays conditioningGate reconditionAfterDays monitoringInpatientDays stayWithinReachDays stayWithinReachMinutes icuReserveProbability } designation { siteCodes unitIds } } }`)).data!;
    const input = { process: dmmf.process, designation: dmmf.designation, reason: 'Annual review: unchanged', basedOnVersion: 1 };
    const PUBLISH = `mutation($input: DmmfVersionInput!) { publishDmmfVersion(input: $input) { version } }`;
    const before = await events();
    refusedToSign(await api.gql(PUBLISH, { input }, await signedIn(AS_QA, 30)), 'a DMMF version of CRYO-CAR19');
    expect(await events()).toBe(before);
    expect((await api.gql(PUBLISH, { input })).data!.publishDmmfVersion.version).toBe(2);
    expect((await trail('dmmf-CRYO-CAR19')).map((n: { signature: { signer: string } | null }) => n.signature?.signer)).toEqual(['demo-seed', AS_QA.actor]);
  });

  it('signs a QC release as the person who releases, taken from their token', async () => {
    const booked = await referAndBook(api, 'SIGN-QC-1', 'CRYO-CAR19');
    const walked = await walkThePlan(api, booked, { through: 'MANUFACTURED' });
    const RELEASE = `mutation($coi: ID!, $site: String!) { releaseProduct(coi: $coi, input: { siteCode: $site }) { productState } }`;
    api.clock.set(new Date(walked.at(-1)!.at.getTime() + 14 * 86_400_000));
    const before = await events();
    refusedToSign(await api.gql(RELEASE, { coi: booked.coi, site: booked.plan.unitSiteCode }, await signedIn(AS_SCHEDULER, 60)), `the QC release of pathway ${booked.coi}`);
    expect(await events()).toBe(before);
    expect((await api.gql(RELEASE, { coi: booked.coi, site: booked.plan.unitSiteCode }, AS_SCHEDULER)).data!.releaseProduct.productState).toBe('RELEASED');
    const released = (await trail(`pathway-${booked.coi}`)).find((n: { type: string }) => n.type === 'ProductReleased');
    expect(released.signature).toMatchObject({ signer: AS_SCHEDULER.actor, role: 'scheduler', meaning: 'APPROVED' });
  });
});
