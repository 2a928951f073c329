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
    infusionDay: string;
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
export async function referAndBook(api: TestApi, patientRef: string, productCode = 'POC-CAR19', treatmentCentre = 'RBV01'): Promise<BookedPathway> {
  const { referPatient } = await step<{ referPatient: { coi: string } }>(api, `mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`, {
    input: { patientRef, referringTrust: 'RBV', productCode, treatmentCentre, washout: { drugClass: 'NONE' }, priority: 'URGENT' },
  });
  const coi = referPatient.coi;
  const { planOptions } = await step<{ planOptions: BookedPathway['plan'][] }>(
    api,
    `query($coi: ID!) { planOptions(input: { coi: $coi }) { unitId unitSiteCode apheresisCentre treatmentCentre collectionDays infusionDay slots { resourceKey day session } steps { kind siteCode start end } } }`,
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
