import type { Page } from 'playwright-core';
import { plannedSteps, referAndBook, regimenOf, type BookedPathway, type PlannedStep } from '../support/pathway-steps';
import { accessibilityViolations, type ConsoleUnderTest, describeInBrowser, RBV_SCHEDULER, screenshot, signIn, startConsole } from '../support/browser';
import { AS_SCHEDULER, type TestApi } from '../support/test-api';

/**
 * Issue 15 §3: a scheduler records each clinical step of a booked pathway in the console, the step due
 * offered first, from collection to discharge, at the plan's own instants (the API's clock moved to each);
 * a refusal is shown in the API's words and records nothing. Driven in Debian's Chromium against the API.
 */
interface Open {
  step: string;
  due: boolean;
  handover: string | null;
  conditioningDay: number | null;
}
const PATHWAY = `query($coi: ID!) { pathway(coi: $coi) { status stepsOpen { step due handover conditioningDay } recordedSteps { step occurredAt recordedBy } } }`;
/** A planned step as the console names it (words.ts openStepWords). */
const WORDS: Record<PlannedStep['name'], (s: PlannedStep) => string> = {
  COLLECTION: () => 'Cells collected',
  SHIPPED: () => 'Cells handed to the courier (shipped)',
  RECEIVED: () => 'Cells received at the unit',
  MANUFACTURE_STARTED: () => 'Manufacture started',
  MANUFACTURED: () => 'Manufacture completed',
  RELEASED: () => 'Product released by QC (signed by you)',
  AVAILABILITY_CONFIRMED: () => 'Product availability confirmed',
  CONDITIONING_STARTED: () => 'Conditioning started',
  DOSE: (s) => `Conditioning dose given, day ${s.variables.day as number}`,
  THAWED: () => 'Product thawed at the bedside',
  INFUSED: () => 'Infused',
  DISCHARGED: () => 'Discharged from monitoring',
};
/** An instant as a person types it into the form: UK wall-clock time, to the minute. */
const ukTyped = (instant: Date) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(instant).replace(' ', 'T');
const HOUR_MS = 3_600_000;
/** A radio as the browser has it (the tests' own types hold no DOM). */
type Radio = { checked: boolean; labels: { textContent: string | null }[] | null };

