import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { runMigrations } from '@bedside/database';
import { EVENT_STORE, type EventStore } from '@bedside/event-store';
import { DEMO_CENTRES, demoHomeDistrict, seedDemoNetwork } from '@bedside/network';
import { ProjectionEngine, ProjectionRegistry } from '@bedside/read-model';
import { AppModule } from '../../apps/api/src/app.module';
import { MIGRATIONS } from '../../apps/api/src/migrations';

/** Seeds `scale` copies of the demo network through the ordinary commands, with every read model built. */
export async function seedNetwork(databaseUrl: string, today: string, scale: number, log: (line: string) => void): Promise<void> {
  await runMigrations(databaseUrl, MIGRATIONS);
  let app: INestApplicationContext | undefined;
  try {
    app = await NestFactory.createApplicationContext(
      AppModule.forRoot({ databaseUrl, runProjections: true, serveGraphQL: false, graphiql: false, projectionPollIntervalMs: 100, holdExpirySweepMs: 0 }),
      { logger: ['error', 'warn'] },
    );
    const store = app.get<EventStore>(EVENT_STORE);
    await seedDemoNetwork(app.get(CommandBus), store, { from: today, scale, log: (line) => log(`  ${line}`) });
    const reached = await app.get(ProjectionEngine).waitFor(app.get(ProjectionRegistry).names(), await store.lastRecordedPosition(), 120_000);
    if (!reached) throw new Error('read models did not catch up with the seeded network within 120 s');
  } finally {
    await app?.close();
  }
}

type Gql = <T>(query: string, variables?: Record<string, unknown>) => Promise<T>;

/**
 * Bookings through the API as schedulers make them: one patient per demo centre (so the dashboard's
 * utilisation has bookings to count), and the scheduler's own patient at The Christie, collected and
 * in manufacture, so its timeline has steps done, under way and planned. Returns that patient's COI.
 */
export async function bookPatients(gql: Gql, log: (line: string) => void): Promise<string> {
  let patient = '';
  for (const [i, centre] of DEMO_CENTRES.entries()) {
    const { referPatient } = await gql<{ referPatient: { coi: string } }>(`mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`, {
      input: { patientRef: `BENCH-API-${i}`, homeDistrict: demoHomeDistrict(centre.code), referringTrust: centre.trustCode, productCode: 'POC-CAR19', treatmentCentre: centre.code, washout: { drugClass: 'NONE' }, priority: 'URGENT' },
    });
    const coi = referPatient.coi;
    const { planOptions } = await gql<{ planOptions: { apheresisCentre: string; unitId: string; unitSiteCode: string; slots: unknown[] }[] }>(
      `query($coi: ID!) { planOptions(input: { coi: $coi, count: 1 }) { apheresisCentre unitId unitSiteCode slots { resourceKey day session } } }`,
      { coi },
    );
    const plan = planOptions[0];
    if (!plan) throw new Error(`no plan for the benchmark patient at ${centre.code}`);
    const { holdPlan } = await gql<{ holdPlan: { id: string } }>(`mutation($input: HoldPlanInput!) { holdPlan(input: $input) { id } }`, {
      input: { coi, slots: plan.slots, idempotencyKey: `bench-api-${i}` },
    });
    await gql(`mutation($id: ID!) { confirmHold(holdId: $id, idempotencyKey: "confirm") { status } }`, { id: holdPlan.id });
    if (centre.code === 'RBV01') {
      patient = coi;
      await gql(`mutation($coi: ID!, $site: String!) { recordCollection(input: { coi: $coi, siteCode: $site, sessions: 1 }) { status } }`, { coi, site: plan.apheresisCentre });
      const handover = `mutation($input: HandoverInput!) { recordHandover(input: $input) { status } }`;
      await gql(handover, { input: { coi, handover: 'SHIPPED', from: 'apheresis nurse', to: 'courier', siteCode: plan.apheresisCentre, condition: '2-8 °C, seal intact', scannedCoi: coi } });
      await gql(handover, { input: { coi, handover: 'RECEIVED', from: 'courier', to: 'unit operator', siteCode: plan.unitSiteCode, condition: '2-8 °C, seal intact', scannedCoi: coi } });
      await gql(`mutation($coi: ID!, $unit: String!, $site: String!) { startManufacture(coi: $coi, input: { siteCode: $site, unitId: $unit }) { status } }`, { coi, unit: plan.unitId, site: plan.unitSiteCode });
    }
  }
  log(`booked ${DEMO_CENTRES.length} patients through the API; the scheduler's patient ${patient} is collected and in manufacture`);
  return patient;
}
