import { unsafeUniformIntDistribution, xoroshiro128plus } from 'pure-rand';
import { DEMO_PRODUCTS } from '@bedside/network';
import type { FreeSlot } from '@bedside/pathways/domain';
import { addDays, instantAt, type LocalDate } from '@bedside/shared';
import { limitKind, simulateWhatIf, type WhatIfNetwork, type WhatIfReferral } from './cart-what-if';

const ZONE = 'Europe/London';
const START = '2027-01-04' as LocalDate;
const POC = DEMO_PRODUCTS[0]!.process;

/**
 * One treatment centre with more chairs and beds than patients can use, every day, and `units` one-batch
 * units: manufacturing bays are the only thing patients queue for.
 */
function centreWithUnits(units: number, days: number): WhatIfNetwork {
  const slots: FreeSlot[] = [];
  const site = (resource: string, day: LocalDate, session: string, start: string, end: string, free: number): FreeSlot => ({
    resourceKey: `site:C1:${resource}`,
    siteCode: 'C1',
    unitId: null,
    resource: resource as FreeSlot['resource'],
    day,
    session,
    startsAt: instantAt(day, start, ZONE),
    endsAt: instantAt(end === '24:00' ? addDays(day, 1) : day, end === '24:00' ? '00:00' : end, ZONE),
    free,
  });
  for (let d = 0; d < days; d++) {
    const day = addDays(START, d);
    slots.push(site('APHERESIS_CHAIR', day, 'AM', '08:00', '13:00', 50), site('APHERESIS_CHAIR', day, 'PM', '13:30', '18:00', 50));
    slots.push(site('CONDITIONING_CHAIR', day, 'AM', '09:00', '13:00', 50), site('CONDITIONING_CHAIR', day, 'PM', '13:30', '17:30', 50));
    for (const bed of ['INFUSION_BED', 'MONITORING_BED', 'ICU_BED']) slots.push(site(bed, day, '', '00:00', '24:00', 200));
    for (let u = 1; u <= units; u++) {
      slots.push({ resourceKey: `unit:U${u}`, siteCode: 'C1', unitId: `U${u}`, resource: 'MANUFACTURING_BAY', day, session: '', startsAt: instantAt(day, '00:00', ZONE), endsAt: instantAt(addDays(day, 1), '00:00', ZONE), free: 1 });
    }
  }
  const search = {
    process: POC,
    designatedUnits: Array.from({ length: units }, (_, u) => ({ unitId: `U${u + 1}`, siteCode: 'C1' })),
    treatmentCentres: ['C1'],
    travelHours: () => undefined,
    freshCourier: () => false,
  };
  return { searches: new Map([[POC.productCode, search]]), slots };
}

/** Poisson arrivals: `perDay` on average, each day, for `days` days (Knuth's method on a seeded generator). */
function poissonReferrals(perDay: number, days: number, seed: number): WhatIfReferral[] {
  const rng = xoroshiro128plus(seed);
  const uniform = () => (unsafeUniformIntDistribution(0, 2 ** 30 - 1, rng) + 0.5) / 2 ** 30;
  const referrals: WhatIfReferral[] = [];
  for (let d = 0; d < days; d++) {
    let count = 0;
    for (let p = uniform(); p > Math.exp(-perDay); p *= uniform()) count++;
    for (let i = 0; i < count; i++) referrals.push({ id: `R${referrals.length}`, productCode: POC.productCode, day: addDays(START, d), preferredCentre: 'C1' });
  }
  return referrals;
}

