import type { Page } from 'playwright-core';
import { accessibilityViolations, type ConsoleUnderTest, describeInBrowser, RBV_SCHEDULER, screenshot, startConsole } from '../support/browser';
import { AS_SCHEDULER, type TestApi } from '../support/test-api';

/**
 * Issue 15 §3: a trust scheduler refers a patient, is offered plans drawn step by step, holds one and
 * sees its countdown, and confirms the booking, in Debian's Chromium; every step is checked against what
 * the API records, and every page against axe-core.
 */
interface PathwayFacts {
  coi: string;
  status: string;
  holdExpiresAt: string | null;
  treatmentCentre: string | null;
}

describeInBrowser('the console: a scheduler refers, plans, holds and books', () => {
  let api: TestApi;
  let page: Page;
  let base: string;
  let pageErrors: string[];
  let under: ConsoleUnderTest;
  const pathways = async () =>
    (await api.gql<{ pathways: { edges: { node: PathwayFacts }[] } }>(`{ pathways { edges { node { coi status holdExpiresAt treatmentCentre } } } }`, {}, AS_SCHEDULER)).data!.pathways.edges.map((e) => e.node);

  beforeAll(async () => {
    under = await startConsole({ who: RBV_SCHEDULER });
    ({ api, page, pageErrors, base } = under);
  });
  afterAll(() => under?.close());

  it("refuses a full postcode in the API's words and records nothing, then refers the patient", async () => {
    await page.getByRole('link', { name: 'Refer a patient' }).click();
    await page.getByRole('heading', { name: 'Refer a patient' }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByLabel('Patient reference').fill('CONSOLE-REFER-1');
    await page.getByLabel('Home postcode district').fill('M20 4BX');
    await page.getByLabel('Preferred treatment centre').selectOption('RBV01');
    await page.getByLabel('Urgent').check();
    await page.getByRole('button', { name: 'Refer' }).click();
    await page.getByRole('alert').getByText(/Give only the postcode district, the part before the space \(M20\)/).waitFor();
    expect(await pathways()).toEqual([]);
    await screenshot(page, 'refer');

    await page.getByLabel('Home postcode district').fill('M20');
    await page.getByRole('button', { name: 'Refer' }).click();
    await page.getByRole('heading', { name: 'CONSOLE-REFER-1' }).waitFor();
    const [referred] = await pathways();
    expect(referred).toMatchObject({ status: 'REFERRED' });
    expect(page.url()).toBe(`${base}/patients/${referred!.coi}`);
    expect(await page.getByTestId('pathway-status').innerText()).toBe('Referred');
  });

  it("offers the API's plans, each drawn step by step with what limited it", async () => {
    const [{ coi }] = await pathways();
    const { data } = await api.gql<{ planOptions: { infusionDay: string; treatmentCentre: string; limitedBy: string; steps: { kind: string }[] }[] }>(
      `query($coi: ID!) { planOptions(input: { coi: $coi, count: 3 }) { infusionDay treatmentCentre limitedBy steps { kind } } }`,
      { coi },
      AS_SCHEDULER,
    );
    const cards = page.getByTestId('plan-option');
    await cards.first().waitFor();
    expect(await cards.count()).toBe(data!.planOptions.length);
    const first = await cards.first().innerText();
    const best = data!.planOptions[0]!;
    const day = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', dateStyle: 'medium' }).format(new Date(`${best.infusionDay}T00:00:00Z`));
    expect(first).toContain(`Plan 1: infusion ${day} at ${best.treatmentCentre}`);
    expect(first).toContain(best.limitedBy);
    expect(await cards.first().getByTestId('plan-step').count()).toBe(best.steps.length);
    // Each plan is drawn as a timeline beside its table, described in words for a screen reader.
    for (const card of await cards.all()) await card.getByTestId('plan-timeline').and(page.locator('[data-drawn="yes"]')).waitFor();
    expect(await cards.first().getByTestId('plan-timeline').getAttribute('aria-label')).toMatch(new RegExp(`^Plan 1, step by step, drawn as a timeline: ${best.steps.length} steps from .* \\(UK time\\)\\. The table gives each step\\.$`));
    for (const words of ['Cell collection (apheresis)', 'Manufacture', 'Conditioning', 'Infusion', 'ICU cover reserved']) expect(first).toContain(words);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'plan-options');
  });

  it('holds the first plan and counts down to when the hold runs out, by the API clock', async () => {
    await page.getByRole('button', { name: 'Hold plan 1' }).click();
    await page.getByTestId('held-plan').waitFor();
    const [held] = await pathways();
    expect(held!.status).toBe('PLAN_HELD');
    expect(await page.getByTestId('pathway-status').innerText()).toBe('Plan held');
    const minutesLeft = async () => Number((await page.getByTestId('hold-countdown').innerText()).split(':')[0]);
    // The demo holds for 30 minutes: a few seconds have passed.
    expect(await minutesLeft()).toBe(Math.floor((Date.parse(held!.holdExpiresAt!) - api.clock.now().getTime()) / 60_000));
    await page.clock.fastForward('10:00');
    await page.getByTestId('hold-countdown').getByText(/^1\d:\d\d$/).waitFor();
    expect(await minutesLeft()).toBeGreaterThanOrEqual(18);
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('confirms the booking, and shows the plan booked', async () => {
    await page.getByRole('button', { name: 'Confirm booking' }).click();
    await page.getByTestId('pathway-status').getByText('Booked').waitFor();
    const [booked] = await pathways();
    expect(booked!.status).toBe('BOOKED');
    await page.getByRole('table', { name: 'The plan booked' }).waitFor();
    expect(await page.getByTestId('held-plan').count()).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'booked');
    expect(pageErrors).toEqual([]);
  });
});
