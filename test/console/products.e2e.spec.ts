import type { Page } from 'playwright-core';
import { addDays, localDateOf } from '@bedside/shared';
import { accessibilityViolations, type ConsoleUnderTest, CONTROL_SITE_QA, describeInBrowser, screenshot, startConsole } from '../support/browser';
import { AS_QA, type TestApi } from '../support/test-api';

/**
 * Issue 15 §5: Control Site QA compares a product's DMMF versions side by side, the changed values
 * marked, and reads the deployments of mobile units in force; both as the API records them.
 */
const PROCESS = `productCode name startingMaterial maxFreshHoldHours apheresisSessions apheresisHoursPerSession manufactureDays qcMethod qcReleaseDays shelfLifeHours conditioningRegimen conditioningDays infusionWindowMinDays infusionWindowMaxDays conditioningGate reconditionAfterDays monitoringInpatientDays stayWithinReachDays stayWithinReachMinutes icuReserveProbability`;

describeInBrowser('the console: DMMF versions side by side, and deployments', () => {
  let api: TestApi;
  let page: Page;
  let pageErrors: string[];
  let under: ConsoleUnderTest;

  beforeAll(async () => {
    under = await startConsole({ who: CONTROL_SITE_QA });
    ({ api, page, pageErrors } = under);
  });
  afterAll(() => under?.close());

  it('shows every version of a product, oldest first, with exactly the changed values marked', async () => {
    const { dmmf } = (await api.gql<{ dmmf: { version: number; designation: { siteCodes: string[]; unitIds: string[] }; process: Record<string, unknown> } }>(
      `{ dmmf(productCode: "POC-CAR19") { version designation { siteCodes unitIds } process { ${PROCESS} } } }`,
      {},
      AS_QA,
    )).data!;
    const published = await api.gql<{ publishDmmfVersion: { version: number } }>(
      `mutation($input: DmmfVersionInput!) { publishDmmfVersion(input: $input) { version } }`,
      { input: { process: { ...dmmf.process, shelfLifeHours: (dmmf.process.shelfLifeHours as number) + 24 }, designation: dmmf.designation, reason: 'Stability study extends the shelf life by a day' } },
      AS_QA,
    );
    expect(published.errors).toBeUndefined();
    const { edges } = (await api.gql<{ dmmfVersions: { edges: { node: { version: number } }[] } }>(`{ dmmfVersions(productCode: "POC-CAR19") { edges { node { version } } } }`, {}, AS_QA)).data!.dmmfVersions;

    await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Products (DMMF)' }).click();
    await page.getByLabel('Product').selectOption('POC-CAR19');
    const table = page.getByTestId('dmmf-versions');
    await table.getByRole('columnheader', { name: `Version ${published.data!.publishDmmfVersion.version}` }).waitFor();
    const headers = await table.getByRole('columnheader').allInnerTexts();
    expect(headers.slice(1)).toEqual(edges.map((e) => e.node.version).sort((a, b) => a - b).map((v) => `Version ${v}`));
    // Only the shelf life changed from the version before, and it is marked so.
    const changed = await table.getByTestId('dmmf-row').filter({ hasText: 'changed' }).allInnerTexts();
    expect(changed.map((row) => row.split('\t')[0])).toEqual(['Shelf life (hours)']);
    expect(changed[0]).toContain(`${(dmmf.process.shelfLifeHours as number) + 24} changed`);
    expect(await table.innerText()).toContain('Stability study extends the shelf life by a day');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'dmmf-versions');
  });

  it('lists a deployment as the API records it: where, when it leaves, when it makes product again, and why', async () => {
    const leavesOn = addDays(localDateOf(api.clock.now(), 'Europe/London'), 14);
    const deployed = await api.gql<{ deployUnit: { id: string; availableFrom: string } }>(
      `mutation($input: DeployUnitInput!) { deployUnit(input: $input) { id availableFrom } }`,
      { input: { unitId: 'MCT-01', toSiteCode: 'RBV01', leavesOn, requalificationDays: 7, reason: 'CAR-T surge in the North West' } },
      AS_QA,
    );
    expect(deployed.errors).toBeUndefined();
    await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Deployments' }).click();
    await page.getByTestId('deployment-count').getByText('1 deployment in force.').waitFor();
    const row = await page.getByTestId('deployment-row').innerText();
    const day = (d: string) => new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', dateStyle: 'medium' }).format(new Date(`${d}T00:00:00Z`));
    expect(row).toContain('MCT-01');
    expect(row).toContain('CTL01 to RBV01');
    expect(row).toContain(day(leavesOn));
    expect(row).toContain(day(deployed.data!.deployUnit.availableFrom));
    expect(row).toContain('7 to requalify (days)');
    expect(row).toContain('CAR-T surge in the North West');
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
