import { localDateOf } from '@bedside/shared';
import type { Page } from 'playwright-core';
import { accessibilityViolations, CONTROL_SITE_QA, describeInBrowser, NETWORK_PLANNER, screenshot, signIn, startConsole, type ConsoleUnderTest } from '../support/browser';
import { AS_PLANNER, AS_QA, type TestApi } from '../support/test-api';

/**
 * Issue 15 §4: a network planner makes a surge scenario in the console, edits it, runs it twice with a
 * progress bar, reads a run's charts and compares the two runs; Control Site QA commits a run's plan as
 * deployments. Driven in Debian's Chromium against the API, with the real HiGHS solver; what the pages
 * show is checked against what the API says.
 */
const SCENARIO = `query($id: ID!) { scenario(id: $id) { id version reason name days requalificationDays fillFinish { vialsPerHour } vaccineDemand { region day doses deadline weight } runs { id status } } }`;
const RUN = `query($id: ID!) { scenarioRun(id: $id) { id status committedBy result { proposed { weightedUnmetDoseDays regions { region wanted released unmetAtEnd } } unitTimelines { unitId segments { kind } } } } }`;
const COMPARE = `query($ids: [ID!]!) { compareRuns(ids: $ids) { bestRunId runs { id result { proposed { weightedUnmetDoseDays } } } } }`;
interface RunFacts {
  id: string;
  status: string;
  committedBy: string | null;
  result: { proposed: { weightedUnmetDoseDays: number; regions: { region: string; wanted: number[]; released: number[]; unmetAtEnd: number }[] }; unitTimelines: { unitId: string; segments: { kind: string }[] }[] };
}
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const shown = (n: number) => Math.round(n).toLocaleString('en-GB');

