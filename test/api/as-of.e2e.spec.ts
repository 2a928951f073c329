import { addDays, localDateOf } from '@bedside/shared';
import { step, type Slot } from '../support/pathway-steps';
import { AS_DASHBOARD, AS_PLANNER, AS_QA, AS_SCHEDULER, startDemoApi, type Persona, type TestApi, testInstant } from '../support/test-api';

/**
 * Time travel (issue 5 §6): `asOf` shows what the live read models showed at that instant, rebuilt
 * from the events. The live answers are captured after each change; asking later with an instant
 * between two changes must give back exactly what was captured then.
 */

/** A scheduler at University College Hospital (RRV): not RBV's trust. */
const AS_OTHER_TRUST: Persona = { role: 'scheduler', trusts: ['RRV'], actor: 'coordinator@rrv' };

const SITE = `query($asOf: DateTime) { site(code: "RBV01", asOf: $asOf) {
  code name kind status statusReason statusChangedAt statusChangedBy registeredAt registeredBy trustCode timeZone location { latitude longitude } version } }`;
const UNIT = `query($asOf: DateTime) { unit(id: "MU-RBV01-COC1", asOf: $asOf) {
  id name kind mobility batchCapacity homeSiteCode currentSiteCode qualification qualificationReason qualificationChangedAt registeredAt registeredBy version } }`;
const NETWORK = `query($asOf: DateTime, $after: String) { network(asOf: $asOf) {
  controlSite { code name status version }
  sites(first: 5, after: $after) { edges { cursor node { code status statusReason statusChangedAt version } } pageInfo { hasNextPage endCursor } }
  paused: sites(status: PAUSED) { edges { node { code } } }
  units(first: 50) { edges { cursor node { id qualification qualificationReason qualificationChangedAt version } } pageInfo { hasNextPage endCursor } }
  rbvUnits: units(siteCode: "RBV01") { edges { node { id } } }
  products { productCode version publishedAt designation { siteCodes unitIds } } } }`;
const CAPACITY = `query($filter: CapacityFilter!, $from: LocalDate!, $to: LocalDate!, $asOf: DateTime, $after: String) {
  capacity(filter: $filter, from: $from, to: $to, first: 150, after: $after, asOf: $asOf) {
    edges { cursor node { siteCode unitId resource day session startsAt endsAt nominal capacity committed tentative free freeBusyOnly closedReason } }
    pageInfo { hasNextPage endCursor } } }`;
const PATHWAY = `query($coi: ID!, $asOf: DateTime) { pathway(coi: $coi, asOf: $asOf) {
  coi patientRef referringTrust productCode dmmfVersion treatmentCentre status productState patientState priority washout { drugClass lastDoseDate days }
  earliestCollectionDate postponedUntil postponementReason clinicalDeadline holdId holdExpiresAt referredAt version } }`;

interface Snapshot {
  at: Date;
  site: unknown;
  unit: unknown;
  network: unknown;
  capacity: unknown;
  /** Without sites in the filter (laid out from the whole network's inputs, not one site's streams). */
  unitCapacity: unknown;
  /** RBV01 and RRV01 as the RBV scheduler saw them: another trust's capacity as free or busy. */
  schedulerCapacity: unknown;
  pathway: unknown;
}

