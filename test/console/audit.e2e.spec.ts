import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { accessibilityViolations, type ConsoleUnderTest, CONTROL_SITE_QA, describeInBrowser, screenshot, startConsole } from '../support/browser';
import { AS_QA, type TestApi } from '../support/test-api';

/** Issue 15 §5: Control Site QA reads a stream's audit trail in the console and saves it as CSV. */
describeInBrowser('the console: the audit trail and its CSV', () => {
  let api: TestApi;
  let page: Page;
  let pageErrors: string[];
  let under: ConsoleUnderTest;

  beforeAll(async () => {
    under = await startConsole({ who: CONTROL_SITE_QA, acceptDownloads: true });
    ({ api, page, pageErrors } = under);
  });
  afterAll(() => under?.close());

  it("shows a site's events oldest first, who did each, as the API records them", async () => {
    const { data } = await api.gql<{ auditTrail: { edges: { node: { type: string; actor: string } }[] } }>(`{ auditTrail(streamId: "site-RBV01", first: 500) { edges { node { type actor } } } }`, {}, AS_QA);
    const events = data!.auditTrail.edges.map((e) => e.node);
    await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Audit trail' }).click();
    await page.getByLabel('Stream').fill('site-RBV01');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByTestId('audit-count').getByText(`${events.length} events in site-RBV01.`).waitFor();
    const rows = await page.getByTestId('audit-row').allInnerTexts();
    expect(rows.map((r) => r.split('\t')[2])).toEqual(events.map((e) => e.type));
    expect(rows[0]).toContain(events[0]!.actor);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'audit');
  });

  it('saves the same events as the CSV an inspector is given', async () => {
    const { data } = await api.gql<{ auditTrail: { edges: unknown[] } }>(`{ auditTrail(streamId: "site-RBV01", first: 500) { edges { cursor } } }`, {}, AS_QA);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save as CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('site-RBV01.csv');
    const csv = await readFile((await download.path())!, 'utf8');
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('position,recordedAt,type,actor,role,onBehalfOf,reason,correlationId,causationId,data,eventId,signature');
    expect(lines.filter((l) => /^\d+,/.test(l))).toHaveLength(data!.auditTrail.edges.length);
  });

  it("says what to ask for when there is no such stream, in the API's words", async () => {
    await page.getByLabel('Stream').fill('site-NOPE1');
    await page.getByRole('button', { name: 'Show' }).click();
    const alert = page.getByRole('alert');
    await alert.getByText(/site-NOPE1/).waitFor();
    expect(await alert.innerText()).toContain('Stream ids look like "site-<code>".');
    expect(await page.getByTestId('audit-row').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