describeInBrowser('the console: recording the clinical steps of a booked pathway', () => {
  let api: TestApi;
  let page: Page;
  let base: string;
  let booked: BookedPathway;
  let steps: PlannedStep[];
  let pageErrors: string[];
  let under: ConsoleUnderTest;
  const pathway = async () =>
    (await api.gql<{ pathway: { status: string; stepsOpen: Open[]; recordedSteps: { step: string; occurredAt: string; recordedBy: string }[] } }>(PATHWAY, { coi: booked.coi }, AS_SCHEDULER)).data!.pathway;
  const form = () => page.getByRole('region', { name: 'Record a step' });

  /** The API's clock moved on to when the step happens; signed in again (a sign-in lasts 8 h of the API's clock, and a release is signed after a recent one); the patient's page opened. */
  async function at(instant: Date): Promise<void> {
    if (api.clock.now().getTime() < instant.getTime()) api.clock.set(instant);
    await signIn(page, base, RBV_SCHEDULER);
    await page.goto(`${base}/patients/${booked.coi}`);
    await form().waitFor();
  }
  /** Fills what the step asks that the plan does not say, as the person at the bench would. */
  async function fill(s: PlannedStep): Promise<void> {
    if (s.name === 'SHIPPED' || s.name === 'RECEIVED') {
      await form().getByLabel('Handed over by').fill(s.name === 'SHIPPED' ? 'apheresis nurse' : 'courier');
      await form().getByLabel('Received by').fill(s.name === 'SHIPPED' ? 'courier' : 'unit operator');
      await form().getByLabel('Condition on handover').fill('2-8 °C, seal intact');
    }
    if (s.name === 'SHIPPED' || s.name === 'RECEIVED' || s.name === 'INFUSED') await form().getByLabel(/^Chain of Identity on the (product )?label$/).fill(booked.coi);
  }
  async function record(s: PlannedStep): Promise<void> {
    await form().getByRole('button', { name: `Record: ${WORDS[s.name](s)}` }).click();
    await page.getByTestId('step-recorded').getByText(`Recorded: ${WORDS[s.name](s)}.`).waitFor();
  }

  beforeAll(async () => {
    under = await startConsole({
      given: async (api) => {
        booked = await referAndBook(api, 'STEPS-1');
        steps = plannedSteps(booked, await regimenOf(api, booked.coi));
      },
    });
    ({ api, page, base, pageErrors } = under);
  });
  afterAll(() => under?.close());

  it('offers the step due first, and records a late collection only with the reason, at the UK time typed', async () => {
    const collection = steps[0]!;
    expect(collection.name).toBe('COLLECTION');
    // Recorded two hours after the session ended.
    await at(new Date(collection.at.getTime() + 2 * HOUR_MS));
    const offered = await form()
      .getByRole('radio')
      .evaluateAll((radios) => (radios as unknown as Radio[]).map((r) => ({ label: r.labels?.[0]?.textContent ?? '', checked: r.checked })));
    const open = (await pathway()).stepsOpen;
    expect(offered).toHaveLength(open.length);
    expect(offered[0]).toEqual({ label: 'Cells collected Due', checked: true });
    expect(offered.at(-1)!.label).toBe('Pathway withdrawn (or the patient died)');
    // The plan says where; the scheduler says when it happened, in UK time.
    expect(await form().getByLabel('Site code').inputValue()).toBe(booked.plan.apheresisCentre);
    // A yield typed in words is said back, not recorded as "no yield".
    await form().getByLabel('CD3+ yield, ×10⁹ cells (optional)').fill('plenty');
    await form().getByRole('button', { name: 'Record: Cells collected' }).click();
    await page.getByRole('alert').getByText('Give the CD3+ yield as a number, for example 2.5.').waitFor();
    await form().getByLabel('CD3+ yield, ×10⁹ cells (optional)').fill('2.4');
    await form().getByLabel('When it happened (UK time, optional)').fill(ukTyped(collection.at));
    await form().getByRole('button', { name: 'Record: Cells collected' }).click();
    const refusal = page.getByRole('alert');
    await refusal.getByText('Cells collected was not recorded').waitFor();
    expect(await refusal.innerText()).toMatch(/Collection is recorded 2 h after it happened: say why \(lateReason\)\./);
    expect((await pathway()).status).toBe('BOOKED');
    expect(await accessibilityViolations(page)).toEqual([]);

    // Typed key by key, as a person types: the refusal above keeps the focus only until they start.
    await form().getByLabel('Why it is recorded late').click();
    await page.keyboard.type('Apheresis ran over; recorded after the clinic');
    expect(await form().getByLabel('Why it is recorded late').inputValue()).toBe('Apheresis ran over; recorded after the clinic');
    await record(collection);
    const after = await pathway();
    expect(after.status).toBe('COLLECTED');
    expect(after.recordedSteps).toEqual([{ step: 'CollectionRecorded', occurredAt: collection.at.toISOString(), recordedBy: 'coordinator@rbv' }]);
  });

  it('stops a handover whose label is not this patient’s, in the API’s words, and records nothing', async () => {
    const shipped = steps[1]!;
    await at(shipped.at);
    await fill(shipped);
    await form().getByLabel('Chain of Identity on the label').fill('B000126900001J');
    await form().getByRole('button', { name: `Record: ${WORDS.SHIPPED(shipped)}` }).click();
    await page.getByRole('alert').getByText(/Chain of Identity mismatch at the dispatch handover: the label reads B000126900001J but this pathway is/).waitFor();
    expect((await pathway()).status).toBe('COLLECTED');
    // What was typed stays: the label read again, the handover goes through.
    expect(await form().getByLabel('Handed over by').inputValue()).toBe('apheresis nurse');
    await form().getByLabel('Chain of Identity on the label').fill(booked.coi);
    await record(shipped);
    expect((await pathway()).status).toBe('IN_TRANSIT');
  });

  it('records every later step of the plan at its instant, each the one due, to infusion and discharge', async () => {
    for (const s of steps.slice(2)) {
      await at(s.at);
      const checked = form().getByRole('radio', { checked: true });
      expect({ before: s.name, checked: await checked.evaluate((r) => (r as unknown as Radio).labels?.[0]?.textContent) }).toEqual({ before: s.name, checked: `${WORDS[s.name](s)} Due` });
      if (s.name === 'MANUFACTURE_STARTED') expect(await form().getByLabel('Modular unit').inputValue()).toBe(booked.plan.unitId);
      if (s.name === 'INFUSED') await screenshot(page, 'record-step');
      await fill(s);
      await record(s);
    }
    const done = await pathway();
    expect(done.status).toBe('DISCHARGED');
    expect(done.stepsOpen).toEqual([]);
    expect(done.recordedSteps.map((r) => r.step)).toContain('PatientInfused');
    // Discharged: nothing more is offered.
    expect(await form().count()).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