describe('asOf: the network, capacity and pathways as they were recorded at an instant', () => {
  let api: TestApi;
  let coi = 'B000126900001J';
  const today = localDateOf(testInstant(), 'Europe/London');
  const range = { from: today, to: addDays(today, 29) };
  const snapshots: Snapshot[] = [];

  const ok = async <T = Record<string, any>>(query: string, variables: Record<string, unknown>, as: Persona = AS_QA): Promise<T> => {
    const result = await api.gql<T>(query, variables, as);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!;
  };

  /** Every page of a capacity query, pages joined. */
  const capacity = async (filter: Record<string, unknown>, asOf: Date | null, as: Persona = AS_QA) => {
    const edges: unknown[] = [];
    let after: string | null = null;
    for (;;) {
      const { capacity: page }: any = await ok(CAPACITY, { filter, ...range, asOf: asOf?.toISOString() ?? null, after }, as);
      edges.push(...page.edges);
      if (!page.pageInfo.hasNextPage) return edges;
      after = page.pageInfo.endCursor;
    }
  };

  /** Every page of the network's sites, and the rest of the network. */
  const network = async (asOf: Date | null) => {
    const pages: unknown[] = [];
    let after: string | null = null;
    for (;;) {
      const { network: page }: any = await ok(NETWORK, { asOf: asOf?.toISOString() ?? null, after });
      pages.push(page);
      if (!page.sites.pageInfo.hasNextPage) return pages;
      after = page.sites.pageInfo.endCursor;
    }
  };

  const read = async (asOf: Date | null): Promise<Omit<Snapshot, 'at'>> => {
    const asOfText = asOf?.toISOString() ?? null;
    return {
      site: (await ok(SITE, { asOf: asOfText })).site,
      unit: (await ok(UNIT, { asOf: asOfText })).unit,
      network: await network(asOf),
      capacity: await capacity({ siteCodes: ['RBV01'] }, asOf),
      unitCapacity: await capacity({ unitIds: ['MU-RBV01-COC1', 'MU-RRV01-COC1'], onlyFree: true }, asOf),
      schedulerCapacity: await capacity({ siteCodes: ['RBV01', 'RRV01'], resources: ['APHERESIS_CHAIR', 'MANUFACTURING_BAY'] }, asOf, AS_SCHEDULER),
      pathway: (await ok(PATHWAY, { coi, asOf: asOfText })).pathway,
    };
  };

  /** What the live read models show now, and the instant after it (before anything else is recorded). */
  const capture = async () => {
    await api.caughtUp();
    const live = await read(null);
    const at = new Date();
    // The next change must be recorded after `at`, to the millisecond.
    await new Promise((resolve) => setTimeout(resolve, 5));
    snapshots.push({ at, ...live });
  };

  beforeAll(async () => {
    api = await startDemoApi();
    await capture(); // 0: the demo network, before the referral

    const { referPatient } = await step<{ referPatient: { coi: string } }>(api, `mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`, {
      input: { coi, patientRef: 'ASOF-1', homeDistrict: 'M20', referringTrust: 'RBV', productCode: 'POC-CAR19', treatmentCentre: 'RBV01', washout: { drugClass: 'NONE' }, priority: 'URGENT' },
    });
    coi = referPatient.coi;
    await capture(); // 1: referred

    const { planOptions } = await step<{ planOptions: { slots: Slot[]; collectionDays: string[] }[] }>(
      api,
      `query($coi: ID!) { planOptions(input: { coi: $coi }) { collectionDays slots { resourceKey day session } } }`,
      { coi },
    );
    const plan = planOptions.find((p) => p.slots.some((s) => s.resourceKey === 'unit:MU-RBV01-COC1')) ?? planOptions[0]!;
    const { holdPlan } = await step<{ holdPlan: { id: string } }>(api, `mutation($input: HoldPlanInput!) { holdPlan(input: $input) { id } }`, {
      input: { coi, slots: plan.slots, idempotencyKey: 'asof-hold' },
    });
    await capture(); // 2: held (tentative places)

    await step(api, `mutation($id: ID!) { confirmHold(holdId: $id, idempotencyKey: "asof-confirm") { status } }`, { id: holdPlan.id });
    await capture(); // 3: booked (committed places)

    // A day the chairs are open (not a weekend or bank holiday), or the service would change nothing.
    const chairDay = (snapshots[3]!.capacity as { node: { resource: string; day: string } }[]).find((e) => e.node.resource === 'APHERESIS_CHAIR' && e.node.day > addDays(today, 1))!.node.day;

    await ok(`mutation($day: LocalDate!) { addCalendarException(input: {
      exceptionId: "asof-chair-service", siteCode: "RBV01", resource: APHERESIS_CHAIR, kind: MAINTENANCE,
      from: $day, to: $day, unavailable: 1, reason: "Annual service of cell separator" }) { siteCode } }`, { day: chairDay });
    await capture(); // 4: a chair closed for a day

    await ok(`mutation { setUnitQualification(id: "MU-RBV01-COC1", state: OUT_OF_SERVICE, reason: "Incubator fault") { id } }`, {});
    await ok(`mutation { pauseSite(code: "RBV01", reason: "Cleanroom deep clean") { code } }`, {});
    await capture(); // 5: unit out of service and site paused

    await ok(`mutation { activateSite(code: "RBV01", reason: "Deep clean done") { code } }`, {});
    await capture(); // 6: site active again
  });
  afterAll(() => api?.close());

  it('recorded something different at each step (the comparison below is not vacuous)', () => {
    const distinct = (pick: (s: Snapshot) => unknown) => new Set(snapshots.map((s) => JSON.stringify(pick(s)))).size;
    expect(distinct((s) => s.pathway)).toBe(4); // none, referred, held, booked (then unchanged)
    expect(distinct((s) => s.capacity)).toBe(6); // held, booked, chair closed, paused, reactivated
    expect(distinct((s) => s.site)).toBe(3); // active, paused, active again
    expect(distinct((s) => s.unit)).toBe(2);
    expect(distinct((s) => s.unitCapacity)).toBeGreaterThanOrEqual(3);
    expect(snapshots[0]!.pathway).toBeNull();
  });

  it('gives back, for an instant between two changes, exactly what the live read models showed then', async () => {
    for (const [i, snapshot] of snapshots.entries()) {
      const { at, ...live } = snapshot;
      const past = await read(at);
      for (const key of Object.keys(live) as (keyof typeof live)[]) {
        // Named per step and query, so a failure says which.
        expect({ step: i, key, answer: past[key] }).toEqual({ step: i, key, answer: live[key] });
      }
    }
  });

  it('masks other trusts’ capacity for a scheduler as of an instant, as it does now', async () => {
    const booked = snapshots[3]!;
    const rows = (booked.schedulerCapacity as { node: { siteCode: string; freeBusyOnly: boolean; committed: number | null } }[]).map((e) => e.node);
    expect(rows.some((r) => r.siteCode === 'RRV01')).toBe(true);
    expect(rows.filter((r) => r.siteCode === 'RRV01').every((r) => r.freeBusyOnly && r.committed === null)).toBe(true);
    expect(rows.filter((r) => r.siteCode === 'RBV01').every((r) => !r.freeBusyOnly && r.committed !== null)).toBe(true);
    expect(rows.some((r) => r.committed! > 0)).toBe(true);
  });

  it('shows an event at its own recordedAt: as of an audit entry’s instant includes that entry', async () => {
    const { auditTrail } = await ok(`{ auditTrail(streamId: "site-RBV01", first: 50) { edges { node { type recordedAt } } } }`, {});
    const pause = auditTrail.edges.map((e: any) => e.node).find((n: any) => n.type === 'SitePaused');
    const atPause = await ok(SITE, { asOf: pause.recordedAt });
    expect(atPause.site.status).toBe('PAUSED');
    const justBefore = await ok(SITE, { asOf: new Date(new Date(pause.recordedAt).getTime() - 1).toISOString() });
    expect(justBefore.site.status).toBe('ACTIVE');
  });

  it('keeps the access rules: pathways of another trust are refused whatever the instant, never shown to dashboards', async () => {
    for (const at of [snapshots[0]!.at, snapshots[3]!.at, new Date()]) {
      const other = await api.gql(PATHWAY, { coi, asOf: at.toISOString() }, AS_OTHER_TRUST);
      expect(other.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
      expect(other.errors?.[0]?.message).not.toContain('RBV');
      expect(other.data?.pathway ?? null).toBeNull();
      const dashboard = await api.gql(PATHWAY, { coi, asOf: at.toISOString() }, AS_DASHBOARD);
      expect(dashboard.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
    }
    const own = await ok(PATHWAY, { coi, asOf: snapshots[3]!.at.toISOString() }, AS_SCHEDULER);
    expect(own.pathway).toEqual(snapshots[3]!.pathway);
    const planner = await ok(PATHWAY, { coi, asOf: snapshots[2]!.at.toISOString() }, AS_PLANNER);
    expect(planner.pathway).toEqual(snapshots[2]!.pathway);
  });

  it('answers BAD_USER_INPUT for an instant in the future, saying to leave asOf out', async () => {
    const future = new Date(api.clock.now().getTime() + 3_600_000).toISOString();
    const answers = [
      await api.gql(SITE, { asOf: future }),
      await api.gql(UNIT, { asOf: future }),
      await api.gql(NETWORK, { asOf: future }),
      await api.gql(CAPACITY, { filter: { siteCodes: ['RBV01'] }, ...range, asOf: future }),
      await api.gql(PATHWAY, { coi, asOf: future }),
    ];
    for (const answer of answers) {
      expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'asOf' });
      expect(answer.errors?.[0]?.message).toMatch(/is in the future.*Leave asOf out for the current state/);
    }
  });

  it('shows nothing before the first event: an empty network, no site, unit, pathway or capacity', async () => {
    const before = new Date('2020-01-01T00:00:00Z');
    const past = await read(before);
    expect(past.site).toBeNull();
    expect(past.unit).toBeNull();
    expect(past.pathway).toBeNull();
    expect(past.capacity).toEqual([]);
    expect(past.network).toEqual([
      { controlSite: null, sites: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } }, paused: { edges: [] }, units: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } }, rbvUnits: { edges: [] }, products: [] },
    ]);
    const product = await api.gql(CAPACITY, { filter: { productCode: 'POC-CAR19' }, ...range, asOf: before.toISOString() });
    expect(product.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.productCode' });
  });
});
