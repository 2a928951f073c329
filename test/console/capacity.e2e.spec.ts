import { addDays, localDateOf, type LocalDate } from '@bedside/shared';
import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations, describeInBrowser, launchBrowser, openPage, screenshot, signIn } from '../support/browser';
import { AS_PLANNER, eventually, startDemoApi, type TestApi } from '../support/test-api';

/** Issue 15 §4: a network planner's capacity heatmap, drawn by ECharts from `dailyCapacity`, with the same figures as a table. */
interface Day {
  siteCode: string;
  day: string;
  capacity: number;
  nominal: number;
  free: number;
}

describeInBrowser('the console: the capacity heatmap', () => {
  let api: TestApi;
  let browser: Browser;
  let page: Page;
  let today: LocalDate;
  let closed: LocalDate;
  const pageErrors: string[] = [];
  const daily = async (resource: string, days: number): Promise<Day[]> => {
    const { data, errors } = await api.gql<{ dailyCapacity: Day[] }>(
      `query($r: Resource!, $from: LocalDate!, $to: LocalDate!) { dailyCapacity(filter: { resources: [$r] }, from: $from, to: $to) { siteCode day capacity nominal free } }`,
      { r: resource, from: today, to: addDays(today, days - 1) },
      AS_PLANNER,
    );
    expect(errors).toBeUndefined();
    return data!.dailyCapacity;
  };
  /** The table under the chart, row by row: site, free, bookable, days closed, days full. */
  const tableRows = async () =>
    (await page.getByTestId('capacity-row').allInnerTexts()).map((text) => {
      const [row, free, capacity, closedDays, fullDays] = text.split('\t').map((c) => c.trim());
      return { row, free: Number(free), capacity: Number(capacity), closedDays: Number(closedDays), fullDays: Number(fullDays) };
    });
  const drawn = () => page.locator('[data-testid="heatmap-status"][data-drawn="yes"]').waitFor();

  beforeAll(async () => {
    api = await startDemoApi();
    today = localDateOf(api.clock.now(), 'Europe/London');
    // A planner closes the Christie's apheresis chairs on a day they would be open.
    closed = (await daily('APHERESIS_CHAIR', 30)).find((d) => d.siteCode === 'RBV01' && d.day > addDays(today, 3) && d.capacity > 0)!.day;
    const result = await api.gql(
      `mutation($input: CalendarExceptionInput!) { addCalendarException(input: $input) { siteCode } }`,
      { input: { siteCode: 'RBV01', resource: 'APHERESIS_CHAIR', kind: 'MAINTENANCE', from: closed, to: closed, reason: 'Cell separators serviced' } },
      AS_PLANNER,
    );
    expect(result.errors).toBeUndefined();
    await api.caughtUp();
    browser = await launchBrowser();
    // "Today" on the page is the API's today.
    page = await openPage(browser, pageErrors, { clock: api.clock.now(), timeoutMs: 20_000 });
    await signIn(page, `${api.url.replace(/\/graphql$/, '')}`, { role: 'Network planner' });
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it("draws every site's next 30 days of apheresis chairs, with the closed day counted, as the API gives them", async () => {
    await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Capacity' }).click();
    await drawn();
    const days = await daily('APHERESIS_CHAIR', 30);
    const sites = [...new Set(days.map((d) => d.siteCode))];
    const rows = await tableRows();
    expect(rows.map((r) => r.row)).toEqual(sites);
    for (const site of sites) {
      const mine = days.filter((d) => d.siteCode === site);
      const row = rows.find((r) => r.row === site)!;
      expect(row.capacity).toBe(mine.reduce((n, d) => n + d.capacity, 0));
      expect(row.closedDays).toBe(mine.filter((d) => d.capacity === 0 && d.nominal > 0).length);
      expect(row.fullDays).toBe(mine.filter((d) => d.capacity > 0 && d.free === 0).length);
    }
    expect(rows.find((r) => r.row === 'RBV01')!.closedDays).toBeGreaterThanOrEqual(1);
    expect(await page.getByTestId('heatmap').getAttribute('aria-label')).toMatch(/^Heatmap of free apheresis chairs by day: \d+ closed days and \d+ full days in all/);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'capacity');
  });

  it('marks a day closed while the planner looks at it, with nobody reloading (capacityChanged)', async () => {
    const rbv = () => tableRows().then((rows) => rows.find((r) => r.row === 'RBV01')!);
    const before = await rbv();
    const open = (await daily('APHERESIS_CHAIR', 30)).find((d) => d.siteCode === 'RBV01' && d.capacity > 0 && d.day !== closed && d.day > addDays(today, 3))!.day;
    const result = await api.gql(
      `mutation($input: CalendarExceptionInput!) { addCalendarException(input: $input) { siteCode } }`,
      { input: { siteCode: 'RBV01', resource: 'APHERESIS_CHAIR', kind: 'STAFF_SHORTAGE', from: open, to: open, reason: 'Two apheresis nurses off sick' } },
      AS_PLANNER,
    );
    expect(result.errors).toBeUndefined();
    // The page is told, asks again and redraws: the table shows one more closed day.
    const after = await eventually(async () => {
      const row = await rbv();
      if (row.closedDays === before.closedDays) throw new Error('RBV01 not yet redrawn');
      return row;
    });
    expect(after.closedDays).toBe(before.closedDays + 1);
    expect(after.capacity).toBeLessThan(before.capacity);
  });

  it('draws a year of manufacturing bays, unit by unit', async () => {
    await page.getByLabel('Resource').selectOption({ label: 'Manufacturing bays (units)' });
    await page.getByLabel('Days', { exact: true }).selectOption({ label: '365 days' });
    await page.getByTestId('heatmap-status').getByText(/Manufacturing bays \(units\), .* to .*: \d+ rows\./).waitFor();
    await drawn();
    const units = new Set((await daily('MANUFACTURING_BAY', 365)).map((d) => d.siteCode));
    const rows = await tableRows();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => /^\S+ \(\S+\)$/.test(r.row!) && units.has(r.row!.split('(')[1]!.slice(0, -1)))).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
