import { daysBetween } from '@bedside/shared';
import { demoHomeDistrict } from '@bedside/network';
import { AS_SCHEDULER, type TestApi } from './test-api';

export interface Slot {
  resourceKey: string;
  day: string;
  session: string;
}

export interface BookedPathway {
  coi: string;
  holdId: string;
  plan: {
    unitId: string;
    unitSiteCode: string;
    apheresisCentre: string;
    treatmentCentre: string;
    collectionDays: string[];
    conditioningDays: string[];
    infusionDay: string;
    veinToVeinDays: number;
    slots: Slot[];
    steps: { kind: string; siteCode: string; start: string; end: string }[];
  };
}

/** Runs a mutation as the RBV scheduler and fails the test on any GraphQL error. */
export async function step<T = Record<string, unknown>>(api: TestApi, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const result = await api.gql<T>(query, variables, AS_SCHEDULER);
  if (result.errors) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(result.errors)}`);
  return result.data!;
}

/** Refers a patient, holds the best plan and confirms it, as a scheduler would. */
export async function referAndBook(
  api: TestApi,
  patientRef: string,
  productCode = 'POC-CAR19',
  treatmentCentre = 'RBV01',
  washout: { drugClass: string; lastDoseDate?: string } = { drugClass: 'NONE' },
): Promise<BookedPathway> {
  const { referPatient } = await step<{ referPatient: { coi: string } }>(api, `mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`, {
    input: { patientRef, homeDistrict: demoHomeDistrict(treatmentCentre), referringTrust: 'RBV', productCode, treatmentCentre, washout, priority: 'URGENT' },
  });
  const coi = referPatient.coi;
  const { planOptions } = await step<{ planOptions: BookedPathway['plan'][] }>(
    api,
    `query($coi: ID!) { planOptions(input: { coi: $coi }) { unitId unitSiteCode apheresisCentre treatmentCentre collectionDays conditioningDays infusionDay veinToVeinDays slots { resourceKey day session } steps { kind siteCode start end } } }`,
    { coi },
  );
  const plan = planOptions[0]!;
  const { holdPlan } = await step<{ holdPlan: { id: string } }>(api, `mutation($input: HoldPlanInput!) { holdPlan(input: $input) { id } }`, {
    input: { coi, slots: plan.slots, idempotencyKey: `${patientRef}-hold` },
  });
  await step(api, `mutation($id: ID!) { confirmHold(holdId: $id, idempotencyKey: "confirm") { status } }`, { id: holdPlan.id });
  return { coi, holdId: holdPlan.id, plan };
}

/** Moves the API's clock to when a step of the booked plan ends (the first of its kind): the plan's own instants. */
export function atEndOf(api: TestApi, { plan }: BookedPathway, kind: string): Date {
  const found = plan.steps.find((s) => s.kind === kind);
  if (!found) throw new Error(`The plan has no ${kind} step`);
  const end = new Date(found.end);
  api.clock.set(end);
  return end;
}

/** Collection, dispatch and receipt at the plan's unit: the fresh material is then waiting there. */
export async function collectAndDeliver(api: TestApi, { coi, plan }: BookedPathway): Promise<void> {
  await step(api, `mutation($coi: ID!, $site: String!) { recordCollection(input: { coi: $coi, siteCode: $site, sessions: 1 }) { status } }`, { coi, site: plan.apheresisCentre });
  const handover = `mutation($input: HandoverInput!) { recordHandover(input: $input) { status } }`;
  await step(api, handover, { input: { coi, handover: 'SHIPPED', from: 'apheresis nurse', to: 'courier', siteCode: plan.apheresisCentre, condition: '2-8 °C, seal intact', scannedCoi: coi } });
  await step(api, handover, { input: { coi, handover: 'RECEIVED', from: 'courier', to: 'unit operator', siteCode: plan.unitSiteCode, condition: '2-8 °C, seal intact', scannedCoi: coi } });
}

/** Manufacture starts on the plan's unit. */
export async function startManufacture(api: TestApi, { coi, plan }: BookedPathway): Promise<void> {
  await step(api, `mutation($coi: ID!, $unit: String!, $site: String!) { startManufacture(coi: $coi, input: { siteCode: $site, unitId: $unit }) { status } }`, { coi, unit: plan.unitId, site: plan.unitSiteCode });
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** What of the product's process the steps follow: the regimen's day labels and the gate before conditioning. */
export interface Regimen {
  readonly conditioningDays: readonly number[];
  readonly conditioningGate: 'RELEASE_BEFORE_CONDITIONING' | 'CONDITIONING_DURING_MANUFACTURE';
  /** Frozen product: minutes from thaw to infusion (null: not frozen, no thaw). */
  readonly thawedShelfLifeMinutes?: number | null;
}

/** Both demo products condition on days -5, -4 and -3; the fresh one during manufacture. */
export const DEMO_FRESH_REGIMEN: Regimen = { conditioningDays: [-5, -4, -3], conditioningGate: 'CONDITIONING_DURING_MANUFACTURE' };

/** The regimen of the DMMF version a pathway is pinned to. */
export async function regimenOf(api: TestApi, coi: string): Promise<Regimen> {
  const { pathway } = await step<{ pathway: { productCode: string; dmmfVersion: number } }>(api, `query($coi: ID!) { pathway(coi: $coi) { productCode dmmfVersion } }`, { coi });
  const { dmmf } = await step<{ dmmf: { process: Regimen } }>(api, `query($p: ID!, $v: Int) { dmmf(productCode: $p, version: $v) { process { conditioningDays conditioningGate thawedShelfLifeMinutes } } }`, {
    p: pathway.productCode,
    v: pathway.dmmfVersion,
  });
  return dmmf.process;
}

/** One step of a booked plan as it would be recorded, and the instant the plan has it happen. */
export interface PlannedStep {
  readonly name: 'COLLECTION' | 'SHIPPED' | 'RECEIVED' | 'MANUFACTURE_STARTED' | 'MANUFACTURED' | 'RELEASED' | 'AVAILABILITY_CONFIRMED' | 'CONDITIONING_STARTED' | 'DOSE' | 'THAWED' | 'INFUSED' | 'DISCHARGED';
  readonly at: Date;
  readonly query: string;
  readonly variables: Record<string, unknown>;
}

/**
 * Every clinical step of a booked plan at the plan's own instants (issue 11 §2), in the order they
 * happen: collection at the end of its session, handovers around the transport (or between collection
 * and manufacture when the unit is on site), manufacture over its bay days, conditioning doses on their
 * days, infusion two hours into the infusion day, discharge at the end of monitoring. Frozen product is
 * released at the end of QC and confirmed then; fresh product is confirmed as conditioning starts.
 * `regimen` is the pinned process's (regimenOf); by default the demo fresh product's.
 */
export function plannedSteps({ coi, plan }: BookedPathway, regimen: Regimen = DEMO_FRESH_REGIMEN): PlannedStep[] {
  const gate = regimen.conditioningGate;
  const of = (kind: string) => {
    const found = plan.steps.find((s) => s.kind === kind);
    return found ? { start: new Date(found.start), end: new Date(found.end) } : null;
  };
  const apheresis = of('APHERESIS')!;
  const manufacture = of('MANUFACTURE')!;
  const conditioning = of('CONDITIONING')!;
  const infusion = of('INFUSION')!;
  const transport = plan.steps.find((s) => s.kind === 'TRANSPORT' && s.siteCode === plan.unitSiteCode);
  // On site, the material is handed over after collection and no later than manufacture starts (which may be at once).
  const onSite = (minutes: number) => new Date(Math.min(apheresis.end.getTime() + minutes * MINUTE_MS, manufacture.start.getTime()));
  const shippedAt = transport ? new Date(transport.start) : onSite(15);
  const receivedAt = transport ? new Date(transport.end) : onSite(30);
  const releasedAt = of('QC_RELEASE')?.end ?? manufacture.end;
  const dischargedAt = of('MONITORING')?.end ?? new Date(infusion.end.getTime() + DAY_MS);
  const handover = `mutation($input: HandoverInput!) { recordHandover(input: $input) { status } }`;
  const at = (name: PlannedStep['name'], instant: Date, query: string, variables: Record<string, unknown> = {}): PlannedStep => ({ name, at: instant, query, variables: { coi, ...variables } });
  const steps: PlannedStep[] = [
    at('COLLECTION', apheresis.end, `mutation($coi: ID!, $site: String!) { recordCollection(input: { coi: $coi, siteCode: $site, sessions: ${plan.collectionDays.length} }) { status } }`, { site: plan.apheresisCentre }),
    at('SHIPPED', shippedAt, handover, { input: { coi, handover: 'SHIPPED', from: 'apheresis nurse', to: 'courier', siteCode: plan.apheresisCentre, condition: '2-8 °C, seal intact', scannedCoi: coi } }),
    at('RECEIVED', receivedAt, handover, { input: { coi, handover: 'RECEIVED', from: 'courier', to: 'unit operator', siteCode: plan.unitSiteCode, condition: '2-8 °C, seal intact', scannedCoi: coi } }),
    at('MANUFACTURE_STARTED', manufacture.start, `mutation($coi: ID!, $unit: String!, $site: String!) { startManufacture(coi: $coi, input: { siteCode: $site, unitId: $unit }) { status } }`, { unit: plan.unitId, site: plan.unitSiteCode }),
    at('MANUFACTURED', manufacture.end, `mutation($coi: ID!, $site: String!) { completeManufacture(coi: $coi, siteCode: $site) { status } }`, { site: plan.unitSiteCode }),
    at('RELEASED', releasedAt, `mutation($coi: ID!, $site: String!) { releaseProduct(coi: $coi, input: { siteCode: $site }) { status } }`, { site: plan.unitSiteCode }),
    at('AVAILABILITY_CONFIRMED', gate === 'RELEASE_BEFORE_CONDITIONING' ? releasedAt : conditioning.start, `mutation($coi: ID!, $site: String!) { confirmProductAvailability(coi: $coi, siteCode: $site) { status } }`, { site: plan.treatmentCentre }),
    at('CONDITIONING_STARTED', conditioning.start, `mutation($coi: ID!, $site: String!) { startConditioning(coi: $coi, siteCode: $site) { status } }`, { site: plan.treatmentCentre }),
    // Each dose on its planned day, labelled with the regimen's day (the plan may infuse later than the regimen's day 0 within the window).
    ...plan.conditioningDays.map((day, k) =>
      at('DOSE', new Date(conditioning.start.getTime() + daysBetween(plan.conditioningDays[0]!, day) * DAY_MS + 30 * MINUTE_MS), `mutation($coi: ID!, $site: String!, $day: Int!) { recordConditioningDose(coi: $coi, siteCode: $site, day: $day) { status } }`, {
        site: plan.treatmentCentre,
        day: regimen.conditioningDays[k],
      }),
    ),
    // Frozen product is thawed at the bedside a quarter of an hour before it is infused.
    ...(regimen.thawedShelfLifeMinutes
      ? [at('THAWED', new Date(infusion.start.getTime() + 2 * HOUR_MS - 15 * MINUTE_MS), `mutation($coi: ID!, $site: String!) { recordThaw(coi: $coi, siteCode: $site) { status } }`, { site: plan.treatmentCentre })]
      : []),
    at('INFUSED', new Date(infusion.start.getTime() + 2 * HOUR_MS), `mutation($input: InfusionInput!) { recordInfusion(input: $input) { status } }`, { input: { coi, siteCode: plan.treatmentCentre, productCoi: coi } }),
    at('DISCHARGED', dischargedAt, `mutation($coi: ID!, $site: String!) { dischargeFromMonitoring(coi: $coi, siteCode: $site) { status } }`, { site: plan.treatmentCentre }),
  ];
  // Stable: steps at the same instant keep the pathway's order (fresh product: released after infusion at the latest).
  return steps.map((s, i) => ({ s, i })).sort((a, b) => a.s.at.getTime() - b.s.at.getTime() || a.i - b.i).map(({ s }) => s);
}

/**
 * Records one step as the scheduler, with the API's clock moved on to when it happens (never back:
 * two steps at one instant are recorded in order).
 */
export async function recordAt<T = Record<string, unknown>>(api: TestApi, at: Date, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  if (api.clock.now().getTime() < at.getTime()) api.clock.set(at);
  return step<T>(api, query, variables);
}

/**
 * Walks a booked plan at its own instants, up to and including the step named `through` (every step
 * when not given): the clock is moved to each step's instant before it is recorded.
 */
export async function walkThePlan(api: TestApi, booked: BookedPathway, options: { through?: PlannedStep['name'] } = {}): Promise<PlannedStep[]> {
  const steps = plannedSteps(booked, await regimenOf(api, booked.coi));
  const last = options.through ? steps.findLastIndex((s) => s.name === options.through) : steps.length - 1;
  if (last < 0) throw new Error(`The plan has no ${options.through} step`);
  const walked = steps.slice(0, last + 1);
  for (const s of walked) await recordAt(api, s.at, s.query, s.variables);
  return walked;
}
