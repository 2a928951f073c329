import type { Page } from 'playwright-core';
import { describeInBrowser, RBV_SCHEDULER, startConsole, type ConsoleUnderTest } from '../support/browser';
import { AS_SCHEDULER, type TestApi } from '../support/test-api';

/**
 * Issue 15 §7 (WCAG 2.2 AA 2.1.1 Keyboard, 2.4.7 Focus visible): a scheduler refers a patient, holds a
 * plan, books it and records its first step with the keyboard alone, in Debian's Chromium; every element
 * the Tab key stops on shows where the focus is.
 */
interface Focused {
  label: string;
  tag: string;
  visible: boolean;
}
/** What has the focus: its label (or its own words), and whether the focus is drawn (an outline or a focus shadow). */
const FOCUSED = `(() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const named = (e.labels && e.labels[0] ? e.labels[0].textContent : '') || e.getAttribute('aria-label') || e.textContent || '';
  const outlined = s.outlineStyle !== 'none' && s.outlineWidth !== '0px' && !/rgba\\(0, 0, 0, 0\\)|transparent/.test(s.outlineColor);
  return { label: named.replace(/\\s+/g, ' ').trim(), tag: e.tagName.toLowerCase(), visible: outlined || s.boxShadow !== 'none' };
})()`;

describeInBrowser('the console with the keyboard alone', () => {
  let api: TestApi;
  let page: Page;
  let under: ConsoleUnderTest;
  /** Every stop the Tab key made, to check each showed its focus. */
  const stops: Focused[] = [];

  beforeAll(async () => {
    under = await startConsole({ who: RBV_SCHEDULER });
    ({ api, page } = under);
  });
  afterAll(() => under?.close());

  /** Presses Tab until the element named has the focus (a fault if it never does within 80 presses). */
  async function tabTo(name: string): Promise<void> {
    for (let i = 0; i < 80; i += 1) {
      await page.keyboard.press('Tab');
      const focused = (await page.evaluate(FOCUSED)) as Focused | null;
      if (!focused) continue;
      stops.push(focused);
      if (focused.label === name) return;
    }
    throw new Error(`Tab never reached "${name}"`);
  }
  const pathway = async () => (await api.gql<{ pathways: { edges: { node: { coi: string; status: string } }[] } }>(`{ pathways { edges { node { coi status } } } }`, {}, AS_SCHEDULER)).data!.pathways.edges.map((e) => e.node);

  it('refers a patient, holds and books a plan, and records the collection, with the keyboard alone', async () => {
    await tabTo('Refer a patient');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Refer a patient' }).waitFor();
    await tabTo('Patient reference');
    await page.keyboard.type('KEYS-1');
    await tabTo('Home postcode district');
    await page.keyboard.type('M20');
    // Radios: Tab reaches the chosen one, the arrow keys choose another.
    await tabTo('Routine');
    await page.keyboard.press('ArrowRight');
    expect(await page.getByLabel('Urgent').isChecked()).toBe(true);
    await tabTo('Refer');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'KEYS-1' }).waitFor();

    await page.getByTestId('plan-option').first().waitFor();
    await tabTo('Hold plan 1');
    await page.keyboard.press('Enter');
    await page.getByTestId('held-plan').waitFor();
    await tabTo('Confirm booking');
    await page.keyboard.press('Enter');
    await page.getByTestId('pathway-status').getByText('Booked').waitFor();
    expect(await pathway()).toEqual([{ coi: expect.any(String), status: 'BOOKED' }]);

    // The collection is the step due, chosen already: Tab reaches it, then the button that records it.
    await tabTo('Cells collected Due');
    await tabTo('Record: Cells collected');
    await page.keyboard.press('Enter');
    await page.getByTestId('step-recorded').getByText('Recorded: Cells collected.').waitFor();
    expect((await pathway())[0]!.status).toBe('COLLECTED');

    expect(stops.length).toBeGreaterThan(10);
    expect(stops.filter((s) => !s.visible)).toEqual([]);
  });
});
