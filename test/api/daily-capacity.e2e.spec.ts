import { addDays, localDateOf, type LocalDate } from '@bedside/shared';
import { referAndBook } from '../support/pathway-steps';
import { AS_PLANNER, AS_SCHEDULER, startDemoApi, type Persona, type TestApi } from '../support/test-api';

/** Issue 15 §4: `dailyCapacity`, the capacity heatmap's cells, agrees with the slots it sums. */
const DAILY = `query($from: LocalDate!, $to: LocalDate!) {
  dailyCapacity(filter: { siteCodes: ["RBV01", "RRK01"], resources: [APHERESIS_CHAIR] }, from: $from, to: $to) { siteCode day nominal capacity free freeBusyOnly closedReason }
}`;
const SLOTS = `query($from: LocalDate!, $to: LocalDate!, $after: String) {
  capacity(filter: { siteCodes: ["RBV01", "RRK01"], resources: [APHERESIS_CHAIR] }, from: $from, to: $to, first: 500, after: $after) {
    edges { node { siteCode day nominal capacity free } } pageInfo { hasNextPage endCursor }
  }
}`;

interface Day {
  siteCode: string;
  day: string;
  nominal: number;
  capacity: number;
  free: number;
  freeBusyOnly: boolean;
  closedReason: string | null;
}

describe('daily capacity (the heatmap)', () => {
  let api: TestApi;
  let from: LocalDate;
  let to: LocalDate;
  let closed: LocalDate;
  const daily = async (as: Persona) => {
    const { data, errors } = await api.gql<{ dailyCapacity: Day[] }>(DAILY, { from, to }, as);
    expect(errors).toBeUndefined();
    return data!.dailyCapacity;
  };

  beforeAll(async () => {
    api = await startDemoApi();
    from = localDateOf(api.clock.now(), 'Europe/London');
    to = addDays(from, 20);
    // A booking takes chairs at the Christie, and a planner closes its chairs on one day.
    const booked = await referAndBook(api, 'DAILY-1');
    // A day the chairs are open (not a weekend or bank holiday, whatever day the test runs) and not booked.
    closed = (await daily(AS_PLANNER)).find((d) => d.siteCode === 'RBV01' && d.day > addDays(from, 2) && d.capacity > 0 && !booked.plan.collectionDays.includes(d.day))!.day;
    const result = await api.gql(
      `mutation($input: CalendarExceptionInput!) { addCalendarException(input: $input) { siteCode } }`,
      { input: { siteCode: 'RBV01', resource: 'APHERESIS_CHAIR', kind: 'OUTAGE', from: closed, to: closed, reason: 'Apheresis machines serviced' } },
      AS_PLANNER,
    );
    expect(result.errors).toBeUndefined();
    await api.caughtUp();
  });
  afterAll(() => api.close());

  it('sums each site and day over its sessions exactly as the slots show them, closures with their reason', async () => {
    const slots: { siteCode: string; day: string; nominal: number; capacity: number; free: number }[] = [];
    for (let after: string | null = null; ; ) {
      const { data }: { data: any } = await api.gql(SLOTS, { from, to, after }, AS_PLANNER);
      slots.push(...data!.capacity.edges.map((e: { node: (typeof slots)[number] }) => e.node));
      if (!data!.capacity.pageInfo.hasNextPage) break;
      after = data!.capacity.pageInfo.endCursor;
    }
    const summed = new Map<string, { nominal: number; capacity: number; free: number }>();
    for (const s of slots) {
      const key = `${s.siteCode} ${s.day}`;
      const sum = summed.get(key) ?? { nominal: 0, capacity: 0, free: 0 };
      summed.set(key, { nominal: sum.nominal + s.nominal, capacity: sum.capacity + s.capacity, free: sum.free + s.free });
    }
    const days = await daily(AS_PLANNER);
    expect(new Map(days.map((d) => [`${d.siteCode} ${d.day}`, { nominal: d.nominal, capacity: d.capacity, free: d.free }]))).toEqual(summed);
    // The booking shows: some day at the Christie has fewer places free than can be booked.
    expect(days.some((d) => d.siteCode === 'RBV01' && d.free < d.capacity)).toBe(true);
    const shut = days.find((d) => d.siteCode === 'RBV01' && d.day === closed)!;
    expect(shut).toMatchObject({ capacity: 0, free: 0, closedReason: expect.stringContaining('Apheresis machines serviced') });
    expect(shut.nominal).toBeGreaterThan(0);
  });

  it("shows a scheduler another trust's days as free or busy only", async () => {
    const days = await daily(AS_SCHEDULER);
    const theirs = days.filter((d) => d.siteCode === 'RRK01');
    expect(theirs.length).toBeGreaterThan(0);
    expect(theirs.every((d) => d.freeBusyOnly && (d.free === 0 || d.free === 1))).toBe(true);
    expect(days.filter((d) => d.siteCode === 'RBV01').every((d) => !d.freeBusyOnly)).toBe(true);
  });

  it('refuses a range longer than 400 days, saying what to ask for', async () => {
    const { errors } = await api.gql(DAILY, { from, to: addDays(from, 400) }, AS_PLANNER);
    expect(errors![0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect(errors![0]!.message).toContain('Ask for at most 400 days at a time');
  });
});
