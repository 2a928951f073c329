import type { Page } from 'playwright-core';
import { accessibilityViolations, type ConsoleUnderTest, describeInBrowser, RBV_SCHEDULER, startConsole } from '../support/browser';
import { referAndBook } from '../support/pathway-steps';
import { type TestApi } from '../support/test-api';

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