/** Erlang C: the chance an arrival waits, for c servers offered a erlangs (a < c). */
function erlangC(c: number, a: number): number {
  let term = 1;
  let sum = 1;
  for (let k = 1; k < c; k++) {
    term *= a / k;
    sum += term;
  }
  const last = ((term * a) / c) * (c / (c - a));
  return last / (sum + last);
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('what limited a plan, in kinds', () => {
  it.each([
    ['unit MU-1 busy on 2027-01-04, 2027-01-05; with it free, infusion could be on 2027-01-12', 'manufacturing bays'],
    ['apheresis chairs at RBV01 full on 2027-01-04 AM; with them free, infusion could be on 2027-01-12', 'apheresis chairs'],
    ['washout: no collection before 2027-01-04', 'nothing (planned from the day of referral)'],
    ['capacity at several steps together (unit U1 busy on 2027-01-04); with all of it free, infusion could be on 2027-01-12', 'capacity at several steps together'],
  ])('%s is %s', (words, kind) => {
    expect(limitKind(words)).toBe(kind);
  });
});

describe('the CAR-T what-if, through the real plan search', () => {
  it('plans a lone patient as soon as the process allows, and infuses them', () => {
    const outcome = simulateWhatIf(centreWithUnits(1, 60), [{ id: 'R1', productCode: POC.productCode, day: START, preferredCentre: 'C1' }], { attrition: 0, batchFailure: 0, horizonDays: 120, seed: 1, until: addDays(START, 59) });
    expect(outcome).toMatchObject({ referred: 1, infused: 1, lostAfterCollection: 0, failedBatches: 0, stillWaiting: 0, waitForManufactureDays: [0] });
    expect(outcome.veinToVeinDays).toEqual([POC.manufactureDays + POC.qcReleaseDays + 0]);
  });

  it('reproduces queueing theory for one product and one unit kind: the mean wait for a bay is the M/D/c value (Erlang C, halved for a fixed service time) within 25%', () => {
    const units = 3;
    const days = 3000;
    const network = centreWithUnits(units, days + 200);
    // How many bay days one batch holds: the service time.
    const lone = simulateWhatIf(network, [{ id: 'R1', productCode: POC.productCode, day: START, preferredCentre: 'C1' }], { attrition: 0, batchFailure: 0, horizonDays: 120, seed: 1, until: addDays(START, 100) });
    const service = lone.utilisation.filter((u) => u.unitId).reduce((sum, u) => sum + u.booked, 0);
    const perDay = (0.75 * units) / service;
    const referrals = poissonReferrals(perDay, days, 42);
    const outcome = simulateWhatIf(network, referrals, { attrition: 0, batchFailure: 0, horizonDays: 180, seed: 1, until: addDays(START, days + 199) });
    const a = perDay * service;
    const theory = (erlangC(units, a) * service) / (units - a) / 2;
    const observed = mean(outcome.waitForManufactureDays);
    expect(outcome.infused).toBe(referrals.length);
    expect(Math.abs(observed - theory) / theory).toBeLessThan(0.25);
    // Nothing but the bays binds here, and the run says so in words.
    expect(outcome.bottleneck).toMatch(/^\d+% of plans were limited by (manufacturing bays|nothing \(planned from the day of referral\)); the busiest resource was unit U\d, \d+% booked\.$/);
  });

  it('counts a patient planned to be collected after the scenario ends as still waiting, not infused', () => {
    // One unit: the second patient of the day waits a whole batch for it, past the scenario's last day.
    const referrals = ['R1', 'R2'].map((id) => ({ id, productCode: POC.productCode, day: START, preferredCentre: 'C1' }));
    const outcome = simulateWhatIf(centreWithUnits(1, 60), referrals, { attrition: 0, batchFailure: 0, horizonDays: 120, seed: 1, until: addDays(START, 3) });
    expect(outcome).toMatchObject({ referred: 2, infused: 1, lostAfterCollection: 0, stillWaiting: 1 });
    expect(outcome.veinToVeinDays).toHaveLength(1);
  });

  it('counts a patient whose batch failed, and who is not collected again before the end, as still waiting', () => {
    const referrals = [{ id: 'R1', productCode: POC.productCode, day: START, preferredCentre: 'C1' }];
    const outcome = simulateWhatIf(centreWithUnits(1, 90), referrals, { attrition: 0, batchFailure: 1, horizonDays: 60, seed: 1, until: addDays(START, 40) });
    expect(outcome.failedBatches).toBeGreaterThan(0);
    expect(outcome).toMatchObject({ referred: 1, infused: 0, lostAfterCollection: 0, stillWaiting: 1 });
  });

  it('gives the same outcome for the same seed, and loses patients and batches at the rates asked', () => {
    const network = centreWithUnits(4, 500);
    const referrals = poissonReferrals(0.2, 400, 7);
    const params = { attrition: 0.2, batchFailure: 0.05, horizonDays: 120, seed: 11, until: addDays(START, 499) };
    const first = simulateWhatIf(network, referrals, params);
    expect(simulateWhatIf(network, referrals, params)).toEqual(first);
    expect(first.lostAfterCollection / referrals.length).toBeGreaterThan(0.1);
    expect(first.lostAfterCollection / referrals.length).toBeLessThan(0.3);
    expect(first.failedBatches).toBeGreaterThan(0);
    expect(first.infused + first.lostAfterCollection + first.stillWaiting).toBe(referrals.length);
    expect(first.bottleneck).toMatch(/% of plans were limited by .*; the busiest resource was /);
  });
});
