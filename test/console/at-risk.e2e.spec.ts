import type { Page } from 'playwright-core';
import { addDays, localDateOf } from '@bedside/shared';
import { referAndBook, step, type BookedPathway } from '../support/pathway-steps';
import { accessibilityViolations, type ConsoleUnderTest, describeInBrowser, RBV_SCHEDULER, screenshot, startConsole } from '../support/browser';
import { AS_QA, AS_SCHEDULER, type TestApi } from '../support/test-api';

/**
 * Issue 15 §3: a scheduler sees the bookings that no longer hold, the proposed repair beside the plan
 * booked now, and accepts it in one click; and reads the waitlist with each score's inputs. Driven in
 * Debian's Chromium against the real API; what the page shows is checked against what the API says.
 */
interface AtRiskFacts {
  pathway: { coi: string; timeline: { kind: string }[] };
  reasons: string[];
  proposalId: string;
  proposal: { unitId: string; steps: { kind: string }[] };
}
const AT_RISK = `{ atRiskPathways { edges { node { pathway { coi timeline { kind } } reasons proposalId proposal { unitId steps { kind } } } } } }`;
const OUT_OF_SERVICE = `mutation($id: ID!) { setUnitQualification(id: $id, state: OUT_OF_SERVICE, reason: "Incubator fault") { qualification } }`;
const unitOf = (booked: BookedPathway) => booked.plan.slots.find((s) => s.resourceKey.startsWith('unit:'))!.resourceKey.slice('unit:'.length);

