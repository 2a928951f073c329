import { demoHomeDistrict } from '@bedside/network';
import { addDays } from '@bedside/shared';
import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations, describeInBrowser, launchBrowser, openPage, screenshot } from '../support/browser';
import { referAndBook, step } from '../support/pathway-steps';
import { AS_SCHEDULER, eventually, startDemoApi, type Persona, type TestApi } from '../support/test-api';

/**
 * Issue 15 §1-3: the console served by the API at /, signed in to on a developer's machine, showing a
 * trust scheduler their patients, those at risk first. Driven in Debian's Chromium, as a person would.
 */
const AS_OTHER_TRUST: Persona = { role: 'scheduler', trusts: ['RRK'], actor: 'coordinator@rrk' };
const REFER = `mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`;

describeInBrowser('the console: a scheduler signs in and finds their patients', () => {
  let api: TestApi;
  let browser: Browser;
  let page: Page;
  let base: string;
  let waiting: string;
  let postponed: string;
  // Anything the page throws fails the run: a person would see a page that stopped working.
  const pageErrors: string[] = [];

  beforeAll(async () => {
    api = await startDemoApi();
    base = api.url.replace(/\/graphql$/, '');
    // One patient only referred, one booked and then postponed past collection (at risk), and one of another trust's.
    waiting = (await step<{ referPatient: { coi: string } }>(api, REFER, { input: referral('CONSOLE-WAITING') })).referPatient.coi;
    const booked = await referAndBook(api, 'CONSOLE-POSTPONED');
    postponed = booked.coi;
    await step(api, `mutation($coi: ID!, $until: LocalDate!) { postponePatient(coi: $coi, until: $until, reason: "Chest infection") { coi } }`, {
      coi: postponed,
      until: addDays(booked.plan.collectionDays[0]!, 14),
    });
    const other = await api.gql(REFER, { input: { ...referral('CONSOLE-OTHER-TRUST'), referringTrust: 'RRK', homeDistrict: demoHomeDistrict('RRK01'), treatmentCentre: 'RRK01' } }, AS_OTHER_TRUST);
    expect(other.errors).toBeUndefined();
    await eventually(async () => {
      const { data } = await api.gql<{ atRiskPathways: { edges: { node: { pathway: { coi: string } } }[] } }>(`{ atRiskPathways { edges { node { pathway { coi } } } } }`, {}, AS_SCHEDULER);
      if (!data!.atRiskPathways.edges.some((e) => e.node.pathway.coi === postponed)) throw new Error('not yet at risk');
    });
    browser = await launchBrowser();
    page = await openPage(browser, pageErrors, { timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('asks who is signing in before showing any patient, on an accessible page', async () => {
    await page.goto(`${base}/patients`);
    await page.getByRole('heading', { name: 'Sign in to Bedside' }).waitFor();
    expect(await page.getByText('CONSOLE-WAITING').count()).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'sign-in');
  });

  it('refuses a scheduler without a trust, saying what to give, and signs in one with a trust', async () => {
    await page.getByLabel('Trust scheduler').check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('A scheduler books for a trust: give its ODS code, such as RBV.').waitFor();

    await page.getByLabel('Trust', { exact: true }).fill('RBV');
    await page.getByLabel('Your name or email (optional)').fill('coordinator@rbv');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Patients referred by RBV' }).waitFor();
    expect(await page.getByTestId('signed-in-as').innerText()).toBe('coordinator@rbv, Trust scheduler for RBV');
  });

  it("lists the trust's own patients only, the one at risk first with why, in UK time", async () => {
    const rows = page.getByTestId('patient-row');
    await page.getByTestId('patient-count').getByText('2 patients, 1 at risk').waitFor();
    const texts = await rows.allInnerTexts();
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain('CONSOLE-POSTPONED');
    expect(texts[0]).toContain('At risk');
    expect(texts[0]).toMatch(/postpone/i);
    expect(texts[1]).toContain('CONSOLE-WAITING');
    expect(texts[1]).toContain(waiting);
    expect(texts.join('\n')).not.toContain('CONSOLE-OTHER-TRUST');
    expect(await page.getByRole('columnheader', { name: 'Referred (UK time)' }).count()).toBe(1);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'patients');
  });

  it('finds a patient by reference, and filters by status through the API', async () => {
    const rows = page.getByTestId('patient-row');
    await page.getByLabel('Patient reference or Chain of Identity').fill('waiting');
    await page.getByTestId('patient-count').getByText('1 patient').waitFor();
    expect(await rows.allInnerTexts()).toEqual([expect.stringContaining('CONSOLE-WAITING')]);

    await page.getByLabel('Patient reference or Chain of Identity').fill('');
    await page.getByLabel('Status').selectOption({ label: 'Booked' });
    await page.getByTestId('patient-count').getByText('1 patient, 1 at risk').waitFor();
    expect(await rows.allInnerTexts()).toEqual([expect.stringContaining('CONSOLE-POSTPONED')]);
  });

  it('signs out, and the patients are gone until someone signs in again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Bedside' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to Bedside' }).waitFor();
    expect(await page.getByTestId('patient-row').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});

function referral(patientRef: string) {
  return { patientRef, homeDistrict: 'M20', referringTrust: 'RBV', productCode: 'POC-CAR19', treatmentCentre: 'RBV01', washout: { drugClass: 'NONE' }, priority: 'ROUTINE' };
}
