import type { Page } from 'playwright-core';
import { accessibilityViolations, type ConsoleUnderTest, describeInBrowser, NETWORK_PLANNER, RBV_SCHEDULER, startConsole } from '../support/browser';
import { localDateOf } from '@bedside/shared';
import { referAndBook } from '../support/pathway-steps';
import { AS_PLANNER, eventually, type TestApi } from '../support/test-api';

/**
 * Issue 15 §7: the console stays usable on a tablet held upright (768×1024, touch): every page a
 * scheduler opens fits the screen's width (nothing to scroll sideways but a wide table in its own
 * scroller), its menu reaches every page, and axe-core finds nothing at that size.
 */
describeInBrowser('the console on a tablet', () => {
  let api: TestApi;
  let page: Page;
  let coi: string;
  let pageErrors: string[];
  let under: ConsoleUnderTest;

  beforeAll(async () => {
    under = await startConsole({ who: RBV_SCHEDULER, screen: 'tablet', given: async (api) => void ({ coi } = await referAndBook(api, 'TABLET-1')) });
    ({ api, page, pageErrors } = under);
  });
  afterAll(() => under?.close());

  /** How far the page is wider than the screen, in CSS pixels (0: it fits). */
  const overflow = () => page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');

  it.each([
    ['Patients', '/patients', 'Patients'],
    ['a pathway', '/patients/:coi', 'TABLET-1'],
    ['Refer a patient', '/refer', 'Refer a patient'],
    ['At risk', '/at-risk', 'Patients at risk'],
    ['Waitlist', '/waitlist', 'Waitlist'],
    ['Capacity', '/capacity', 'Capacity'],
    ['Dashboard', '/dashboard', 'The network today'],
    ['Audit trail', '/audit', 'Audit trail'],
  ])('%s fits the screen and passes axe-core', async (_name, path, heading) => {
    await page.goto(`${api.url.replace(/\/graphql$/, '')}${path.replace(':coi', coi)}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    await page.waitForLoadState('networkidle');
    expect(await overflow()).toBeLessThanOrEqual(0);
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('reaches every page from the menu by touch', async () => {
    const menu = page.getByRole('navigation', { name: 'Menu' });
    const pages = { Patients: 'Patients', 'Refer a patient': 'Refer a patient', 'At risk': 'Patients at risk', Waitlist: 'Waitlist', Capacity: 'Capacity', Dashboard: 'The network today', 'Audit trail': 'Audit trail' };
    for (const [label, heading] of Object.entries(pages)) {
      const link = menu.getByRole('link', { name: label, exact: true });
      const href = await link.getAttribute('href');
      await link.tap();
      await page.waitForURL((url) => url.pathname === href);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    }
    expect(pageErrors).toEqual([]);
  });
});

/** The planner's and Control Site QA's pages on the same tablet: a scenario, its runs, the network. */
describeInBrowser('the console on a tablet, for planners', () => {
  let api: TestApi;
  let page: Page;
  let under: ConsoleUnderTest;
  let scenarioId: string;
  let runIds: string[];

  beforeAll(async () => {
    under = await startConsole({
      who: NETWORK_PLANNER,
      screen: 'tablet',
      given: async (api) => {
        const asOf = localDateOf(api.clock.now(), 'Europe/London');
        const input = {
          name: 'Winter wave',
          asOf,
          days: 40,
          vaccineDemand: [{ region: 'LON', day: 0, doses: 2_000_000 }, { region: 'NW', day: 14, doses: 1_000_000, deadline: 35 }],
          fillFinish: { vialsPerHour: 1500, dosesPerVial: 10, shiftsPerDay: 2, hoursPerShift: 8, effectiveOutputFactor: 0.7 },
          teardownDays: 1,
          setupDays: 2,
          requalificationDays: 7,
          releaseDays: 3,
        };
        scenarioId = (await api.gql<{ createScenario: { id: string } }>(`mutation($input: ScenarioInput!) { createScenario(input: $input) { id } }`, { input }, AS_PLANNER)).data!.createScenario.id;
        runIds = [];
        for (const seed of [1, 2]) {
          const { id } = (await api.gql<{ runScenario: { id: string } }>(`mutation($id: ID!, $seed: Int) { runScenario(id: $id, input: { timeLimitSeconds: 3, seed: $seed }) { id } }`, { id: scenarioId, seed }, AS_PLANNER)).data!.runScenario;
          runIds.push(id);
        }
        await eventually(async () => {
          const runs = (await api.gql<{ scenario: { runs: { status: string }[] } }>(`query($id: ID!) { scenario(id: $id) { runs { status } } }`, { id: scenarioId }, AS_PLANNER)).data!.scenario.runs;
          if (runs.some((r) => r.status === 'RUNNING')) throw new Error('still running');
        }, 120_000);
      },
    });
    ({ api, page } = under);
  });
  afterAll(() => under?.close());

  const overflow = () => page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');

  it.each<[string, () => string, string | RegExp]>([
    ['Home', () => '/', 'Bedside'],
    ['Scenarios', () => '/scenarios', 'Scenarios'],
    ['a new scenario', () => '/scenarios/new', 'Create a scenario'],
    ['a scenario', () => `/scenarios/${scenarioId}`, /^Winter wave/],
    ['a scenario being edited', () => `/scenarios/${scenarioId}/edit`, 'Edit Winter wave'],
    ['a run', () => `/runs/${runIds[0]}`, /^Run /],
    ['two runs compared', () => `/compare?runs=${runIds.join(',')}`, 'Runs compared'],
    ['Sites and units', () => '/sites', 'Sites and units'],
    ['Products (DMMF)', () => '/products', /^Products/],
    ['Deployments', () => '/deployments', 'Deployments'],
  ])('%s fits the screen and passes axe-core', async (_name, path, heading) => {
    await page.goto(`${api.url.replace(/\/graphql$/, '')}${path()}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    await page.waitForLoadState('networkidle');
    expect(await overflow()).toBeLessThanOrEqual(0);
    expect(await accessibilityViolations(page)).toEqual([]);
  });
});