describeInBrowser('the console: a planner’s surge scenarios, their runs compared, and a plan committed', () => {
  let api: TestApi;
  let page: Page;
  let base: string;
  let pageErrors: string[];
  let under: ConsoleUnderTest;
  let scenarioId: string;
  let runIds: string[] = [];
  const scenario = async () =>
    (await api.gql<{ scenario: { id: string; version: number; reason: string | null; days: number; requalificationDays: number; fillFinish: { vialsPerHour: number }; vaccineDemand: unknown[]; runs: { id: string; status: string }[] } }>(SCENARIO, { id: scenarioId }, AS_PLANNER)).data!.scenario;
  const run = async (id: string) => (await api.gql<{ scenarioRun: RunFacts }>(RUN, { id }, AS_PLANNER)).data!.scenarioRun;
  const demand = (i: number, label: string) => page.getByLabel(label, { exact: true }).nth(i);

  beforeAll(async () => {
    under = await startConsole({ who: NETWORK_PLANNER });
    ({ api, page, base, pageErrors } = under);
  });
  afterAll(() => under?.close());

  it('makes a scenario in the form: a deadline before its doses are wanted is refused in the API’s words, then the scenario is recorded as typed', async () => {
    await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Scenarios' }).click();
    await page.getByRole('button', { name: 'Create a scenario' }).click();
    await page.getByLabel('Name').fill('Winter wave');
    // London first, the North West three weeks later, the Midlands from day 30 by day 45.
    await demand(0, 'Doses wanted').fill('3,000,000');
    await demand(0, 'Weight (optional)').fill('2');
    await page.getByRole('button', { name: 'Add demand' }).click();
    await demand(1, 'Region').selectOption('NW');
    await demand(1, 'From day').fill('21');
    await demand(1, 'Doses wanted').fill('2000000');
    await page.getByRole('button', { name: 'Add demand' }).click();
    await demand(2, 'Region').selectOption('MID');
    await demand(2, 'From day').fill('30');
    await demand(2, 'Doses wanted').fill('a million');
    await demand(2, 'Deadline day (optional)').fill('20');
    await page.getByLabel('Vials an hour').fill('1500');
    await page.getByLabel('Days to requalify (0 to 21)').fill('7');
    expect(await accessibilityViolations(page)).toEqual([]);
    // A word where a number belongs is said back in words, and nothing is sent.
    await page.getByRole('button', { name: 'Create the scenario' }).click();
    await page.getByRole('alert').getByText('Give the doses wanted in demand 3 as a number, for example 2.5.').waitFor();
    await demand(2, 'Doses wanted').fill('1000000');
    await page.getByRole('button', { name: 'Create the scenario' }).click();
    const refusal = page.getByRole('alert');
    await refusal.getByText('The scenario was not saved').waitFor();
    expect(await refusal.innerText()).toMatch(/deadline/i);
    const none = await api.gql<{ scenarios: { edges: unknown[] } }>(`{ scenarios { edges { node { id } } } }`, {}, AS_PLANNER);
    expect(none.data!.scenarios.edges).toEqual([]);

    await demand(2, 'Deadline day (optional)').fill('45');
    await page.getByRole('button', { name: 'Create the scenario' }).click();
    await page.getByRole('heading', { name: /^Winter wave/ }).waitFor();
    scenarioId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);
    expect(await scenario()).toMatchObject({
      version: 1,
      days: 60,
      requalificationDays: 7,
      fillFinish: { vialsPerHour: 1500 },
      vaccineDemand: [
        { region: 'LON', day: 0, doses: 3_000_000, deadline: null, weight: 2 },
        { region: 'NW', day: 21, doses: 2_000_000, deadline: null, weight: null },
        { region: 'MID', day: 30, doses: 1_000_000, deadline: 45, weight: null },
      ],
    });
  });

  it('edits it as version 2, with the reason kept', async () => {
    await page.getByRole('link', { name: 'Edit this scenario' }).click();
    await page.getByLabel('Days to requalify (0 to 21)').fill('5');
    await page.getByLabel('Why this version (for the audit trail)').fill('Rapid requalification agreed with the MHRA');
    await page.getByRole('button', { name: 'Save version 2' }).click();
    await page.getByText('version 2', { exact: true }).waitFor();
    expect(await scenario()).toMatchObject({ version: 2, requalificationDays: 5, reason: 'Rapid requalification agreed with the MHRA' });
    expect(await page.getByText(/5 days to requalify/).count()).toBe(1);
  });

  it('runs it twice, showing each run’s progress as it works, and compares the two side by side', async () => {
    const rows = page.getByTestId('run-row');
    await page.getByLabel('Seconds the solver may take (1 to 600)').fill('4');
    await page.getByLabel('Also say what one more unit would buy (takes about twice as long)').check();
    await page.getByRole('button', { name: 'Run the scenario' }).click();
    // The run answers at once, RUNNING: the page shows its progress bar, following scenarioRunProgress.
    await rows.first().getByTestId('run-progress').getByRole('progressbar').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'scenario-running');
    await rows.first().getByTestId('run-status').getByText('Finished').waitFor({ timeout: 120_000 });

    await page.getByLabel('Also say what one more unit would buy (takes about twice as long)').uncheck();
    await page.getByLabel('Seed (optional)').fill('7');
    await page.getByRole('button', { name: 'Run the scenario' }).click();
    await rows.nth(1).waitFor();
    await rows.first().getByTestId('run-status').getByText('Finished').waitFor({ timeout: 120_000 });
    runIds = (await scenario()).runs.map((r) => r.id);
    expect((await scenario()).runs.map((r) => r.status)).toEqual(['FINISHED', 'FINISHED']);

    for (const id of runIds) await page.getByLabel(`Compare run ${id.slice(0, 8)}`).check();
    await page.getByRole('button', { name: 'Compare the runs chosen (2)' }).click();
    const compared = (await api.gql<{ compareRuns: { bestRunId: string; runs: { id: string; result: { proposed: { weightedUnmetDoseDays: number } } }[] } }>(COMPARE, { ids: runIds }, AS_PLANNER)).data!.compareRuns;
    await page.getByTestId('comparison-chart').and(page.locator('[data-drawn="yes"]')).waitFor();
    expect(await page.getByTestId('best-run').innerText()).toBe(`Run ${compared.bestRunId.slice(0, 8)} leaves the fewest weighted unmet dose-days.`);
    const unmet = page.getByTestId('comparison-row').filter({ has: page.getByRole('rowheader', { name: 'Weighted unmet dose-days', exact: true }) });
    expect(await unmet.getByRole('cell').allInnerTexts()).toEqual(compared.runs.map((r) => shown(r.result.proposed.weightedUnmetDoseDays)));
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'runs-compared');
  });

  it('draws a run’s plan: doses released against wanted, and where the units go, with the same figures as tables', async () => {
    const facts = await run(runIds[1]!);
    await page.goto(`${base}/runs/${runIds[1]}`);
    await page.getByTestId('doses-chart').and(page.locator('[data-drawn="yes"]')).waitFor();
    await page.getByTestId('timelines-chart').and(page.locator('[data-drawn="yes"]')).waitFor();
    const regionRows = await page.getByTestId('region-row').allInnerTexts();
    expect(regionRows).toHaveLength(facts.result.proposed.regions.length);
    for (const [i, region] of facts.result.proposed.regions.entries()) {
      expect(regionRows[i]!.split('\t').slice(1)).toEqual([shown(sum(region.wanted)), shown(sum(region.released)), shown(region.unmetAtEnd), expect.any(String)]);
    }
    expect(await page.getByTestId('timeline-row').count()).toBe(facts.result.unitTimelines.length);
    expect(await page.getByTestId('run-verdict').innerText()).toContain(`leaves ${shown(facts.result.proposed.weightedUnmetDoseDays)} weighted unmet dose-days`);
    // A planner may not commit: the page offers it only to Control Site QA.
    expect(await page.getByRole('button', { name: 'Commit the plan as deployments' }).count()).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'scenario-run');
  });

  it('draws a CAR-T what-if: the waitlist by week and the days as distributions, with the API’s figures', async () => {
    // The what-if plans on live capacity from the scenario's day: today in the UK, by the API's clock.
    const today = localDateOf(api.clock.now(), 'Europe/London');
    const created = await api.gql<{ createScenario: { id: string } }>(
      `mutation($input: ScenarioInput!) { createScenario(input: $input) { id } }`,
      {
        input: {
          name: 'CAR-T demand doubles in the North West',
          asOf: today,
          days: 56,
          referralsPerWeek: [{ region: 'NW', productCode: 'POC-CAR19', perWeek: 4 }],
          fillFinish: { vialsPerHour: 1500, dosesPerVial: 10, shiftsPerDay: 2, hoursPerShift: 8, effectiveOutputFactor: 0.7 },
          teardownDays: 1,
          setupDays: 2,
          requalificationDays: 7,
          releaseDays: 3,
        },
      },
      AS_PLANNER,
    );
    expect(created.errors).toBeUndefined();
    await page.goto(`${base}/scenarios/${created.data!.createScenario.id}`);
    await page.getByRole('button', { name: 'Run the scenario' }).click();
    const row = page.getByTestId('run-row').first();
    await row.getByTestId('run-status').getByText('Finished').waitFor({ timeout: 120_000 });
    await row.getByRole('link', { name: /^Run / }).click();
    await page.getByTestId('waitlist-chart').and(page.locator('[data-drawn="yes"]')).waitFor();
    await page.getByTestId('distribution-chart').and(page.locator('[data-drawn="yes"]')).waitFor();
    const runId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);
    const { carT } = (await api.gql<{ scenarioRun: { carT: { referred: number; infused: number; lostAfterCollection: number; stillWaiting: number; waitlistByWeek: number[]; veinToVein: { p50: number } } } }>(
      `query($id: ID!) { scenarioRun(id: $id) { carT { referred infused lostAfterCollection stillWaiting waitlistByWeek veinToVein { p50 } } } }`,
      { id: runId },
      AS_PLANNER,
    )).data!.scenarioRun;
    expect(await page.getByTestId('car-t-summary').innerText()).toMatch(new RegExp(`^${carT.referred} referred, ${carT.infused} infused, ${carT.lostAfterCollection} lost after collection, \\d+ batches failed, ${carT.stillWaiting} still waiting at the end\\.`));
    expect(await page.getByText(`Waiting at the end of each week: ${carT.waitlistByWeek.join(', ')}.`).count()).toBe(1);
    const veinToVein = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Vein to vein', exact: true }) });
    expect((await veinToVein.getByRole('cell').allInnerTexts())[2]).toBe(`${carT.veinToVein.p50} d`);
    // No doses were wanted: no vaccine charts, and nothing to commit.
    expect(await page.getByTestId('doses-chart').count()).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('lets Control Site QA commit a run’s plan: one deployment per move, recorded in the API', async () => {
    const id = runIds[1]!;
    const moves = (await run(id)).result.unitTimelines.flatMap((t) => t.segments.filter((s) => s.kind === 'MOVING'));
    await signIn(page, base, CONTROL_SITE_QA);
    await page.goto(`${base}/runs/${id}`);
    await page.getByLabel('Why (added to the recorded reason)').fill('Approved by the surge cell');
    await page.getByRole('button', { name: 'Commit the plan as deployments' }).click();
    await page.getByTestId('plan-committed').getByText(`Plan committed: ${moves.length === 1 ? '1 deployment' : `${moves.length} deployments`} recorded.`).waitFor();
    expect((await run(id)).committedBy).toBe(AS_QA.actor);
    await page.getByTestId('committed').waitFor();
    const deployments = await api.gql<{ deployments: { edges: { node: { reason: string } }[] } }>(`{ deployments { edges { node { reason } } } }`, {}, AS_QA);
    expect(deployments.data!.deployments.edges.filter((e) => e.node.reason.includes(id))).toHaveLength(moves.length);
    expect(pageErrors).toEqual([]);
  });
});
