import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations, describeInBrowser, launchBrowser, openPage, screenshot, signIn } from '../support/browser';
import { referAndBook, step, walkThePlan } from '../support/pathway-steps';
import { AS_DASHBOARD, startDemoApi, type TestApi } from '../support/test-api';

/**
 * Issue 15 §6: the read-only KPI page for a wall screen, signed in as a dashboard. Its figures are the
 * API's `kpis`, and it follows changes live (kpisChanged over the WebSocket) with nobody touching it.
 */
interface Figures {
  atRisk: number;
  pathwaysByStatus: { status: string; count: number }[];
  waitlist: { length: number };
  utilisation: { resource: string; utilisation: number }[];
}
const FIGURES = `{ kpis(filter: {}, groupBy: []) { atRisk pathwaysByStatus { status count } waitlist { length } utilisation { resource utilisation } } }`;
const MONTHS = `query($from: LocalDate!, $to: LocalDate!) { kpis(filter: { from: $from, to: $to }, groupBy: [MONTH]) { timelines { month infused veinToVeinMedianDays } } }`;
const inProgress = (f: Figures) => f.pathwaysByStatus.filter((s) => !['DISCHARGED', 'WITHDRAWN'].includes(s.status)).reduce((sum, s) => sum + s.count, 0);

describeInBrowser('the console: the dashboard on a wall screen', () => {
  let api: TestApi;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const figures = async () => (await api.gql<{ kpis: Figures }>(FIGURES, {}, AS_DASHBOARD)).data!.kpis;

  beforeAll(async () => {
    api = await startDemoApi();
    // One patient infused (the plan walked at its own instants, the API's clock with it), one booked.
    await walkThePlan(api, await referAndBook(api, 'WALL-0'), { through: 'INFUSED' });
    await referAndBook(api, 'WALL-1');
    await api.caughtUp();
    browser = await launchBrowser();
    // A wall screen: full HD, nobody at the keyboard; its clock is the API's, which walking the plan moved on.
    page = await openPage(browser, pageErrors, { screen: 'wall', clock: api.clock.now() });
    await signIn(page, api.url.replace(/\/graphql$/, ''), { role: 'Dashboard (read only)', actor: 'ward-screen@rbv' });
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it("opens on the dashboard and shows the API's figures", async () => {
    await page.getByRole('heading', { name: 'The network today' }).waitFor();
    const f = await figures();
    expect(await page.getByTestId('figure-in-progress').innerText()).toBe(String(inProgress(f)));
    expect(await page.getByTestId('figure-at-risk').innerText()).toBe(String(f.atRisk));
    expect(await page.getByTestId('figure-waitlist').innerText()).toBe(String(f.waitlist.length));
    const statuses = await page.getByTestId('status-row').allInnerTexts();
    expect(statuses).toHaveLength(f.pathwaysByStatus.length);
    expect(statuses.some((row) => row.startsWith('Booked') && row.endsWith(`\t${f.pathwaysByStatus.find((s) => s.status === 'BOOKED')!.count}`))).toBe(true);
    const utilisation = await page.getByTestId('utilisation-row').allInnerTexts();
    expect(utilisation.map((row) => row.split('\t')[1])).toEqual(f.utilisation.map((u) => `${Math.round(u.utilisation * 100)}%`));
    // Vein to vein by month of infusion, over the twelve months to today.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(api.clock.now());
    const from = new Date(Date.parse(`${today}T00:00:00Z`) - 365 * 86_400_000).toISOString().slice(0, 10);
    const { timelines } = (await api.gql<{ kpis: { timelines: { month: string; infused: number; veinToVeinMedianDays: number }[] } }>(MONTHS, { from, to: today }, AS_DASHBOARD)).data!.kpis;
    expect(timelines.length).toBeGreaterThan(0);
    const months = await page.getByTestId('month-row').allInnerTexts();
    expect(months.map((row) => row.split('\t').slice(1, 3))).toEqual(timelines.map((t) => [String(t.infused), `${Math.round(t.veinToVeinMedianDays * 10) / 10} days`]));
    // A dashboard may open no patient-level page: its menu offers none.
    expect(await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Patients' }).count()).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'dashboard');
  });

  it('updates live as referrals are recorded, with nobody touching it', async () => {
    const before = inProgress(await figures());
    await page.getByTestId('dashboard-live').getByText('Live: the figures update as changes are recorded.').waitFor();
    for (const ref of ['WALL-2', 'WALL-3']) {
      await step(api, `mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`, {
        input: { patientRef: ref, homeDistrict: 'M20', referringTrust: 'RBV', productCode: 'POC-CAR19', washout: { drugClass: 'NONE' }, priority: 'ROUTINE' },
      });
    }
    await page.getByTestId('figure-in-progress').getByText(String(before + 2), { exact: true }).waitFor();
    expect(inProgress(await figures())).toBe(before + 2);
    expect(await page.getByTestId('dashboard-live').innerText()).toMatch(/^Live: last changed \d{1,2} \w{3} \d{4}, \d{2}:\d{2} \(UK time\)\.$/);
    expect(pageErrors).toEqual([]);
  });
});
