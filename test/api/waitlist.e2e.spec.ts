import { addDays, localDateOf } from '@bedside/shared';
import { AS_SCHEDULER, startDemoApi, type TestApi, testInstant } from '../support/test-api';

describe('waitlist', () => {
  let api: TestApi;
  const today = localDateOf(testInstant(), 'Europe/London');
  beforeAll(async () => {
    api = await startDemoApi();
  });
  afterAll(() => api.close());

  const refer = async (patientRef: string, priority: string, clinicalDeadline: string | null) =>
    (
      await api.gql(
        `mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`,
        { input: { patientRef, homeDistrict: 'M20', referringTrust: 'RBV', productCode: 'POC-CAR19', washout: { drugClass: 'NONE' }, priority, clinicalDeadline } },
        AS_SCHEDULER,
      )
    ).data!.referPatient.coi as string;
  const join = (coi: string) => api.gql(`mutation($coi: ID!) { joinWaitlist(coi: $coi) { place reason priority { score priority priorityPoints daysWaiting daysToDeadline deadlinePoints } } }`, { coi }, AS_SCHEDULER);

  it('takes referrals no plan can serve in time, in a transparent priority order', async () => {
    // A 7-day process cannot infuse within 3 days: no plan meets this deadline.
    const urgent = await refer('WAIT-1', 'URGENT', addDays(today, 3));
    const joined = await join(urgent);
    expect(joined.errors).toBeUndefined();
    expect(joined.data!.joinWaitlist.reason).toMatch(/after the clinical deadline of/);
    expect(joined.data!.joinWaitlist.priority).toEqual({ score: 50 + 54, priority: 'URGENT', priorityPoints: 50, daysWaiting: 0, daysToDeadline: 3, deadlinePoints: 54 });

    const emergency = await refer('WAIT-2', 'EMERGENCY', addDays(today, 2));
    await join(emergency);
    const { data } = await api.gql(`{ waitlist(productCode: "POC-CAR19") { edges { node { place pathway { coi priority } priority { score } } } } }`);
    expect(data!.waitlist.edges.map((e: { node: { pathway: { coi: string } } }) => e.node.pathway.coi)).toEqual([emergency, urgent]);
    expect(data!.waitlist.edges.map((e: { node: { place: number } }) => e.node.place)).toEqual([1, 2]);
    // Pages by keyset: the second page starts after the first page's last entry.
    const page = (after: string | null) => api.gql(`query($after: String) { waitlist(productCode: "POC-CAR19", first: 1, after: $after) { edges { node { place pathway { coi } } } pageInfo { hasNextPage endCursor } } }`, { after });
    const one = (await page(null)).data!.waitlist;
    expect(one.edges.map((e: { node: unknown }) => e.node)).toEqual([{ place: 1, pathway: { coi: emergency } }]);
    const two = (await page(one.pageInfo.endCursor)).data!.waitlist;
    expect(two.edges.map((e: { node: unknown }) => e.node)).toEqual([{ place: 2, pathway: { coi: urgent } }]);
    expect(two.pageInfo.hasNextPage).toBe(false);
    const kpis = await api.gql(`{ kpis(filter: { productCode: "POC-CAR19" }) { waitlist { length medianDaysWaiting longestDaysWaiting } } }`);
    expect(kpis.data!.kpis.waitlist).toEqual({ length: 2, medianDaysWaiting: expect.any(Number), longestDaysWaiting: expect.any(Number) });
    expect(kpis.data!.kpis.waitlist.longestDaysWaiting).toBeLessThan(1);
  });

  it('refuses to wait-list a referral that a plan can serve, or one already on the list', async () => {
    const servable = await refer('WAIT-3', 'ROUTINE', null);
    const refused = await join(servable);
    expect(refused.errors![0]!.extensions.code).toBe('CONFLICT');
    expect(refused.errors![0]!.message).toMatch(/hold and book it instead of waiting/);
    const late = await refer('WAIT-4', 'ROUTINE', addDays(today, 1));
    await join(late);
    expect((await join(late)).errors![0]!.message).toMatch(/already on the waitlist/);
  });
});
