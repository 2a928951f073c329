import { CommandBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { EVENT_STORE } from '@bedside/event-store';
import { seedDemoNetwork } from '@bedside/network';
import { localDateOf } from '@bedside/shared';
import { startTestApi, type TestApi } from '../support/test-api';

const asScheduler = { 'x-bedside-role': 'scheduler', 'x-bedside-actor': 'coordinator@rbv', 'x-bedside-on-behalf-of': 'RBV' };
const AT_RISK = `{ atRiskPathways { edges { node { pathway { coi status } reasons proposalId note proposal { unitId infusionDay slots { resourceKey day session } } } } } }`;

describe('disruption and repair', () => {
  let api: TestApi;
  const today = localDateOf(new Date(), 'Europe/London');
  beforeAll(async () => {
    api = await startTestApi();
    await seedDemoNetwork(api.app.get(CommandBus), api.app.get(EVENT_STORE), { from: today });
    await api.caughtUp();
  });
  afterAll(() => api.close());

  it('flags a booking whose unit goes out of service, proposes a repair, and swaps the booking in one step', async () => {
    const coi = (await api.gql(`mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`, {
      input: { patientRef: 'REPAIR-1', referringTrust: 'RBV', productCode: 'POC-CAR19', treatmentCentre: 'RBV01', washout: { drugClass: 'NONE' }, priority: 'URGENT' },
    }, asScheduler)).data!.referPatient.coi;
    const plan = (await api.gql(`query($coi: ID!) { planOptions(input: { coi: $coi }) { unitId slots { resourceKey day session } } }`, { coi }, asScheduler)).data!.planOptions[0];
    const hold = (await api.gql(`mutation($input: HoldPlanInput!) { holdPlan(input: $input) { id } }`, { input: { coi, slots: plan.slots, idempotencyKey: 'r1' } }, asScheduler)).data!.holdPlan;
    await api.gql(`mutation($id: ID!) { confirmHold(holdId: $id, idempotencyKey: "c") { status } }`, { id: hold.id }, asScheduler);
    expect((await api.gql(AT_RISK)).data!.atRiskPathways.edges).toEqual([]);

    await api.gql(`mutation($id: ID!) { setUnitQualification(id: $id, state: OUT_OF_SERVICE, reason: "Incubator fault") { qualification } }`, { id: plan.unitId });
    const flagged = (await api.gql(AT_RISK)).data!.atRiskPathways.edges.map((e: { node: unknown }) => e.node);
    expect(flagged).toHaveLength(1);
    const entry = flagged[0];
    expect(entry.pathway).toEqual({ coi, status: 'BOOKED' });
    expect(entry.reasons[0]).toMatch(new RegExp(`Unit ${plan.unitId} is OUT_OF_SERVICE: Incubator fault`));
    expect(entry.proposal.unitId).not.toBe(plan.unitId);

    const stale = await api.gql(`mutation($coi: ID!) { acceptRepair(coi: $coi, proposalId: "not-the-proposal") { status } }`, { coi }, asScheduler);
    expect(stale.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', currentProposalId: entry.proposalId });

    const repaired = await api.gql(`mutation($coi: ID!, $id: ID!) { acceptRepair(coi: $coi, proposalId: $id) { status holdId } }`, { coi, id: entry.proposalId }, asScheduler);
    expect(repaired.errors).toBeUndefined();
    expect(repaired.data!.acceptRepair.status).toBe('BOOKED');
    expect(repaired.data!.acceptRepair.holdId).not.toBe(hold.id);
    expect((await api.gql(AT_RISK)).data!.atRiskPathways.edges).toEqual([]);

    // The old unit's days are free again, the new unit's booked: commitments follow the swap.
    const db = api.app.get(DataSource);
    const committed = async (resourceKey: string, day: string) =>
      (await db.query(`SELECT committed FROM capacity_commitments WHERE resource_key = $1 AND day = $2`, [resourceKey, day]))[0]?.committed ?? 0;
    const oldBay = plan.slots.find((s: { resourceKey: string }) => s.resourceKey.startsWith('unit:'));
    const newBay = entry.proposal.slots.find((s: { resourceKey: string }) => s.resourceKey.startsWith('unit:'));
    expect(await committed(oldBay.resourceKey, oldBay.day)).toBe(0);
    expect(await committed(newBay.resourceKey, newBay.day)).toBe(1);
    const audit = await api.gql(`{ auditTrail(streamId: "pathway-${coi}") { edges { node { type reason } } } }`);
    expect(audit.data!.auditTrail.edges.at(-1).node).toEqual({ type: 'PlanRepaired', reason: expect.stringMatching(/^Repaired: Unit .* OUT_OF_SERVICE/) });
  });
});
