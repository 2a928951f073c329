import type { Browser, Locator, Page } from 'playwright-core';
import { accessibilityViolations, type ConsoleUnderTest, CONTROL_SITE_QA, describeInBrowser, openPage, screenshot, signIn, startConsole } from '../support/browser';
import { AS_QA, type TestApi } from '../support/test-api';

/**
 * Issue 15 §5: Control Site QA walks sites through their lifecycle and sets units' qualification in the
 * console. The changes offered are the API's `changesOpen`; each is checked in the API and its audit
 * trail; a refusal is the API's words, with nothing recorded.
 */
interface SiteFacts {
  code: string;
  status: string;
  changesOpen: { action: string }[];
}
const WORDS: Record<string, string> = { ONBOARD: 'Start onboarding', ACTIVATE: 'Activate', PAUSE: 'Pause', SUSPEND: 'Suspend', CEASE: 'Close for good' };

describeInBrowser('the console: sites and units for Control Site QA', () => {
  let api: TestApi;
  let browser: Browser;
  let page: Page;
  let base: string;
  let pageErrors: string[];
  let under: ConsoleUnderTest;
  const site = async (code: string) => (await api.gql<{ site: SiteFacts }>(`query($code: ID!) { site(code: $code) { code status changesOpen { action } } }`, { code }, AS_QA)).data!.site;
  const card = (code: string): Locator => page.getByTestId('site').filter({ has: page.getByRole('heading', { name: new RegExp(`${code}$`) }) });
  const offered = async (code: string) => (await card(code).getByLabel(`Change ${code}`).locator('option').allInnerTexts()).slice(1).map((o) => o.replace(/ \(to .*$/, ''));

  beforeAll(async () => {
    under = await startConsole({ who: CONTROL_SITE_QA });
    ({ api, page, pageErrors, browser, base } = under);
  });
  afterAll(() => under?.close());

  it("lists every site with the changes the API says are open to it, and no others", async () => {
    const { data } = await api.gql<{ network: { sites: { edges: { node: SiteFacts }[] } } }>(`{ network { sites(first: 200) { edges { node { code status changesOpen { action } } } } } }`, {}, AS_QA);
    const sites = data!.network.sites.edges.map((e) => e.node);
    await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Sites and units' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sites and units' }).waitFor();
    expect(await page.getByTestId('site').count()).toBe(sites.length);
    for (const s of sites.slice(0, 3)) expect(await offered(s.code)).toEqual(s.changesOpen.map((c) => WORDS[c.action]));
    expect(await offered('RBV01')).toEqual(['Pause', 'Suspend', 'Close for good']);
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it("refuses a pause without a reason in the API's words, then pauses with one, recorded as QA's", async () => {
    const rbv = card('RBV01');
    await rbv.getByLabel('Change RBV01').selectOption({ label: 'Pause (to Paused)' });
    await rbv.getByRole('button', { name: 'Record the change' }).click();
    await rbv.getByRole('alert').getByText('A reason is required to pause site RBV01 from ACTIVE: record why.').waitFor();
    expect((await site('RBV01')).status).toBe('ACTIVE');

    await rbv.getByLabel('Why (required)').fill('Deep clean after a spill');
    await rbv.getByRole('button', { name: 'Record the change' }).click();
    await rbv.getByTestId('site-status').getByText('Paused').waitFor();
    expect(await rbv.getByTestId('site-status').innerText()).toMatch(/^Paused: Deep clean after a spill \(qa\.lead@control-site, .* UK time\)$/);
    expect(await site('RBV01')).toMatchObject({ status: 'PAUSED', changesOpen: [{ action: 'ACTIVATE' }, { action: 'SUSPEND' }, { action: 'CEASE' }] });
    expect(await offered('RBV01')).toEqual(['Activate', 'Suspend', 'Close for good']);
    const audit = await api.gql<{ auditTrail: { edges: { node: { type: string; actor: string; reason: string } }[] } }>(`{ auditTrail(streamId: "site-RBV01") { edges { node { type actor reason } } } }`, {}, AS_QA);
    expect(audit.data!.auditTrail.edges.at(-1)!.node).toEqual({ type: 'SitePaused', actor: 'qa.lead@control-site', reason: 'Deep clean after a spill' });
    await rbv.evaluate('(card) => { card.scrollIntoView(); window.scrollBy(0, -60); }');
    await screenshot(page, 'sites', { fullPage: false });
  });

  it("sets a unit out of service with the reason, as the API records it", async () => {
    const unit = page.getByTestId('unit').filter({ has: page.getByRole('heading', { name: /^MU-RBV01-COC1 / }) });
    await unit.getByLabel('Qualification of MU-RBV01-COC1').selectOption('OUT_OF_SERVICE');
    await unit.getByLabel('Why').fill('Incubator fault');
    await unit.getByRole('button', { name: 'Record' }).click();
    await unit.getByTestId('unit-qualification').getByText('Out of service: Incubator fault').waitFor();
    const { data } = await api.gql<{ unit: { qualification: string; qualificationReason: string } }>(`{ unit(id: "MU-RBV01-COC1") { qualification qualificationReason } }`, {}, AS_QA);
    expect(data!.unit).toEqual({ qualification: 'OUT_OF_SERVICE', qualificationReason: 'Incubator fault' });
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('shows a planner the sites as they stand, offering no change the API would refuse them', async () => {
    const planner = await openPage(browser, pageErrors);
    await signIn(planner, base, { role: 'Network planner', actor: 'planner@network' });
    await planner.goto(`${base}/sites`);
    const rbv = planner.getByTestId('site').filter({ has: planner.getByRole('heading', { name: /RBV01$/ }) });
    await rbv.getByTestId('site-status').getByText('Paused').waitFor();
    expect(await planner.getByTestId('read-only').innerText()).toBe('Only Control Site QA changes sites and units; this page shows them to you as they stand.');
    expect(await planner.getByRole('button', { name: /^Record/ }).count()).toBe(0);
    // As the API says: a planner's change to a site is refused.
    const refused = await api.gql(`mutation { activateSite(code: "RBV01") { status } }`, {}, { role: 'planner', actor: 'planner@network' });
    expect(refused.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(await accessibilityViolations(planner)).toEqual([]);
  });
});