describeInBrowser('the console: patients at risk, their repair, and the waitlist', () => {
  let api: TestApi;
  let page: Page;
  let pageErrors: string[];
  let under: ConsoleUnderTest;
  const atRisk = async () => (await api.gql<{ atRiskPathways: { edges: { node: AtRiskFacts }[] } }>(AT_RISK, {}, AS_SCHEDULER)).data!.atRiskPathways.edges.map((e) => e.node);

  beforeAll(async () => {
    under = await startConsole({ who: RBV_SCHEDULER });
    ({ api, page, pageErrors } = under);
  });
  afterAll(() => under?.close());

  it('shows what broke, and the repair beside the booking with the steps that move', async () => {
    const booked = await referAndBook(api, 'AT-RISK-1');
    await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'At risk' }).click();
    await page.getByTestId('at-risk-count').getByText('No booking is at risk.').waitFor();

    expect((await api.gql(OUT_OF_SERVICE, { id: unitOf(booked) }, AS_QA)).errors).toBeUndefined();
    const [flagged] = await atRisk();
    expect(flagged!.pathway.coi).toBe(booked.coi);
    // Nobody reloads: the page follows atRiskChanged and shows the booking as it is flagged.
    const entry = page.getByTestId('at-risk-entry');
    await entry.waitFor();
    expect(await page.getByTestId('at-risk-count').innerText()).toBe('1 booking is at risk.');
    expect(await entry.getByTestId('at-risk-reasons').getByRole('listitem').allInnerTexts()).toEqual(flagged!.reasons);
    const booking = entry.getByRole('table', { name: 'Booked now' });
    const repair = entry.getByRole('table', { name: /^Proposed repair/ });
    expect(await booking.getByTestId('plan-step').count()).toBe(flagged!.pathway.timeline.length);
    expect(await repair.getByTestId('plan-step').count()).toBe(flagged!.proposal.steps.length);
    // Both drawn as timelines, the repair beside the booking.
    await entry.getByTestId('plan-timeline').nth(1).and(page.locator('[data-drawn="yes"]')).waitFor();
    expect(await entry.getByTestId('plan-timeline').count()).toBe(2);
    // The batch moves off the unit that broke: its manufacture step is marked moved, on the new unit.
    const manufacture = repair.getByTestId('plan-step').filter({ hasText: 'Manufacture' });
    expect(await manufacture.innerText()).toContain(`unit ${flagged!.proposal.unitId}`);
    expect(await manufacture.innerText()).toContain('Moved');
    expect(flagged!.proposal.unitId).not.toBe(unitOf(booked));
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'at-risk');
  });

  it('books the repair in one click: the API holds the new plan and the booking is no longer at risk', async () => {
    const [flagged] = await atRisk();
    const before = (await api.gql<{ pathway: { holdId: string } }>(`query($coi: ID!) { pathway(coi: $coi) { holdId } }`, { coi: flagged!.pathway.coi }, AS_SCHEDULER)).data!.pathway;
    await page.getByRole('button', { name: 'Accept the repair for AT-RISK-1' }).click();
    await page.getByTestId('repaired').getByText('Repair booked for AT-RISK-1').waitFor();
    await page.getByTestId('at-risk-count').getByText('No booking is at risk.').waitFor();
    expect(await atRisk()).toEqual([]);
    const after = (await api.gql<{ pathway: { status: string; holdId: string; timeline: { unitId: string | null }[] } }>(
      `query($coi: ID!) { pathway(coi: $coi) { status holdId timeline { unitId } } }`,
      { coi: flagged!.pathway.coi },
      AS_SCHEDULER,
    )).data!.pathway;
    expect(after.status).toBe('BOOKED');
    expect(after.holdId).not.toBe(before.holdId);
    expect(after.timeline.map((s) => s.unitId)).toContain(flagged!.proposal.unitId);
    const audit = await api.gql<{ auditTrail: { edges: { node: { type: string; actor: string } }[] } }>(`{ auditTrail(streamId: "pathway-${flagged!.pathway.coi}") { edges { node { type actor } } } }`, {}, AS_QA);
    expect(audit.data!.auditTrail.edges.at(-1)!.node).toEqual({ type: 'PlanRepaired', actor: 'coordinator@rbv' });
    expect(pageErrors).toEqual([]);
  });

  it("refuses a repair overtaken while on screen in the API's words, books nothing, and shows the current one", async () => {
    const booked = await referAndBook(api, 'AT-RISK-2');
    await api.gql(OUT_OF_SERVICE, { id: unitOf(booked) }, AS_QA);
    const shown = (await atRisk()).find((n) => n.pathway.coi === booked.coi)!;
    // The page follows atRiskChanged: the booking appears with its repair, nobody reloading.
    const accept = page.getByRole('button', { name: 'Accept the repair for AT-RISK-2' });
    await accept.waitFor();
    // While the scheduler reads, the unit the repair would use fails too: the proposal on screen is gone.
    // The page's timers are held meanwhile, so it cannot ask again (0.3 s after the news) before the click.
    await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 1000);
    await api.gql(OUT_OF_SERVICE, { id: shown.proposal.unitId }, AS_QA);
    await accept.click();
    const alert = page.getByRole('alert');
    await alert.getByText('The repair could not be booked').waitFor();
    await page.clock.resume();
    expect(await alert.innerText()).toContain('That repair proposal is no longer available: capacity has moved or a step was recorded since.');
    const still = (await api.gql<{ pathway: { holdId: string } }>(`query($coi: ID!) { pathway(coi: $coi) { holdId } }`, { coi: booked.coi }, AS_SCHEDULER)).data!.pathway;
    expect(still.holdId).toBe(booked.holdId);
    // The page asked again: it shows the proposal the API holds now, on another unit, not the one refused.
    const current = (await atRisk()).find((n) => n.pathway.coi === booked.coi)!;
    expect(current.proposalId).not.toBe(shown.proposalId);
    const entry = page.getByTestId('at-risk-entry').filter({ hasText: 'AT-RISK-2' });
    const manufacture = entry.getByRole('table', { name: /^Proposed repair/ }).getByTestId('plan-step').filter({ hasText: 'Manufacture' });
    await manufacture.getByText(`unit ${current.proposal.unitId}`).waitFor();
    expect(current.proposal.unitId).not.toBe(shown.proposal.unitId);
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it("shows a new referral on the patients page as it is recorded, with nobody reloading", async () => {
    await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Patients', exact: true }).click();
    await page.getByRole('link', { name: 'AT-RISK-1' }).waitFor();
    await step(api, `mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`, {
      input: { patientRef: 'LIVE-REFERRAL', homeDistrict: 'M20', referringTrust: 'RBV', productCode: 'POC-CAR19', washout: { drugClass: 'NONE' }, priority: 'ROUTINE' },
    });
    await page.getByRole('link', { name: 'LIVE-REFERRAL' }).waitFor();
    expect(pageErrors).toEqual([]);
  });

  it("lists the waitlist in the API's order, each score with its inputs", async () => {
    const today = localDateOf(api.clock.now(), 'Europe/London');
    const refer = async (patientRef: string, priority: string, clinicalDeadline: string) =>
      (
        await step<{ referPatient: { coi: string } }>(api, `mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`, {
          input: { patientRef, homeDistrict: 'M20', referringTrust: 'RBV', productCode: 'POC-CAR19', washout: { drugClass: 'NONE' }, priority, clinicalDeadline },
        })
      ).referPatient.coi;
    // No 7-day process infuses within 2 or 3 days: both wait.
    for (const [ref, priority, days] of [['WAIT-URGENT', 'URGENT', 3], ['WAIT-EMERGENCY', 'EMERGENCY', 2]] as const) {
      await step(api, `mutation($coi: ID!) { joinWaitlist(coi: $coi) { place } }`, { coi: await refer(ref, priority, addDays(today, days)) });
    }
    const { data } = await api.gql<{ waitlist: { edges: { node: { pathway: { patientRef: string }; priority: { score: number; priorityPoints: number; deadlinePoints: number; daysToDeadline: number } } }[] } }>(
      `{ waitlist { edges { node { pathway { patientRef } priority { score priorityPoints deadlinePoints daysToDeadline } } } } }`,
      {},
      AS_SCHEDULER,
    );
    const listed = data!.waitlist.edges.map((e) => e.node);
    await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Waitlist' }).click();
    await page.getByTestId('waitlist-count').getByText('2 patients are waiting.').waitFor();
    const rows = await page.getByTestId('waitlist-row').allInnerTexts();
    expect(rows.map((r) => r.split('\t')[1]!.split('\n')[0])).toEqual(listed.map((l) => l.pathway.patientRef));
    listed.forEach((l, i) => {
      expect(rows[i]).toContain(`${l.priority.priorityPoints} points`);
      expect(rows[i]).toContain(`In ${l.priority.daysToDeadline} days: ${l.priority.deadlinePoints} points`);
    });
    expect(await page.getByTestId('waitlist-score').allInnerTexts()).toEqual(listed.map((l) => String(l.priority.score)));
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'waitlist');
    expect(pageErrors).toEqual([]);
  });
});
