import fc from 'fast-check';
import { addDays, daysBetween, type LocalDate } from '@bedside/shared';
import type { ProductProcess, Resource } from '@bedside/network';
import { searchPlans, searchPlansUnpruned, type DesignatedUnit, type FreeSlot, type PlanSearchInput, type VeinToVeinPlan } from './plan-search';
import { judgePlanSlots, type PlanRuleError } from './plan-judgement';
import { conditioningMayStart, freshHoldEndsAt, hoursHeld, icuCover, shelfLifeEndsAt, staysWithinReach, type PatientStay } from './clinical-rules';
import {
  completeManufacture,
  confirmAvailability,
  discharge,
  evolveProgress,
  NOT_STARTED,
  recordCollection,
  recordConditioningDose,
  recordHandover,
  recordInfusion,
  releaseProduct,
  startConditioning,
  startManufacture,
  type LifecycleContext,
  type LifecycleEvent,
  type LifecycleProcess,
  type Progress,
  type UnitFacts,
  type When,
} from './lifecycle';
import type { SlotRef } from './slot';

const BASE = '2027-03-01';
const HOUR = 3_600_000;
const dayNames = new Map<number, LocalDate>();
const day = (i: number) => dayNames.get(i) ?? (dayNames.set(i, addDays(BASE, i)), dayNames.get(i)!);
const at = (d: LocalDate, time: string) => new Date(`${d}T${time}:00Z`);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);

const SESSIONS = [
  { name: 'AM', start: '08:00', end: '12:00' },
  { name: 'PM', start: '13:00', end: '17:00' },
] as const;

/** Session slots (chairs) or day slots (beds, bays) for the given day indexes; `free` decides each place. */
function slotsOf(
  site: string,
  resource: Resource,
  days: readonly number[],
  free: (d: number, session: string) => number = () => 1,
  unitId: string | null = null,
): FreeSlot[] {
  const resourceKey = unitId ? `unit:${unitId}` : `site:${site}:${resource}`;
  const sessioned = resource === 'APHERESIS_CHAIR' || resource === 'CONDITIONING_CHAIR';
  return days.flatMap((i): FreeSlot[] => {
    const d = day(i);
    if (!sessioned) return [{ resourceKey, siteCode: site, unitId, resource, day: d, session: '', startsAt: at(d, '00:00'), endsAt: at(day(i + 1), '00:00'), free: free(i, '') }];
    return SESSIONS.map((s) => ({ resourceKey, siteCode: site, unitId, resource, day: d, session: s.name, startsAt: at(d, s.start), endsAt: at(d, s.end), free: free(i, s.name) }));
  });
}

/** Every resource of a treatment centre, open every day; `full` empties chosen resources on chosen days. */
function centre(site: string, days: readonly number[], full: Partial<Record<Resource, (d: number) => boolean>> = {}): FreeSlot[] {
  const resources: Resource[] = ['APHERESIS_CHAIR', 'CONDITIONING_CHAIR', 'INFUSION_BED', 'MONITORING_BED', 'ICU_BED'];
  return resources.flatMap((r) => slotsOf(site, r, days, (d) => (full[r]?.(d) ? 0 : 1)));
}

const unit = (unitId: string, site: string, days: readonly number[], busy: (d: number) => boolean = () => false) =>
  slotsOf(site, 'MANUFACTURING_BAY', days, (d) => (busy(d) ? 0 : 1), unitId);

function routes(table: Record<string, [hours: number, fresh: boolean]>) {
  const find = (a: string, b: string) => table[`${a}-${b}`] ?? table[`${b}-${a}`];
  return { travelHours: (a: string, b: string) => find(a, b)?.[0], freshCourier: (a: string, b: string) => find(a, b)?.[1] ?? false };
}

const POC: ProductProcess = {
  productCode: 'POC-CAR19',
  name: 'Point-of-care anti-CD19 CAR-T',
  startingMaterial: 'FRESH',
  maxFreshHoldHours: 36,
  apheresisSessions: 1,
  apheresisHoursPerSession: 4,
  manufactureDays: 7,
  qcMethod: 'RAPID',
  qcReleaseDays: 3,
  shelfLifeHours: 6,
  conditioningRegimen: 'Fludarabine + cyclophosphamide',
  conditioningDays: [-5, -4, -3],
  infusionWindowMinDays: 3,
  infusionWindowMaxDays: 3,
  conditioningGate: 'CONDITIONING_DURING_MANUFACTURE',
  reconditionAfterDays: null,
  monitoringInpatientDays: 7,
  stayWithinReachDays: 28,
  stayWithinReachMinutes: 120,
  icuReserveProbability: 0.3,
};

const FROZEN: ProductProcess = {
  ...POC,
  productCode: 'CAR-FROZEN',
  name: 'Centrally made frozen CAR-T',
  startingMaterial: 'CRYOPRESERVED',
  maxFreshHoldHours: null,
  manufactureDays: 10,
  qcMethod: 'COMPENDIAL',
  qcReleaseDays: 14,
  shelfLifeHours: 24 * 365,
  infusionWindowMinDays: 2,
  infusionWindowMaxDays: 14,
  conditioningGate: 'RELEASE_BEFORE_CONDITIONING',
};

const DAYS = range(-3, 80);

function pocInput(overrides: Partial<PlanSearchInput> = {}): PlanSearchInput {
  return {
    process: POC,
    earliestCollectionDate: BASE,
    horizonDays: 60,
    free: [...centre('RBV01', DAYS), ...unit('MU-NEAR', 'NEAR', DAYS), ...unit('MU-MID', 'MID', DAYS), ...unit('MU-FAR', 'FAR', DAYS)],
    designatedUnits: [
      { unitId: 'MU-NEAR', siteCode: 'NEAR' },
      { unitId: 'MU-MID', siteCode: 'MID' },
      { unitId: 'MU-FAR', siteCode: 'FAR' },
    ],
    treatmentCentres: ['RBV01'],
    ...routes({ 'RBV01-NEAR': [1, false], 'RBV01-MID': [3, true], 'RBV01-FAR': [5, true] }),
    ...overrides,
  };
}

const key = (p: VeinToVeinPlan) => `${p.apheresisCentre}|${p.unitId}|${p.treatmentCentre}|${p.collectionDays[0]}|${p.infusionDay}`;

describe('vein-to-vein plan search: hand-made cases', () => {
  it('fresh point-of-care product goes to the nearest unit whose route takes a fresh courier, infusing on the day the batch is ready', () => {
    const { plans, reasonNone } = searchPlans(pocInput());
    expect(reasonNone).toBeNull();
    expect(plans.map(key)).toEqual([
      `RBV01|MU-MID|RBV01|${day(0)}|${day(7)}`, // 3 h each way; MU-NEAR's route carries no fresh material
      `RBV01|MU-FAR|RBV01|${day(0)}|${day(7)}`, // same day, more travel
      `RBV01|MU-MID|RBV01|${day(0)}|${day(8)}`, // manufacture a day later, still within the 36 h hold
    ]);
    const [best] = plans;
    expect(best).toMatchObject({
      collectionDays: [day(0)],
      manufactureStartDay: day(0), // collected by 12:00, at MU-MID by 15:00: starts the day it arrives
      productReadyDay: day(7),
      conditioningDays: [day(2), day(3), day(4)], // days -5..-3, during manufacture
      veinToVeinDays: 7,
      travelHours: 6,
      limitedBy: `washout: no collection before ${BASE}`,
    });
    expect(best!.steps.map((s) => s.kind)).toEqual(['APHERESIS', 'TRANSPORT', 'MANUFACTURE', 'CONDITIONING', 'TRANSPORT', 'INFUSION', 'MONITORING', 'ICU']);
    expect(best!.steps[0]!.slots).toEqual([{ resourceKey: 'site:RBV01:APHERESIS_CHAIR', day: day(0), session: 'AM' }]);
    expect(best!.steps[2]).toMatchObject({ unitId: 'MU-MID', start: at(day(0), '15:00'), end: at(day(7), '00:00') });
    expect(best!.slots).toHaveLength(1 + 7 + 3 + 1 + 7 + 2);
    // ICU cover (R10): 0.3 of a bed at the centre on days 5 and 6 after the infusion on day 7.
    expect(best!.steps.at(-1)!.slots).toEqual([12, 13].map((i) => ({ resourceKey: 'site:RBV01:ICU_BED', day: day(i), session: '', share: 0.3 })));
    expect(plans[2]!.limitedBy).toBe(`a later alternative: the same centres and unit can infuse on ${day(7)} (collection from ${day(0)})`);
  });

  it('a full apheresis day pushes the plan a day later, and says so', () => {
    const free = pocInput().free.map((s) => (s.resource === 'APHERESIS_CHAIR' && s.day === day(0) ? { ...s, free: 0 } : s));
    const { plans } = searchPlans(pocInput({ free, designatedUnits: [{ unitId: 'MU-MID', siteCode: 'MID' }] }));
    expect(plans[0]).toMatchObject({ collectionDays: [day(1)], infusionDay: day(8) });
    expect(plans[0]!.limitedBy).toBe(`apheresis chairs at RBV01 full on ${day(0)}; with them free, infusion could be on ${day(7)}`);
  });

  it('books only chair sessions long enough for one of the process’s sessions (issue 14 §4)', () => {
    expect(searchPlans(pocInput()).plans.length).toBeGreaterThan(0);
    // Five-hour sessions fit none of the 4-hour slots.
    const fiveHours = pocInput({ process: { ...POC, apheresisHoursPerSession: 5 } });
    expect(searchPlans(fiveHours).plans).toEqual([]);
    // With afternoons an hour longer, they are booked there, and only there.
    const free = fiveHours.free.map((s) => (s.resource === 'APHERESIS_CHAIR' && s.session === 'PM' ? { ...s, endsAt: new Date(s.endsAt.getTime() + HOUR) } : s));
    const { plans } = searchPlans({ ...fiveHours, free });
    expect(plans.length).toBeGreaterThan(0);
    for (const plan of plans) expect(plan.steps[0]!.slots.map((slot) => slot.session)).toEqual(['PM']);
  });

  it('a busy unit is named with the days it is busy', () => {
    const busy = (d: number) => d >= 0 && d <= 2;
    const free = [...centre('RBV01', DAYS), ...unit('MU-MID', 'MID', DAYS, busy)];
    const { plans } = searchPlans(pocInput({ free, designatedUnits: [{ unitId: 'MU-MID', siteCode: 'MID' }] }));
    // The 36 h hold lets collection wait for day 3 only if collected on day 2 or 3: earliest start is day 3.
    expect(plans[0]).toMatchObject({ manufactureStartDay: day(3), infusionDay: day(10) });
    expect(plans[0]!.limitedBy).toBe(`unit MU-MID busy on ${day(0)} to ${day(2)}; with it free, infusion could be on ${day(7)}`);
  });

  it('the washout binds: no collection before the earliest collection date even when chairs are free earlier', () => {
    const { plans } = searchPlans(pocInput({ earliestCollectionDate: day(2) }));
    expect(plans[0]).toMatchObject({ collectionDays: [day(2)], infusionDay: day(9), limitedBy: `washout: no collection before ${day(2)}` });
    for (const plan of plans) for (const slot of plan.slots) expect(slot.day >= day(2)).toBe(true);
  });

  it('frozen product is released and in stock before conditioning starts, and infused within the window', () => {
    // Cryopreserved at RBV01, made at CTRL (4 h away, no fresh courier needed): ready day 0 + 10 + 14 = 24,
    // in stock at RBV01 from day 25. Conditioning chairs free only on days 25-27 and 40-42; infusion beds
    // only on day 42 (15 days after day 27: outside the 2-14 day window) and from day 44.
    const chairs = (d: number) => !((d >= 25 && d <= 27) || (d >= 40 && d <= 42));
    const beds = (d: number) => d !== 42 && d < 44;
    const free = [...centre('RBV01', DAYS, { CONDITIONING_CHAIR: chairs, INFUSION_BED: beds }), ...unit('MU-C', 'CTRL', DAYS)];
    const { plans } = searchPlans({
      ...pocInput({ free }),
      process: FROZEN,
      designatedUnits: [{ unitId: 'MU-C', siteCode: 'CTRL' }],
      ...routes({ 'RBV01-CTRL': [4, false] }),
    });
    const [best] = plans;
    expect(best).toMatchObject({
      collectionDays: [day(0)],
      manufactureStartDay: day(0),
      productReadyDay: day(24),
      conditioningDays: [day(40), day(41), day(42)],
      infusionDay: day(44), // 2 days after the last dose: the shortest gap the window allows
      veinToVeinDays: 44,
    });
    expect(best!.steps.map((s) => s.kind)).toEqual(['APHERESIS', 'TRANSPORT', 'MANUFACTURE', 'QC_RELEASE', 'TRANSPORT', 'CONDITIONING', 'INFUSION', 'MONITORING', 'ICU']);
    expect(best!.limitedBy).toMatch(/at RBV01 full on .*; with them free, infusion could be on/);

    // With everything free the shortest gap wins: conditioning from day 25 (in stock), infusion day 29.
    const open = searchPlans({ ...pocInput({ free: [...centre('RBV01', DAYS), ...unit('MU-C', 'CTRL', DAYS)] }), process: FROZEN, designatedUnits: [{ unitId: 'MU-C', siteCode: 'CTRL' }], ...routes({ 'RBV01-CTRL': [4, false] }) });
    expect(open.plans[0]).toMatchObject({ conditioningDays: [day(25), day(26), day(27)], infusionDay: day(29) });
  });

  it('prefers the preferred centre on equal infusion and travel, and reports the clinical deadline', () => {
    const free = [...centre('RBV01', DAYS), ...centre('RGT01', DAYS), ...unit('MU-1', 'HUB', DAYS)];
    const input = pocInput({ free, designatedUnits: [{ unitId: 'MU-1', siteCode: 'HUB' }], treatmentCentres: ['RBV01', 'RGT01'], ...routes({ 'RBV01-HUB': [2, true], 'RGT01-HUB': [2, true] }) });
    const preferred = searchPlans({ ...input, preferredCentre: 'RGT01', clinicalDeadline: day(7) }).plans;
    expect(preferred.map((p) => [p.apheresisCentre, p.treatmentCentre])).toEqual([['RGT01', 'RGT01'], ['RBV01', 'RGT01'], ['RGT01', 'RBV01']]);
    expect(preferred[0]!.meetsClinicalDeadline).toBe(true);
    expect(searchPlans({ ...input, clinicalDeadline: day(6) }).plans[0]!.meetsClinicalDeadline).toBe(false);
    expect(searchPlans(input).plans[0]!.meetsClinicalDeadline).toBeNull();
  });

  it('R9: treats only at a centre the patient can stay within reach of, collecting anywhere, and says what to do when none is (issue 14 §4)', () => {
    const free = [...centre('RBV01', DAYS), ...centre('RGT01', DAYS), ...unit('MU-1', 'HUB', DAYS)];
    const input = pocInput({ free, designatedUnits: [{ unitId: 'MU-1', siteCode: 'HUB' }], treatmentCentres: ['RBV01', 'RGT01'], ...routes({ 'RBV01-HUB': [2, true], 'RGT01-HUB': [2, true] }) });
    // The patient stays in M20: The Christie (RBV01) is 15 min away, RGT01 150 min, beyond the process's 120.
    const minutes: Record<string, number> = { RBV01: 15, RGT01: 150 };
    const stay = { district: 'M20', minutesTo: (c: string) => minutes[c] };
    const { plans } = searchPlans({ ...input, preferredCentre: 'RGT01', stay });
    expect(plans.length).toBeGreaterThan(0);
    expect(new Set(plans.map((p) => p.treatmentCentre))).toEqual(new Set(['RBV01']));
    expect(plans.map((p) => p.apheresisCentre)).toContain('RGT01'); // collection may be anywhere

    // Exactly at the limit is within reach; a centre with no time recorded is not (Bedside cannot vouch for it).
    expect(searchPlans({ ...input, stay: { district: 'M20', minutesTo: (c: string) => (c === 'RGT01' ? 120 : undefined) } }).plans.every((p) => p.treatmentCentre === 'RGT01')).toBe(true);

    const far = searchPlans({ ...input, stay: { district: 'TR1', minutesTo: (c: string) => (c === 'RBV01' ? 400 : undefined) } });
    expect(far.plans).toEqual([]);
    expect(far.reasonNone).toBe(
      'No treatment centre is within reach of TR1, where the patient will stay: TR1 is 400 min from RBV01, and the patient must stay within 120 min of the centre for 28 days after infusion (the nearest). ' +
        'Arrange a stay near a centre for the monitoring period (arrangeMonitoringStay), or ask a planner to record travel times from the district (setDistrictTravelTimes).',
    );
  });

  it('R10: reserves the process’s share of an ICU bed on days 5 and 6 after infusion, and moves the plan when that share is not free (issue 14 §4)', () => {
    // 0.8 of RBV01's one ICU bed is already reserved on day 12, five days after the earliest infusion (day 7).
    const reserved = (s: FreeSlot) => s.resource === 'ICU_BED' && s.day === day(12);
    const free = pocInput().free.map((s) => (reserved(s) ? { ...s, free: 0.2 } : s));
    const { plans } = searchPlans(pocInput({ free }));
    expect(plans[0]).toMatchObject({ infusionDay: day(8), limitedBy: `ICU beds at RBV01 full on ${day(12)}; with them free, infusion could be on ${day(7)}` });
    expect(plans[0]!.slots.filter((s) => s.resourceKey === 'site:RBV01:ICU_BED')).toEqual([13, 14].map((i) => ({ resourceKey: 'site:RBV01:ICU_BED', day: day(i), session: '', share: 0.3 })));
    // Shares count in exact hundredths: a product reserving 0.2 of a bed still fits where 0.2 is left.
    expect(searchPlans(pocInput({ free, process: { ...POC, icuReserveProbability: 0.2 } })).plans[0]!.infusionDay).toBe(day(7));
    // A product that reserves no cover holds no ICU bed and has no ICU step.
    const none = searchPlans(pocInput({ free, process: { ...POC, icuReserveProbability: 0 } })).plans[0]!;
    expect(none.infusionDay).toBe(day(7));
    expect(none.steps.map((s) => s.kind)).not.toContain('ICU');
    expect(none.slots.some((s) => s.resourceKey.endsWith(':ICU_BED'))).toBe(false);
    // A centre with no ICU bed on the calendar cannot give cover: no plan, and the reason says to check it.
    const noIcu = searchPlans(pocInput({ free: free.filter((s) => s.resource !== 'ICU_BED') }));
    expect(noIcu.plans).toEqual([]);
    expect(noIcu.reasonNone).toMatch(/ICU calendars \(and ICU cover\)/);
  });

  it('returns no plan, with the reason, when nothing fits the horizon', () => {
    const noCourier = searchPlans(pocInput({ designatedUnits: [{ unitId: 'MU-NEAR', siteCode: 'NEAR' }] }));
    expect(noCourier.plans).toEqual([]);
    expect(noCourier.reasonNone).toMatch(/No designated unit can start manufacture in time: check fresh courier routes/);

    const noBeds = searchPlans(pocInput({ free: [...centre('RBV01', DAYS, { INFUSION_BED: (d) => d < 70 }), ...unit('MU-MID', 'MID', DAYS)] }));
    expect(noBeds.plans).toEqual([]);
    expect(noBeds.reasonNone).toBe(
      `Booked capacity blocks every plan within 60 days of ${BASE}; with every slot free, infusion could be on ${day(7)}; freeing treatment capacity alone would allow infusion on ${day(7)}.`,
    );
  });
});

describe('vein-to-vein plan search: issue 11, plans the lifecycle would refuse are not offered', () => {
  // 2027-03-01 (day 0) is a Monday.
  const [FRI, MON, TUE] = [4, 7, 8];
  const MID: DesignatedUnit = { unitId: 'MU-MID', siteCode: 'MID' };
  const FAR: DesignatedUnit = { unitId: 'MU-FAR', siteCode: 'FAR' };
  /** One session of a sessioned resource, at the times given. */
  const session = (site: string, resource: Resource, i: number, start: string, end: string, name: string): FreeSlot => ({
    resourceKey: `site:${site}:${resource}`, siteCode: site, unitId: null, resource, day: day(i), session: name, startsAt: at(day(i), start), endsAt: at(day(i), end), free: 1,
  });
  const withoutChairs = (kind: Resource) => centre('RBV01', DAYS).filter((s) => s.resource !== kind);
  const stepOf = (plan: VeinToVeinPlan, kind: string) => plan.steps.find((s) => s.kind === kind)!;

  it('given fresh material with a 36 h hold collected on Friday and Monday, when the search plans, then it offers no manufacture on Monday', () => {
    // Given: two sessions; chairs open on Friday, Monday and Tuesday only (closed at the weekend: Friday and
    // Monday are consecutive opening days); MU-MID is 3 h away by fresh courier and free every day.
    const process: ProductProcess = { ...POC, apheresisSessions: 2 };
    const free = [...withoutChairs('APHERESIS_CHAIR'), ...slotsOf('RBV01', 'APHERESIS_CHAIR', [FRI, MON, TUE]), ...unit('MU-MID', 'MID', DAYS)];

    // When
    const { plans } = searchPlans(pocInput({ process, free, designatedUnits: [MID] }));

    // Then: Friday's cells would be over 72 h old on Monday: no plan collects Friday and Monday.
    expect(plans.length).toBeGreaterThan(0);
    expect(plans.filter((plan) => plan.collectionDays[0] === day(FRI))).toEqual([]);
    expect(plans[0]).toMatchObject({ collectionDays: [day(MON), day(TUE)], manufactureStartDay: day(TUE), infusionDay: day(TUE + 7) });
    for (const plan of plans) {
      const held = hoursHeld(stepOf(plan, 'APHERESIS').start, stepOf(plan, 'MANUFACTURE').start);
      expect(held).toBeLessThanOrEqual(36);
      expect(stepOf(plan, 'MANUFACTURE').start.getTime()).toBeLessThanOrEqual(freshHoldEndsAt(process, stepOf(plan, 'APHERESIS').start)!.getTime());
    }
  });

  it('given the same hold and chairs open only on Friday and Monday, when the search plans, then there is no plan and the reason names the hold from the first session', () => {
    const process: ProductProcess = { ...POC, apheresisSessions: 2 };
    const free = [...withoutChairs('APHERESIS_CHAIR'), ...slotsOf('RBV01', 'APHERESIS_CHAIR', [FRI, MON]), ...unit('MU-MID', 'MID', DAYS)];

    const { plans, reasonNone } = searchPlans(pocInput({ process, free, designatedUnits: [MID] }));

    expect(plans).toEqual([]);
    expect(reasonNone).toBe(
      `No designated unit can start manufacture in time: check fresh courier routes, travel times and the 36 h hold (counted from the start of the first collection session), and unit calendars within 60 days of ${BASE}.`,
    );
  });

  // Collection 09:00-13:00, then a 20 h courier leg: manufacture at MU-FAR starts at 09:00 the next day.
  // With 5 days of manufacture and conditioning on days -5..-3, the course starts on the manufacture start day.
  const COURIER: ProductProcess = { ...POC, manufactureDays: 5, maxFreshHoldHours: 48, shelfLifeHours: 24 };
  const courierInput = (conditioning: readonly (readonly [start: string, end: string, name: string])[]): PlanSearchInput =>
    pocInput({
      process: COURIER,
      free: [
        ...withoutChairs('APHERESIS_CHAIR').filter((s) => s.resource !== 'CONDITIONING_CHAIR'),
        ...DAYS.map((i) => session('RBV01', 'APHERESIS_CHAIR', i, '09:00', '13:00', 'AM')),
        ...DAYS.flatMap((i) => conditioning.map(([start, end, name]) => session('RBV01', 'CONDITIONING_CHAIR', i, start, end, name))),
        ...unit('MU-FAR', 'FAR', DAYS),
      ],
      designatedUnits: [FAR],
      ...routes({ 'RBV01-FAR': [20, true] }),
    });

  it('given a 20 h courier leg that starts manufacture at 09:00, when conditioning sessions start only at 08:30, then no conditioning starts before manufacture', () => {
    // When
    const { plans } = searchPlans(courierInput([['08:30', '12:30', 'AM']]));

    // Then: not the 08:30 session on the day manufacture starts at 09:00 (the batch does not exist yet).
    // Manufacture waits for the next day (00:00, 39 h into the 48 h hold) and the course starts that day.
    expect(plans.length).toBeGreaterThan(0);
    for (const plan of plans) {
      const made = stepOf(plan, 'MANUFACTURE').start;
      expect(conditioningMayStart('CONDITIONING_DURING_MANUFACTURE', made, stepOf(plan, 'CONDITIONING').start)).toBe(true);
    }
    const [best] = plans;
    expect(best).toMatchObject({ collectionDays: [day(0)], manufactureStartDay: day(2), conditioningDays: [day(2), day(3), day(4)], infusionDay: day(7) });
    expect(stepOf(best!, 'MANUFACTURE').start).toEqual(at(day(2), '00:00'));
    // And the plan says what kept it from infusing on day 6: the 08:30 session before the 09:00 start.
    expect(best!.limitedBy).toBe(
      `session times: the first conditioning session at RBV01 on ${day(1)} starts at ${at(day(1), '08:30').toISOString()}, before manufacture starts at ${at(day(1), '09:00').toISOString()}; with a session from then, infusion could be on ${day(6)}`,
    );
  });

  it('given the same courier leg, when an afternoon conditioning session is free too, then the course starts that afternoon, after manufacture', () => {
    const { plans } = searchPlans(courierInput([['08:30', '12:30', 'AM'], ['13:30', '17:30', 'PM']]));

    const [best] = plans;
    expect(best).toMatchObject({ manufactureStartDay: day(1), conditioningDays: [day(1), day(2), day(3)], infusionDay: day(6) });
    expect(stepOf(best!, 'MANUFACTURE').start).toEqual(at(day(1), '09:00'));
    const course = stepOf(best!, 'CONDITIONING');
    expect(course.start).toEqual(at(day(1), '13:30'));
    expect(course.slots.map((s) => s.session)).toEqual(['PM', 'AM', 'AM']); // later days keep the earliest session
  });

  it('given conditioning sessions that all start before manufacture could, when the search plans, then the reason says so', () => {
    // Manufacture can start only at 09:00 on day 1 (the hold ends before the next day's bay opens).
    const { plans, reasonNone } = searchPlans({ ...courierInput([['08:30', '12:30', 'AM']]), process: { ...COURIER, maxFreshHoldHours: 30 } });
    expect(plans).toEqual([]);
    expect(reasonNone).toBe(
      `No treatment centre has a conditioning session that starts after manufacture does within 60 days of ${BASE} (the unit can confirm only a batch that is under way): with later sessions, infusion could be on ${day(6)}.`,
    );
  });

  // Issue 11 §6: the three plans the lifecycle walk refused (seeds 1, 175 and 196), each made by hand.
  /** Bay days open from `from` to `to` o'clock instead of the whole day. */
  const bayHours = (slots: FreeSlot[], from: number, to: number) =>
    slots.map((s) => ({ ...s, startsAt: new Date(at(s.day, '00:00').getTime() + from * HOUR), endsAt: new Date(at(s.day, '00:00').getTime() + to * HOUR) }));
  const released: ProductProcess = { ...FROZEN, manufactureDays: 2, qcReleaseDays: 1 };

  it('given a product released before conditioning with 120 h of shelf life, when the unit is 4 h away, then no infusion past the shelf life is offered and the plan waits for the unit on site', () => {
    // Given: from MU-C (4 h away) the product is made at 00:00 on day 2, released at 00:00 on day 3, in stock
    // at RBV01 from day 4: the earliest infusion (00:00 on day 8) is 144 h after manufacture, any start day.
    // MU-ON, on site and busy until day 2, makes it at 00:00 on day 5 and infuses 120 h later, on day 10.
    const process: ProductProcess = { ...released, shelfLifeHours: 120 };
    const free = [...centre('RBV01', DAYS), ...unit('MU-C', 'CTRL', DAYS), ...unit('MU-ON', 'RBV01', DAYS, (d) => d <= 2)];
    const input = pocInput({ process, free, designatedUnits: [{ unitId: 'MU-C', siteCode: 'CTRL' }, { unitId: 'MU-ON', siteCode: 'RBV01' }], ...routes({ 'RBV01-CTRL': [4, false] }) });

    // When
    const { plans } = searchPlans(input);

    // Then
    expect(plans.map((plan) => [plan.unitId, plan.infusionDay])).toEqual([['MU-ON', day(10)], ['MU-ON', day(10)], ['MU-ON', day(10)]]);
    for (const plan of plans) {
      expect(stepOf(plan, 'INFUSION').start.getTime()).toBeLessThanOrEqual(shelfLifeEndsAt(process, stepOf(plan, 'MANUFACTURE').end).getTime());
      expect(walk(process, plan, BASE)).toBeNull();
    }
    expect(stepOf(plans[0]!, 'INFUSION').start).toEqual(at(day(10), '00:00'));
    // 120 h is the least checkProcessCanBePlanned lets a DMMF publish ((1 QC + 2 course + 2 gap) days): on site,
    // with bays to midnight and beds from midnight (as capacity.ts lays out day slots), it is just enough.
    expect(searchPlans({ ...input, process: { ...process, shelfLifeHours: 119 } }).plans).toEqual([]);
  });

  it('given a product released as its unit opens at 07:00, when the centre conditions from 06:30, then conditioning waits for the release', () => {
    // Given: MU-ON on site, bays 07:00-19:00: collected on day 0, made at 19:00 on day 1, released at 07:00 on day 3.
    const chairs = (sessions: readonly (readonly [string, string, string])[]) => DAYS.flatMap((i) => sessions.map(([start, end, name]) => session('RBV01', 'CONDITIONING_CHAIR', i, start, end, name)));
    const input = (sessions: readonly (readonly [string, string, string])[]) =>
      pocInput({ process: released, free: [...withoutChairs('CONDITIONING_CHAIR'), ...chairs(sessions), ...bayHours(unit('MU-ON', 'RBV01', DAYS), 7, 19)], designatedUnits: [{ unitId: 'MU-ON', siteCode: 'RBV01' }] });

    // When only 06:30 sessions run, then the course starts the next day; with a 13:30 session, that afternoon.
    const [early] = searchPlans(input([['06:30', '10:30', 'AM']])).plans;
    expect(stepOf(early!, 'QC_RELEASE').end).toEqual(at(day(3), '07:00'));
    expect(early).toMatchObject({ productReadyDay: day(3), conditioningDays: [day(4), day(5), day(6)], infusionDay: day(8) });
    const [later] = searchPlans(input([['06:30', '10:30', 'AM'], ['13:30', '17:30', 'PM']])).plans;
    expect(later).toMatchObject({ conditioningDays: [day(3), day(4), day(5)], infusionDay: day(7) });
    expect(stepOf(later!, 'CONDITIONING').start).toEqual(at(day(3), '13:30'));
    for (const plan of [early!, later!]) expect(walk(released, plan, BASE)).toBeNull();
  });

  it('given fresh product made at 21:00 and a 30 h journey to the centre, when the search plans, then it offers no infusion day the product reaches the centre after', () => {
    // Given: MU-FAR 30 h away by fresh courier, bays 09:00-21:00, 48 h of shelf life: the product leaves at
    // 21:00 the day before its infusion day and arrives at 03:00 the day after it, within its shelf life.
    const process: ProductProcess = { ...POC, shelfLifeHours: 48 };
    const free = [...centre('RBV01', DAYS), ...bayHours(unit('MU-FAR', 'FAR', DAYS), 9, 21)];
    const input = pocInput({ process, free, designatedUnits: [FAR], ...routes({ 'RBV01-FAR': [30, true] }) });

    const { plans, reasonNone } = searchPlans(input);

    expect(plans).toEqual([]);
    expect(reasonNone).toBe(
      `No treatment centre can condition and infuse after manufacture within 60 days of ${BASE}: check conditioning, infusion, monitoring and ICU calendars (and ICU cover), routes from the units and the shelf life.`,
    );
    // A 20 h journey arrives at 17:00 on the infusion day: the infusion is then, not at the bed's 00:00.
    const [near] = searchPlans({ ...input, ...routes({ 'RBV01-FAR': [20, true] }) }).plans;
    expect(stepOf(near!, 'INFUSION').start).toEqual(at(near!.infusionDay, '17:00'));
    expect(walk(process, near!, BASE)).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------------------
// Property test: the search against a brute-force enumeration of every (A, collection, unit, D_m, T, I, gap),
// and every returned plan re-checked by an independent checker. Both restate the rules of plan-search.ts.

/** mulberry32: a small seeded PRNG, so any failure reproduces from its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface World {
  readonly input: PlanSearchInput;
  readonly centres: readonly string[];
  readonly units: readonly DesignatedUnit[];
}

function randomWorld(seed: number): World {
  const r = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const oneOf = <T,>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const chance = (p: number) => r() < p;

  const centres = ['C1', 'C2', 'C3'].slice(0, int(2, 3));
  const units: DesignatedUnit[] = range(1, int(1, 3)).map((k) => ({ unitId: `MU-${k}`, siteCode: chance(0.4) ? oneOf(centres) : `M${k}` }));
  const sites = [...new Set([...centres, ...units.map((u) => u.siteCode)])];
  const table: Record<string, [number, boolean]> = {};
  for (const a of sites) for (const b of sites) if (a < b && chance(0.85)) table[`${a}-${b}`] = [oneOf([0.5, 1, 2, 3, 5, 8, 12, 20, 30]), chance(0.6)];

  const rbc = chance(0.5);
  const conditioningDays = oneOf([[-2], [-3, -2], [-4, -3, -2], [-5, -4, -3], [-3, -1]]);
  const own = -conditioningDays[conditioningDays.length - 1]!;
  const startingMaterial = !rbc || chance(0.5) ? 'FRESH' : 'CRYOPRESERVED';
  const maxFreshHoldHours = oneOf([6, 12, 24, 36, 48, 72]);
  const apheresisSessions = int(1, 2);
  const apheresisHoursPerSession = oneOf([3, 4, 4, 4]);
  const manufactureDays = int(1, 5);
  const qcReleaseDays = int(0, 3);
  const shelfLifeHours = oneOf([2, 6, 12, 30, 1000]);
  const infusionWindowMinDays = Math.max(1, own - int(0, 1));
  const infusionWindowMaxDays = own + int(0, 2);
  const monitoringInpatientDays = int(0, 3);
  const process: ProductProcess = {
    ...POC,
    startingMaterial,
    maxFreshHoldHours,
    apheresisSessions,
    apheresisHoursPerSession,
    manufactureDays,
    qcReleaseDays,
    shelfLifeHours,
    conditioningDays,
    infusionWindowMinDays,
    infusionWindowMaxDays,
    conditioningGate: rbc ? 'RELEASE_BEFORE_CONDITIONING' : 'CONDITIONING_DURING_MANUFACTURE',
    monitoringInpatientDays,
    // Now and then a course that lapses inside the window (issue 14 §4): infusion no later than that.
    reconditionAfterDays: chance(0.3) ? infusionWindowMinDays + int(0, infusionWindowMaxDays - infusionWindowMinDays) : null,
  };
  const fixed: ProductProcess = process.startingMaterial === 'CRYOPRESERVED' ? { ...process, maxFreshHoldHours: null } : process;

  const horizonDays = int(14, 22);
  const days = range(-2, horizonDays + 5);
  const open = (p: number) => (d: number, session: string) => (chance(0.7) ? (chance(p) ? int(1, 2) : 0) : session === 'AM' ? 0 : chance(p) ? 1 : 0);
  const free: FreeSlot[] = [];
  for (const c of centres) {
    free.push(...slotsOf(c, 'APHERESIS_CHAIR', days.filter(() => chance(0.85)), open(0.6)));
    free.push(...slotsOf(c, 'CONDITIONING_CHAIR', days.filter(() => chance(0.9)), open(0.75)));
    free.push(...slotsOf(c, 'INFUSION_BED', days.filter(() => chance(0.9)), () => (chance(0.8) ? 1 : 0)));
    free.push(...slotsOf(c, 'MONITORING_BED', days.filter(() => chance(0.95)), () => (chance(0.85) ? 1 : 0)));
  }
  for (const u of units) free.push(...slotsOf(u.siteCode, 'MANUFACTURING_BAY', days.filter(() => chance(0.95)), () => (chance(0.75) ? 1 : 0), u.unitId));

  // Times of day differ by site, so that the rules on instants (the hold from the first session's start,
  // conditioning not before manufacture starts) bind often: chair sessions earlier or later, and bays that
  // open mid-morning (drawn last, so the days above are the same as without them).
  const sessionShift = new Map<string, number>(centres.flatMap((c) => [[`site:${c}:APHERESIS_CHAIR`, oneOf([0, 0, -2, 2])], [`site:${c}:CONDITIONING_CHAIR`, oneOf([0, 0, -1.5, 1, 3])]]));
  const bayHours = new Map<string, readonly [number, number]>(units.map((u) => [`unit:${u.unitId}`, oneOf([[0, 24], [0, 24], [7, 19], [9, 21], [12, 24]] as const)]));
  // At some centres the afternoon apheresis session is an hour short, too short for a 4-hour session (issue 14 §4).
  const sessionCut = new Map<string, number>(centres.map((c) => [`site:${c}:APHERESIS_CHAIR`, oneOf([0, 0, 1])]));
  const timed = free.map((s): FreeSlot => {
    const midnight = at(s.day, '00:00').getTime();
    const hours = bayHours.get(s.resourceKey);
    if (hours) return { ...s, startsAt: new Date(midnight + hours[0] * HOUR), endsAt: new Date(midnight + hours[1] * HOUR) };
    const shift = (sessionShift.get(s.resourceKey) ?? 0) * HOUR;
    const cut = s.session === 'PM' ? (sessionCut.get(s.resourceKey) ?? 0) * HOUR : 0;
    return shift === 0 && cut === 0 ? s : { ...s, startsAt: new Date(s.startsAt.getTime() + shift), endsAt: new Date(s.endsAt.getTime() + shift - cut) };
  });
  // During manufacture, often a course that must start on the manufacture start day (manufactureDays = gap +
  // span, one gap allowed): there the first session has to start after manufacture, not just that day.
  const span = conditioningDays[conditioningDays.length - 1]! - conditioningDays[0]!;
  const tight: ProductProcess = !rbc && chance(0.4) ? { ...fixed, manufactureDays: own + span, infusionWindowMinDays: own, infusionWindowMaxDays: own, reconditionAfterDays: fixed.reconditionAfterDays && Math.max(own, fixed.reconditionAfterDays) } : fixed;
  // Holds and shelf lives Bedside would publish (product-process.ts checkProcessCanBePlanned): a fresh hold
  // that outlasts the collection sessions, and a product released before conditioning still in date at the
  // earliest infusion (issue 11 §6 walks these plans through the lifecycle, which judges the shelf life).
  // That minimum holds only with the unit on site, bays to midnight and beds from midnight; travel and
  // earlier bay hours cost hours, so a product released before conditioning often gets a few hours' more
  // shelf life, drawn last so the worlds above stay as they were (with none, R8's shelf life binds).
  // A course that cannot follow its manufacture is left in: it has no plan, which the oracle checks too.
  const preferredCentre = chance(0.5) ? oneOf(centres) : null;
  const slackHours = oneOf([0, 12, 24, 48]);
  const collecting = (tight.apheresisSessions - 1) * 24 + tight.apheresisHoursPerSession;
  const publishable: ProductProcess = {
    ...tight,
    maxFreshHoldHours: tight.maxFreshHoldHours === null ? null : Math.max(tight.maxFreshHoldHours, collecting),
    shelfLifeHours: rbc ? Math.max(tight.shelfLifeHours, (tight.qcReleaseDays + span + tight.infusionWindowMinDays) * 24 + slackHours) : tight.shelfLifeHours,
  };

  // Where the patient will stay (R9), drawn last: half the worlds judge it, each centre some minutes from
  // the district (120 is the demo's reach) or with no time recorded.
  const minutes = new Map(centres.map((c) => [c, oneOf([30, 60, 90, 120, 150, 240, undefined])] as const));
  const stay = chance(0.5) ? { district: 'M20', minutesTo: (c: string) => minutes.get(c) } : null;

  // ICU cover (R10), drawn last: each centre's ICU beds most days, some with the cover already reserved
  // (0.2 of a bed free is too little for 0.3), and now and then a product that reserves none.
  const icuReserveProbability = oneOf([0, 0.3, 0.3, 0.35, 0.5]);
  for (const c of centres) timed.push(...slotsOf(c, 'ICU_BED', days.filter(() => chance(0.98)), () => (chance(0.85) ? oneOf([1, 2]) : oneOf([0, 0.2, 0.3, 0.6, 0.7]))));

  return {
    centres,
    units,
    input: {
      stay,
      process: { ...publishable, icuReserveProbability },
      earliestCollectionDate: BASE,
      preferredCentre,
      horizonDays,
      count: 3,
      free: timed,
      designatedUnits: units,
      treatmentCentres: centres,
      ...routes(table),
    },
  };
}

/** Lookups both the oracle and the checker use: slots by resource key and day, free or not (made once a world). */
const lookupsMade = new WeakMap<World, ReturnType<typeof makeLookups>>();
function lookups(world: World): ReturnType<typeof makeLookups> {
  let made = lookupsMade.get(world);
  if (!made) lookupsMade.set(world, (made = makeLookups(world)));
  return made;
}

function makeLookups(world: World) {
  const byKeyDay = new Map<string, FreeSlot[]>();
  const byRef = new Map<string, FreeSlot>();
  const freeDays = new Map<string, Set<LocalDate>>();
  for (const s of world.input.free) {
    const k = `${s.resourceKey}|${s.day}`;
    byKeyDay.set(k, [...(byKeyDay.get(k) ?? []), s]);
    byRef.set(`${k}|${s.session}`, s);
    if (s.free >= 1) freeDays.set(s.resourceKey, (freeDays.get(s.resourceKey) ?? new Set()).add(s.day));
  }
  const slots = (resourceKey: string, d: LocalDate) => byKeyDay.get(`${resourceKey}|${d}`) ?? [];
  const freeOn = (resourceKey: string, d: LocalDate) => slots(resourceKey, d).filter((s) => s.free >= 1);
  /** Some slot of the resource is free that day. */
  const open = (resourceKey: string, i: number) => freeDays.get(resourceKey)?.has(day(i)) ?? false;
  const hours = (a: string, b: string) => (a === b ? 0 : world.input.travelHours(a, b));
  const fresh = (a: string, b: string) => a === b || world.input.freshCourier(a, b);
  return { slots, freeOn, open, byRef, hours, fresh };
}

interface Found {
  readonly key: string;
  readonly infusion: number;
  readonly travel: number;
  readonly preference: number;
  readonly collection: number;
  readonly a: string;
  readonly u: string;
  readonly t: string;
}

const byOrder = (x: Found, y: Found) =>
  x.infusion - y.infusion || x.travel - y.travel || x.preference - y.preference || x.collection - y.collection || (x.a + '|' + x.u + '|' + x.t < y.a + '|' + y.u + '|' + y.t ? -1 : x.a + '|' + x.u + '|' + x.t > y.a + '|' + y.u + '|' + y.t ? 1 : 0);

interface UpstreamOption {
  /** Apheresis centre as the plan names it, and where the material leaves from. */
  readonly a: string;
  readonly from: string;
  readonly cDays: readonly number[];
  readonly u: DesignatedUnit;
  readonly hAU: number;
  readonly dm: number;
  /** The instant manufacture starts. */
  readonly start: number;
  readonly ready: number;
  /** When manufacture ends (its last bay day's end) and when the product is released (R6). */
  readonly made: number;
  readonly released: number;
}

/**
 * R6 restated: released before conditioning with QC days, as the unit's bay opens on the ready day (QC
 * days after manufacture ends when it has no slot then), never before manufacture ends; else when made.
 */
function releasedAt(world: World, unitId: string, made: number, ready: number): number {
  const p = world.input.process;
  if (p.conditioningGate !== 'RELEASE_BEFORE_CONDITIONING' || p.qcReleaseDays === 0) return made;
  const bay = lookups(world).slots(`unit:${unitId}`, day(ready))[0];
  return Math.max(made, bay?.startsAt.getTime() ?? made + p.qcReleaseDays * 24 * HOUR);
}

/**
 * R7, R8 restated: the infusion instant on a bed slot (the later of its start and the product's arrival),
 * or null when it is not within the slot or the product is out of date then (lifecycle recordInfusion).
 */
function infusionInstant(p: ProductProcess, bed: FreeSlot, arrives: number, made: number): number | null {
  const at = Math.max(bed.startsAt.getTime(), arrives);
  return at < bed.endsAt.getTime() && at <= made + p.shelfLifeHours * HOUR ? at : null;
}

/** Every collection, unit and manufacture start the rules allow (or the kept ones of a repair). */
function upstreamOptions(world: World): UpstreamOption[] {
  const { input } = world;
  const p = input.process;
  const rbc = p.conditioningGate === 'RELEASE_BEFORE_CONDITIONING';
  const { slots, freeOn, open, hours, fresh } = lookups(world);
  const H = input.horizonDays;
  const M = p.manufactureDays;
  const pf = input.patientAvailableFrom ? Math.max(0, daysBetween(BASE, input.patientAvailableFrom)) : 0;
  const kept = input.kept;
  const idx = (d: LocalDate) => daysBetween(BASE, d);
  if (kept?.manufacture) {
    const m = kept.manufacture;
    const from = kept.collection.materialSite;
    const [made, ready] = [m.endsAt.getTime(), idx(m.readyDay)];
    const released = releasedAt(world, m.unit.unitId, made, ready);
    return [{ a: kept.collection.apheresisCentre, from, cDays: kept.collection.days.map(idx), u: m.unit, hAU: hours(from, m.unit.siteCode) ?? 0, dm: idx(m.startDay), start: m.startedAt.getTime(), ready, made, released }];
  }
  // Each collection with every (first session start, last session end) it can have: the hold runs from the first.
  const collections: { a: string; from: string; cDays: number[]; sessions: { opens: Date; ends: number }[]; departs: number }[] = [];
  if (kept) {
    const c = kept.collection;
    collections.push({ a: c.apheresisCentre, from: c.materialSite, cDays: c.days.map(idx), sessions: [{ opens: c.startedAt, ends: c.collectedAt.getTime() }], departs: c.departsAt?.getTime() ?? 0 });
  } else {
    // A session needs a free chair slot at least apheresisHoursPerSession long (issue 14 §4).
    const long = (s: FreeSlot) => s.endsAt.getTime() - s.startsAt.getTime() >= p.apheresisHoursPerSession * HOUR;
    const sessionsOn = (chair: string, i: number) => freeOn(chair, day(i)).filter(long);
    for (const a of world.centres) {
      const chair = `site:${a}:APHERESIS_CHAIR`;
      const openDays = range(0, H - 1).filter((i) => slots(chair, day(i)).length > 0);
      for (let k = 0; k + p.apheresisSessions <= openDays.length; k++) {
        const cDays = openDays.slice(k, k + p.apheresisSessions);
        if (cDays[0]! < pf || cDays.some((i) => sessionsOn(chair, i).length === 0)) continue;
        const firsts = sessionsOn(chair, cDays[0]!);
        const lasts = sessionsOn(chair, cDays[cDays.length - 1]!);
        const sessions = cDays.length === 1
          ? lasts.map((s) => ({ opens: s.startsAt, ends: s.endsAt.getTime() }))
          : firsts.flatMap((f) => lasts.map((l) => ({ opens: f.startsAt, ends: l.endsAt.getTime() })));
        collections.push({ a, from: a, cDays, sessions, departs: 0 });
      }
    }
  }
  const out: UpstreamOption[] = [];
  for (const { a, from, cDays, sessions, departs } of collections) {
    for (const { opens, ends: end } of sessions) {
      for (const u of world.units) {
        const hAU = hours(from, u.siteCode);
        if (hAU === undefined) continue;
        if (p.startingMaterial === 'FRESH' && !fresh(from, u.siteCode)) continue;
        const arrival = Math.max(end, departs) + hAU * HOUR;
        for (let dm = 0; dm < H; dm++) {
          const bay = slots(`unit:${u.unitId}`, day(dm))[0];
          if (!bay || bay.endsAt.getTime() <= arrival) continue;
          if (range(dm, dm + M - 1).some((i) => !open(`unit:${u.unitId}`, i))) continue;
          const start = Math.max(arrival, bay.startsAt.getTime());
          const holdEnds = freshHoldEndsAt(p, opens);
          if (holdEnds && start > holdEnds.getTime()) continue;
          const ready = dm + M + (rbc ? p.qcReleaseDays : 0);
          const made = slots(`unit:${u.unitId}`, day(dm + M - 1))[0]!.endsAt.getTime();
          out.push({ a, from, cDays, u, hAU, dm, start, ready, made, released: releasedAt(world, u.unitId, made, ready) });
        }
      }
    }
  }
  return out;
}

/** Every combination, no pruning beyond what a rule makes pointless; returns distinct plans in order. */
function bruteForce(world: World): Found[] {
  const { input } = world;
  const p = input.process;
  const rbc = p.conditioningGate === 'RELEASE_BEFORE_CONDITIONING';
  const { open, freeOn, hours, slots } = lookups(world);
  const H = input.horizonDays;
  const pf = input.patientAvailableFrom ? Math.max(0, daysBetween(BASE, input.patientAvailableFrom)) : 0;
  const found = new Map<string, Found>();
  for (const { a, from, cDays, u, hAU, start, ready, made, released } of upstreamOptions(world)) {
    const last = cDays[cDays.length - 1]!;
    for (const t of world.centres) {
      if (input.stay && !staysWithinReach(p, input.stay.minutesTo(t))) continue;
      const hUT = hours(u.siteCode, t);
      if (hUT === undefined) continue;
      // The product leaves at release before conditioning, at the end of manufacture during it.
      const arrives = (rbc ? released : made) + hUT * HOUR;
      for (let I = 0; I < H; I++) {
        if (!rbc && I !== ready) continue;
        // A free infusion bed the product reaches within its slot and its shelf life.
        if (!freeOn(`site:${t}:INFUSION_BED`, day(I)).some((bed) => infusionInstant(p, bed, arrives, made) !== null)) continue;
        if (range(I, I + p.monitoringInpatientDays - 1).some((i) => !open(`site:${t}:MONITORING_BED`, i))) continue;
        // ICU cover: the process's share of a bed free on days 5 and 6 after infusion (counted in hundredths).
        if (icuCover(p, day(I)).days.some((d) => !slots(`site:${t}:ICU_BED`, d).some((s) => coverFits(p, s.free)))) continue;
        // Within the window, and no more than reconditionAfterDays after the last dose (a new course after that).
        for (let g = p.infusionWindowMinDays; g <= Math.min(p.infusionWindowMaxDays, p.reconditionAfterDays ?? Infinity); g++) {
          const courseDays = p.conditioningDays.map((d) => I - g + d - p.conditioningDays[p.conditioningDays.length - 1]!);
          const f = courseDays[0]!;
          if (f <= last || f < pf) continue;
          if (rbc && f < ready + Math.ceil(hUT / 24)) continue;
          // Released and in stock at the centre when the first session starts (issue 11 §6).
          if (rbc && !freeOn(`site:${t}:CONDITIONING_CHAIR`, day(f)).some((s) => s.startsAt.getTime() >= arrives)) continue;
          if (!rbc && !freeOn(`site:${t}:CONDITIONING_CHAIR`, day(f)).some((s) => conditioningMayStart(p.conditioningGate, new Date(start), s.startsAt))) continue;
          if (courseDays.some((i) => !open(`site:${t}:CONDITIONING_CHAIR`, i))) continue;
          const key = `${a}|${u.unitId}|${t}|${day(cDays[0]!)}|${day(I)}`;
          const pref = input.preferredCentre ? (t === input.preferredCentre ? 0 : 2) + (from === input.preferredCentre ? 0 : 1) : 0;
          found.set(key, { key, infusion: I, travel: hAU + hUT, preference: pref, collection: cDays[0]!, a: from, u: u.unitId, t });
        }
      }
    }
  }
  return [...found.values()].sort(byOrder);
}

/** Whether an ICU bed-day with `free` of a bed left takes the process's share, in whole hundredths (0.1 + 0.2 is not 0.3 in floating point). */
const coverFits = (p: ProductProcess, free: number) => Math.round(free * 100) >= Math.round(p.icuReserveProbability * 100);

/** Re-checks a returned plan from its own steps and slots against the rules, independently of the search. */
function check(world: World, plan: VeinToVeinPlan): void {
  const { input } = world;
  const p = input.process;
  const rbc = p.conditioningGate === 'RELEASE_BEFORE_CONDITIONING';
  const { slots, freeOn, byRef, hours, fresh } = lookups(world);
  const step = (kind: string) => plan.steps.filter((s) => s.kind === kind);
  const real = (refs: readonly { resourceKey: string; day: string; session: string }[]) => refs.map((r) => byRef.get(`${r.resourceKey}|${r.day}|${r.session}`)!);
  const idx = (d: LocalDate) => daysBetween(BASE, d);

  // Every slot exists and is free; the hold list is exactly the steps' slots (in pathway order, steps in time order).
  const refKey = (r: { resourceKey: string; day: string; session: string }) => `${r.resourceKey}|${r.day}|${r.session}`;
  expect(plan.slots.map(refKey).sort()).toEqual(plan.steps.flatMap((s) => s.slots).map(refKey).sort());
  for (const s of real(plan.slots)) {
    if (s.resource === 'ICU_BED') expect(coverFits(p, s.free)).toBe(true);
    else expect(s?.free).toBeGreaterThanOrEqual(1);
  }
  for (let k = 1; k < plan.steps.length; k++) expect(plan.steps[k]!.start.getTime()).toBeGreaterThanOrEqual(plan.steps[k - 1]!.start.getTime());

  // Apheresis: n sessions, one a day, on consecutive opening days from the washout date.
  const a = plan.apheresisCentre;
  const chairs = real(step('APHERESIS')[0]!.slots);
  expect(chairs.map((s) => s.day)).toEqual(plan.collectionDays);
  expect(chairs).toHaveLength(p.apheresisSessions);
  expect(world.centres).toContain(a);
  chairs.forEach((s) => expect(s.resourceKey).toBe(`site:${a}:APHERESIS_CHAIR`));
  // Each session long enough for the process's session (issue 14 §4).
  chairs.forEach((s) => expect(s.endsAt.getTime() - s.startsAt.getTime()).toBeGreaterThanOrEqual(p.apheresisHoursPerSession * HOUR));
  expect(idx(plan.collectionDays[0]!)).toBeGreaterThanOrEqual(0);
  for (let k = 1; k < chairs.length; k++) {
    const [from, to] = [idx(chairs[k - 1]!.day), idx(chairs[k]!.day)];
    expect(to).toBeGreaterThan(from);
    for (let i = from + 1; i < to; i++) expect(slots(`site:${a}:APHERESIS_CHAIR`, day(i))).toEqual([]);
  }
  const end = chairs[chairs.length - 1]!.endsAt.getTime();

  // Starting material to the unit, manufacture start and hold.
  const u = world.units.find((x) => x.unitId === plan.unitId)!;
  expect(u.siteCode).toBe(plan.unitSiteCode);
  const hAU = hours(a, u.siteCode);
  expect(hAU).toBeDefined();
  if (p.startingMaterial === 'FRESH') expect(fresh(a, u.siteCode)).toBe(true);
  const bays = real(step('MANUFACTURE')[0]!.slots);
  expect(bays.map((s) => idx(s.day))).toEqual(range(idx(plan.manufactureStartDay), idx(plan.manufactureStartDay) + p.manufactureDays - 1));
  bays.forEach((s) => expect(s.resourceKey).toBe(`unit:${u.unitId}`));
  const arrival = end + hAU! * HOUR;
  expect(bays[0]!.endsAt.getTime()).toBeGreaterThan(arrival);
  const start = Math.max(arrival, bays[0]!.startsAt.getTime());
  expect(step('MANUFACTURE')[0]!.start.getTime()).toBe(start);
  // The hold runs from the start of the first session (Friday's cells stay Friday's cells).
  if (p.startingMaterial === 'FRESH') expect(start - chairs[0]!.startsAt.getTime()).toBeLessThanOrEqual(p.maxFreshHoldHours! * HOUR);
  expect(step('APHERESIS')[0]!.start).toEqual(chairs[0]!.startsAt);
  const dm = idx(plan.manufactureStartDay);
  const ready = dm + p.manufactureDays + (rbc ? p.qcReleaseDays : 0);
  expect(plan.productReadyDay).toBe(day(ready));

  // Treatment: conditioning pattern, window, beds.
  const t = plan.treatmentCentre;
  const hUT = hours(u.siteCode, t);
  expect(hUT).toBeDefined();
  const course = real(step('CONDITIONING')[0]!.slots);
  expect(course.map((s) => s.day)).toEqual(plan.conditioningDays);
  course.forEach((s) => expect(s.resourceKey).toBe(`site:${t}:CONDITIONING_CHAIR`));
  const f = idx(plan.conditioningDays[0]!);
  expect(plan.conditioningDays.map(idx).map((i) => i - f)).toEqual(p.conditioningDays.map((d) => d - p.conditioningDays[0]!));
  const I = idx(plan.infusionDay);
  expect(I).toBeLessThan(input.horizonDays);
  const gap = I - idx(plan.conditioningDays[plan.conditioningDays.length - 1]!);
  expect(gap).toBeGreaterThanOrEqual(p.infusionWindowMinDays);
  expect(gap).toBeLessThanOrEqual(p.infusionWindowMaxDays);
  if (p.reconditionAfterDays !== null) expect(gap).toBeLessThanOrEqual(p.reconditionAfterDays);
  expect(real(step('INFUSION')[0]!.slots).map((s) => [s.resourceKey, s.day])).toEqual([[`site:${t}:INFUSION_BED`, plan.infusionDay]]);
  const monitoring = p.monitoringInpatientDays > 0 ? real(step('MONITORING')[0]!.slots) : [];
  expect(monitoring.map((s) => [s.resourceKey, idx(s.day)])).toEqual(range(I, I + p.monitoringInpatientDays - 1).map((i) => [`site:${t}:MONITORING_BED`, i]));
  // ICU cover: the process's share of a bed at the centre on days 5 and 6 after infusion, and no other ICU place.
  const cover = icuCover(p, plan.infusionDay);
  expect(plan.slots.filter((s) => s.resourceKey.endsWith(':ICU_BED')).map((s) => [s.resourceKey, s.day, s.share])).toEqual(cover.days.map((d) => [`site:${t}:ICU_BED`, d, cover.share]));
  expect(plan.slots.filter((s) => !s.resourceKey.endsWith(':ICU_BED')).every((s) => s.share === undefined)).toBe(true);

  // The gate.
  expect(f).toBeGreaterThan(idx(plan.collectionDays[plan.collectionDays.length - 1]!));
  const made = bays[bays.length - 1]!.endsAt.getTime();
  expect(step('MANUFACTURE')[0]!.end.getTime()).toBe(made);
  const released = releasedAt(world, u.unitId, made, ready);
  expect(step('QC_RELEASE')[0]?.end.getTime() ?? made).toBe(released);
  const arrives = (rbc ? released : made) + hUT! * HOUR;
  if (u.siteCode !== t) expect(step('TRANSPORT').find((s) => s.fromSiteCode === u.siteCode)).toMatchObject({ start: new Date(rbc ? released : made), end: new Date(arrives) });
  if (rbc) {
    expect(f).toBeGreaterThanOrEqual(ready + Math.ceil(hUT! / 24));
    expect(course[0]!.startsAt.getTime()).toBeGreaterThanOrEqual(arrives); // released and in stock when conditioning starts
  } else {
    expect(I).toBe(ready);
    expect(f).toBeGreaterThanOrEqual(dm);
    expect(course[0]!.startsAt.getTime()).toBeGreaterThanOrEqual(start); // the batch is under way when conditioning starts
    expect(hUT!).toBeLessThanOrEqual(p.shelfLifeHours);
  }
  // The infusion: at the later of the bed's start and the product's arrival, within the bed's slot and the shelf life.
  const [bed] = real(step('INFUSION')[0]!.slots);
  const infusedAt = infusionInstant(p, bed!, arrives, made);
  expect(infusedAt).not.toBeNull();
  expect(step('INFUSION')[0]!.start.getTime()).toBe(infusedAt);
  expect(plan.veinToVeinDays).toBe(I - idx(plan.collectionDays[0]!));
  expect(plan.travelHours).toBe(hAU! + hUT!);

  // limitedBy tells the truth: every slot it names is full, any day it offers is earlier, a binding washout is day 0.
  const kinds: Record<string, Resource> = { 'apheresis chairs': 'APHERESIS_CHAIR', 'conditioning chairs': 'CONDITIONING_CHAIR', 'infusion beds': 'INFUSION_BED', 'monitoring beds': 'MONITORING_BED', 'ICU beds': 'ICU_BED' };
  const claims = [...plan.limitedBy.matchAll(/(apheresis chairs|conditioning chairs|infusion beds|monitoring beds|ICU beds) at (\S+) full on ([^;)]+)|unit (\S+) busy on ([^;)]+)/g)];
  for (const m of claims) {
    const resourceKey = m[4] ? `unit:${m[4]}` : `site:${m[2]}:${kinds[m[1]!]}`;
    for (const item of (m[3] ?? m[5])!.split(', ')) {
      const run = /^(\S+) to (\S+)$/.exec(item);
      const [from, to] = run ? [run[1]!, run[2]!] : [item.split(' ')[0]!, item.split(' ')[0]!];
      const session = !run && item.includes(' ') ? item.split(' ')[1]! : null;
      for (let i = idx(from); i <= idx(to); i++) {
        const named = slots(resourceKey, day(i)).filter((s) => session === null || s.session === session);
        expect(named.length).toBeGreaterThan(0);
        for (const s of named) expect(s.resource === 'ICU_BED' ? coverFits(p, s.free) : s.free >= 1).toBe(false);
      }
    }
  }
  expect(plan.limitedBy).toMatch(/^(washout|opening days|a later alternative|capacity at several|apheresis chairs|conditioning chairs|infusion beds|monitoring beds|ICU beds|unit |session times)/);
  if (/could be on|capacity at several/.test(plan.limitedBy) && !plan.limitedBy.startsWith('session times')) expect(claims.length).toBeGreaterThan(0);
  // A session-time claim names a session that exists, is free and starts before the manufacture start it names.
  const early = /^session times: the first conditioning session at (\S+) on (\S+) starts at (\S+), before manufacture starts at (\S+);/.exec(plan.limitedBy);
  if (plan.limitedBy.startsWith('session times')) {
    expect(rbc).toBe(false);
    expect(early).not.toBeNull();
    expect(new Date(early![3]!).getTime()).toBeLessThan(new Date(early![4]!).getTime());
    expect(freeOn(`site:${early![1]}:CONDITIONING_CHAIR`, early![2]!).some((s) => s.startsAt.toISOString() === early![3])).toBe(true);
  }
  const earlier = /(?:could be on|can infuse on) (\d{4}-\d{2}-\d{2})/.exec(plan.limitedBy);
  if (earlier) expect(earlier[1]! < plan.infusionDay).toBe(true);
  if (plan.limitedBy.startsWith('washout')) expect(plan.collectionDays[0]).toBe(BASE);
}

describe('vein-to-vein plan search: exact against brute force', () => {
  it('finds the same best plans as exhaustive enumeration on 250 random small networks, and each plan checks out', () => {
    let withPlans = 0;
    for (let seed = 1; seed <= 250; seed++) {
      const world = randomWorld(seed);
      const expected = bruteForce(world).slice(0, 3).map((x) => x.key);
      const { plans, reasonNone } = searchPlans(world.input);
      try {
        expect(plans.map(key)).toEqual(expected);
        expect(reasonNone === null).toBe(plans.length > 0);
        for (const plan of plans) {
          check(world, plan);
        }
      } catch (error) {
        throw new Error(`seed ${seed}: ${(error as Error).message}`);
      }
      if (plans.length > 0) withPlans++;
    }
    // The generator must give the search real work: most networks have a plan, some have none.
    // (85 today: afternoon sessions too short for the process, a district out of reach and ICU cover
    // already reserved, issue 14 §4, leave some networks with none.)
    expect(withPlans).toBeGreaterThan(75);
    expect(withPlans).toBeLessThan(250);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Repairs: a pathway under way keeps its collection (and its batch, once started); the rest is planned again
// on capacity that has since closed, against the same brute force restricted to what is kept.

function repairWorld(seed: number): World | null {
  const world = randomWorld(seed);
  const [plan] = searchPlans(world.input).plans;
  if (!plan) return null;
  const r = prng(seed * 7919);
  const chance = (p: number) => r() < p;
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const apheresis = plan.steps.find((s) => s.kind === 'APHERESIS')!;
  const manufacture = plan.steps.find((s) => s.kind === 'MANUFACTURE')!;
  const keepBatch = chance(0.4);
  const collectedAt = apheresis.end;
  const kept: PlanSearchInput['kept'] = {
    collection: {
      apheresisCentre: plan.apheresisCentre,
      days: plan.collectionDays,
      startedAt: apheresis.start,
      collectedAt,
      // Received at the unit's site, or still waiting where it was collected (and leaving a few hours late).
      materialSite: chance(0.5) ? plan.unitSiteCode : plan.apheresisCentre,
      departsAt: chance(0.5) ? new Date(collectedAt.getTime() + int(0, 12) * HOUR) : null,
      slots: apheresis.slots,
    },
    manufacture: keepBatch
      ? { unit: { unitId: plan.unitId, siteCode: plan.unitSiteCode }, startDay: plan.manufactureStartDay, startedAt: manufacture.start, endsAt: manufacture.end, readyDay: addDays(plan.productReadyDay, int(0, 2)), slots: manufacture.slots }
      : null,
  };
  // Capacity closes after booking: a unit out of service, beds and chairs lost.
  const closedUnit = chance(0.5) ? plan.unitId : null;
  const free = world.input.free.map((s) => (chance(0.3) || (s.unitId !== null && s.unitId === closedUnit) ? { ...s, free: 0 } : s));
  const patientAvailableFrom = chance(0.3) ? day(int(0, world.input.horizonDays)) : null;
  return { ...world, input: { ...world.input, free, kept, patientAvailableFrom } };
}

/** Re-checks a repaired plan: what is kept is unchanged, what is new is free and follows the rules from what is kept. */
function checkRepair(world: World, plan: VeinToVeinPlan): void {
  const { input } = world;
  const kept = input.kept!;
  const p = input.process;
  const rbc = p.conditioningGate === 'RELEASE_BEFORE_CONDITIONING';
  const { byRef, hours } = lookups(world);
  const idx = (d: LocalDate) => daysBetween(BASE, d);
  const step = (kind: string) => plan.steps.find((s) => s.kind === kind)!;
  const refKey = (r: { resourceKey: string; day: string; session: string }) => `${r.resourceKey}|${r.day}|${r.session}`;

  expect(plan.apheresisCentre).toBe(kept.collection.apheresisCentre);
  expect(plan.collectionDays).toEqual(kept.collection.days);
  expect(step('APHERESIS').slots).toEqual(kept.collection.slots);
  const keptRefs = new Set([...kept.collection.slots, ...(kept.manufacture?.slots ?? [])].map(refKey));
  for (const ref of plan.slots) {
    expect(keptRefs.has(refKey(ref))).toBe(false);
    const slot = byRef.get(refKey(ref))!;
    expect(slot.resource === 'ICU_BED' ? coverFits(p, slot.free) : slot.free >= 1).toBe(true);
  }
  const made = step('MANUFACTURE');
  if (kept.manufacture) {
    expect(plan.unitId).toBe(kept.manufacture.unit.unitId);
    expect(made.slots).toEqual(kept.manufacture.slots);
    expect(plan.productReadyDay).toBe(kept.manufacture.readyDay);
  } else {
    const from = kept.collection.materialSite;
    const arrival = Math.max(kept.collection.collectedAt.getTime(), kept.collection.departsAt?.getTime() ?? 0) + hours(from, plan.unitSiteCode)! * HOUR;
    expect(made.start.getTime()).toBeGreaterThanOrEqual(arrival);
    if (p.startingMaterial === 'FRESH') expect(made.start.getTime() - kept.collection.startedAt.getTime()).toBeLessThanOrEqual(p.maxFreshHoldHours! * HOUR);
    expect(made.slots.map((s) => idx(s.day))).toEqual(range(idx(plan.manufactureStartDay), idx(plan.manufactureStartDay) + p.manufactureDays - 1));
  }
  const first = idx(plan.conditioningDays[0]!);
  const I = idx(plan.infusionDay);
  expect(first).toBeGreaterThan(idx(kept.collection.days[kept.collection.days.length - 1]!));
  if (input.patientAvailableFrom) expect(plan.conditioningDays[0]! >= input.patientAvailableFrom).toBe(true);
  const hUT = hours(plan.unitSiteCode, plan.treatmentCentre)!;
  const released = releasedAt(world, plan.unitId, made.end.getTime(), idx(plan.productReadyDay));
  const arrives = (rbc ? released : made.end.getTime()) + hUT * HOUR;
  if (rbc) {
    expect(first).toBeGreaterThanOrEqual(idx(plan.productReadyDay) + Math.ceil(hUT / 24));
    expect(step('CONDITIONING').start.getTime()).toBeGreaterThanOrEqual(arrives);
  } else {
    expect(I).toBe(idx(plan.productReadyDay));
    expect(step('CONDITIONING').start.getTime()).toBeGreaterThanOrEqual(made.start.getTime());
  }
  const bed = byRef.get(refKey(step('INFUSION').slots[0]!))!;
  expect(step('INFUSION').start.getTime()).toBe(infusionInstant(p, bed, arrives, made.end.getTime()));
  expect(plan.veinToVeinDays).toBe(I - idx(kept.collection.days[0]!));
}

describe('vein-to-vein plan search: repairs keep what is done', () => {
  it('with the collection (and a started batch) kept, finds the same best plans as exhaustive enumeration on 250 random networks, each checking out', () => {
    let repaired = 0;
    let unrepairable = 0;
    for (let seed = 1; seed <= 250; seed++) {
      const world = repairWorld(seed);
      if (!world) continue;
      const expected = bruteForce(world).slice(0, 3).map((x) => x.key);
      const { plans, reasonNone } = searchPlans(world.input);
      try {
        expect(plans.map(key)).toEqual(expected);
        expect(reasonNone === null).toBe(plans.length > 0);
        for (const plan of plans) {
          checkRepair(world, plan);
        }
      } catch (error) {
        throw new Error(`seed ${seed}: ${(error as Error).message}`);
      }
      if (plans.length > 0) repaired++;
      else unrepairable++;
    }
    // 10 of 250 since the hold runs from the first session's start and the shelf life binds at the infusion
    // instant (issue 11 §5, §6): a kept batch whose ready day slipped is often out of date by any infusion;
    // the reach and ICU cover (issue 14 §4) rule out a few more.
    expect(repaired).toBeGreaterThan(7);
    expect(unrepairable).toBeGreaterThan(10);
  });

  it('fresh material that can no longer start manufacture within its hold gets no plan, and the reason says to plan a new collection', () => {
    const { plans } = searchPlans(pocInput({ designatedUnits: [{ unitId: 'MU-MID', siteCode: 'MID' }] }));
    const best = plans[0]!;
    const apheresis = best.steps[0]!;
    const kept = { collection: { apheresisCentre: 'RBV01', days: best.collectionDays, startedAt: apheresis.start, collectedAt: apheresis.end, materialSite: 'RBV01', slots: apheresis.slots }, manufacture: null };
    // MU-MID goes out of service for the next three days: the 36 h hold runs out before it can start.
    const free = pocInput().free.map((s) => (s.unitId === 'MU-MID' && s.day <= day(2) ? { ...s, free: 0 } : s));
    const repaired = searchPlans(pocInput({ free, kept, designatedUnits: [{ unitId: 'MU-MID', siteCode: 'MID' }] }));
    expect(repaired.plans).toEqual([]);
    expect(repaired.reasonNone).toBe(
      `The starting material collected at RBV01 from ${apheresis.start.toISOString()} (its hold ends at ${new Date(apheresis.start.getTime() + 36 * HOUR).toISOString()}) cannot reach a designated unit and start manufacture within its 36 h hold: do not manufacture from it; record the deviation and plan a new collection.`,
    );

    // With MU-FAR designated too, the material goes there instead, within the hold, and the collection is kept.
    const rerouted = searchPlans(pocInput({ free, kept }));
    expect(rerouted.plans[0]).toMatchObject({ apheresisCentre: 'RBV01', collectionDays: best.collectionDays, unitId: 'MU-FAR', manufactureStartDay: day(0) });
    expect(rerouted.plans[0]!.slots.some((s) => s.resourceKey.includes('APHERESIS'))).toBe(false);
    expect(rerouted.plans[0]!.limitedBy).toBe(`what is done: the starting material collected at RBV01 on ${best.collectionDays[0]} must start manufacture within its 36 h hold, by ${new Date(apheresis.start.getTime() + 36 * HOUR).toISOString()}`);
  });

  it('a postponed patient is neither collected nor conditioned before the day given, and the plan says so', () => {
    const { plans } = searchPlans(pocInput({ patientAvailableFrom: day(5), designatedUnits: [{ unitId: 'MU-MID', siteCode: 'MID' }] }));
    expect(plans[0]).toMatchObject({ collectionDays: [day(5)], infusionDay: day(12), limitedBy: `the patient is postponed until ${day(5)}` });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Issue 11 §6: a plan Bedside offers is one its lifecycle records. Each plan the search returns is walked
// step by step, in order, at its own instants, through the lifecycle's own decide functions (lifecycle.ts),
// evolving Progress after each step as the Pathway aggregate does; every step must be accepted.

const MINUTE = 60_000;
const DAY = 24 * HOUR;
/** Recorded this long after it happened: within the late-recording allowance, so no reason is asked for. */
const RECORDED_AFTER_MINUTES = 20;
const LATE_AFTER_MINUTES = 60;
const COI = 'COI-WALK-0001';

/** One lifecycle step of a plan, at the instant the plan has it happen. */
interface PlannedStep {
  readonly name: string;
  readonly at: Date;
  readonly record: (ctx: LifecycleContext, p: Progress, when: When) => LifecycleEvent[];
}

/**
 * The lifecycle context a booking of `plan` gives: its unit (qualified, active, designated), its apheresis
 * days and first session, as lifecycle-commands.ts builds it from the booked slots.
 */
function planContext(process: LifecycleProcess, plan: VeinToVeinPlan, earliestCollectionDate: LocalDate, stay: PatientStay | null = null): LifecycleContext {
  const apheresis = plan.steps.find((s) => s.kind === 'APHERESIS')!;
  const unit: UnitFacts = { unitId: plan.unitId, siteCode: plan.unitSiteCode, qualification: 'QUALIFIED', siteStatus: 'ACTIVE', designated: true };
  return {
    coi: COI,
    booked: true,
    process,
    earliestCollectionDate,
    postponedUntil: null,
    lateAfterMinutes: LATE_AFTER_MINUTES,
    booking: {
      unitIds: [plan.unitId],
      apheresisDays: plan.collectionDays,
      firstSessionStartsAt: apheresis.start,
      infusion: { centre: plan.treatmentCentre, day: plan.infusionDay },
      icuCoverDays: plan.slots.filter((s) => s.resourceKey.endsWith(':ICU_BED')).map((s) => s.day),
    },
    units: new Map([[plan.unitId, unit]]),
    stay,
  };
}

/**
 * Every lifecycle step of a plan at the plan's own instants, in the order they happen (as
 * test/support/pathway-steps.ts plannedSteps derives them for the e2e tests): collection at the end of
 * the last session; dispatch and receipt at the start and end of the starting material's TRANSPORT (on
 * site: 15 and 30 min after collection, never after manufacture starts); manufacture over its step; QC
 * release at the end of QC_RELEASE (else at the end of manufacture); availability confirmed at release
 * when release comes first, else as conditioning starts; each dose at its session's start + 30 min
 * (`sessionStart`, when the slots' times are known; else the first session's time of day); infusion as
 * the INFUSION step starts (plan-search.ts R7: the later of the bed's start and the product's arrival, which
 * `check` verifies; a shelf life of a few hours binds on the hour); discharge at the end of monitoring.
 */
function plannedLifecycle(process: LifecycleProcess, plan: VeinToVeinPlan, sessionStart: (slot: SlotRef) => Date | undefined = () => undefined): PlannedStep[] {
  const of = (kind: string) => plan.steps.find((s) => s.kind === kind);
  const apheresis = of('APHERESIS')!;
  const manufacture = of('MANUFACTURE')!;
  const conditioning = of('CONDITIONING')!;
  const infusion = of('INFUSION')!;
  const inbound = plan.steps.find((s) => s.kind === 'TRANSPORT' && s.siteCode === plan.unitSiteCode);
  const onSite = (minutes: number) => new Date(Math.min(apheresis.end.getTime() + minutes * MINUTE, manufacture.start.getTime()));
  const rbc = process.conditioningGate === 'RELEASE_BEFORE_CONDITIONING';
  const releasedAt = of('QC_RELEASE')?.end ?? manufacture.end;
  const doses = conditioning.slots.map((slot, k) => ({
    day: process.conditioningDays[k]!,
    at: new Date((sessionStart(slot) ?? new Date(conditioning.start.getTime() + daysBetween(conditioning.slots[0]!.day, slot.day) * DAY)).getTime() + 30 * MINUTE),
  }));
  const infusedAt = infusion.start;
  const dischargedAt = new Date(Math.max((of('MONITORING') ?? infusion).end.getTime(), infusedAt.getTime()));
  const [A, U, T] = [plan.apheresisCentre, plan.unitSiteCode, plan.treatmentCentre];
  const handover = (handover: 'SHIPPED' | 'RECEIVED', siteCode: string) => (ctx: LifecycleContext, p: Progress, when: When) =>
    recordHandover(ctx, p, { handover, from: handover === 'SHIPPED' ? 'apheresis nurse' : 'courier', to: handover === 'SHIPPED' ? 'courier' : 'unit operator', condition: '2-8 °C, seal intact', scannedCoi: COI, siteCode }, when);
  const steps: PlannedStep[] = [
    { name: 'collection', at: apheresis.end, record: (ctx, p, when) => recordCollection(ctx, p, { siteCode: A, sessions: plan.collectionDays.length, cd3YieldE9: null }, when) },
    { name: 'dispatch', at: inbound?.start ?? onSite(15), record: handover('SHIPPED', inbound?.fromSiteCode ?? A) },
    { name: 'receipt', at: inbound?.end ?? onSite(30), record: handover('RECEIVED', U) },
    { name: 'start of manufacture', at: manufacture.start, record: (ctx, p, when) => startManufacture(ctx, p, U, plan.unitId, when) },
    { name: 'end of manufacture', at: manufacture.end, record: (ctx, p, when) => completeManufacture(ctx, p, U, when) },
    {
      name: 'QC release',
      at: releasedAt,
      // Signed by a QP who signed in as they released (issue 14 §2).
      record: (ctx, p, when) => releaseProduct({ ...ctx, signature: { signer: 'qp@unit', role: 'control_site_qa', meaning: 'APPROVED', signedAt: when.at.toISOString(), signedInAt: when.at.toISOString() } }, p, U, when, { exceptional: false }),
    },
    { name: 'availability confirmation', at: rbc ? releasedAt : conditioning.start, record: (ctx, p, when) => confirmAvailability(ctx, p, T, when) },
    { name: 'start of conditioning', at: conditioning.start, record: (ctx, p, when) => startConditioning(ctx, p, T, when) },
    ...doses.map(({ day: d, at: instant }): PlannedStep => ({ name: `day ${d} dose`, at: instant, record: (ctx, p, when) => recordConditioningDose(ctx, p, T, when, d) })),
    { name: 'infusion', at: infusedAt, record: (ctx, p, when) => recordInfusion(ctx, p, T, when, COI) },
    { name: 'discharge', at: dischargedAt, record: (ctx, p, when) => discharge(ctx, p, T, when) },
  ];
  // Stable: steps at one instant keep the pathway's order (release, then confirmation; fresh product released at the end of manufacture).
  return steps.map((s, i) => ({ s, i })).sort((x, y) => x.s.at.getTime() - y.s.at.getTime() || x.i - y.i).map(({ s }) => s);
}

/** Records each step in turn, as the aggregate would; the first refusal ends the walk, naming the step and the message a user sees. */
function recordSteps(ctx: LifecycleContext, steps: readonly PlannedStep[], from: Progress = NOT_STARTED): { progress: Progress; refusal: string | null } {
  let progress = from;
  for (const step of steps) {
    const when: When = { at: step.at, now: new Date(step.at.getTime() + RECORDED_AFTER_MINUTES * MINUTE) };
    try {
      progress = step.record(ctx, progress, when).reduce(evolveProgress, progress);
    } catch (error) {
      return { progress, refusal: `${step.name} at ${step.at.toISOString()} refused: ${(error as Error).message}` };
    }
  }
  return { progress, refusal: null };
}

/** The whole plan walked from booking to discharge; null when every step is accepted, else the refusal. */
function walk(process: LifecycleProcess, plan: VeinToVeinPlan, earliestCollectionDate: LocalDate, sessionStart?: (slot: SlotRef) => Date | undefined, stay: PatientStay | null = null): string | null {
  const { progress, refusal } = recordSteps(planContext(process, plan, earliestCollectionDate, stay), plannedLifecycle(process, plan, sessionStart));
  if (refusal) return refusal;
  return progress.patient === 'DISCHARGED' && progress.released ? null : `the walk ended with the patient ${progress.patient} and the product ${progress.product}`;
}

/** When each of a world's slots starts, for the doses' instants. */
const sessionStarts = (world: World) => {
  const { byRef } = lookups(world);
  return (slot: SlotRef) => byRef.get(`${slot.resourceKey}|${slot.day}|${slot.session}`)?.startsAt;
};

/** A walk's refusal, named by seed and plan (issue 11 §6: a failure says which plan and which step). */
const walkFailure = (seed: number | string, plan: VeinToVeinPlan, refusal: string) =>
  `seed ${seed}, plan ${key(plan)} (collection ${plan.steps[0]!.start.toISOString()}, manufacture on ${plan.unitId} from ${plan.steps.find((s) => s.kind === 'MANUFACTURE')!.start.toISOString()}, conditioning ${plan.conditioningDays.join(',')}, infusion ${plan.infusionDay}): ${refusal}`;

/** Every plan the search offers on the random networks (or their repairs), walked; the refusals, named by seed and plan. */
function walkAll(worldOf: (seed: number) => World | null): { walked: number; refusals: string[] } {
  const refusals: string[] = [];
  let walked = 0;
  for (let seed = 1; seed <= 250; seed++) {
    const world = worldOf(seed);
    if (!world) continue;
    const { process } = world.input;
    for (const plan of searchPlans(world.input).plans) {
      walked++;
      // Where the patient stays (R9) is judged by the lifecycle too, before conditioning and at infusion.
      const refusal = walk(process, plan, world.input.earliestCollectionDate, sessionStarts(world), world.input.stay ?? null);
      if (refusal) refusals.push(walkFailure(seed, plan, refusal));
    }
  }
  return { walked, refusals };
}

describe('vein-to-vein plan search: every plan walks through the lifecycle (issue 11 §6)', () => {
  // The three disagreements the walk found (R8 judging by day what the lifecycle judges by the instant:
  // seed 1's release-gated infusion past its shelf life, seed 175's conditioning before its own QC release,
  // seed 196's fresh product reaching the centre after its infusion day) are rules of the search now.
  it('every plan offered on 250 random networks is recorded by the lifecycle step by step, at its own instants', () => {
    const { walked, refusals } = walkAll(randomWorld);
    expect(refusals).toEqual([]);
    expect(walked).toBeGreaterThan(210); // 228 today
  });

  it('every repaired plan on 250 random networks is recorded by the lifecycle from collection to discharge', () => {
    // Walked from booking with the repaired plan's context (its kept collection and batch as planned steps),
    // not through the acceptance of a repair mid-way, which pathway.ts models outside lifecycle.ts.
    const { walked, refusals } = walkAll(repairWorld);
    expect(refusals).toEqual([]);
    expect(walked).toBeGreaterThan(12); // 17 today
  });
});

describe('vein-to-vein plan search: the lifecycle refuses the plans issue 11 found (issue 11 §6)', () => {
  // A good plan, then each fault put back into it: the lifecycle refuses it with the message a user would see.
  const [plan] = searchPlans(pocInput({ designatedUnits: [{ unitId: 'MU-MID', siteCode: 'MID' }] })).plans;
  const shifted = (kind: string, hours: number): VeinToVeinPlan => ({
    ...plan!,
    steps: plan!.steps.map((s) => (s.kind === kind ? { ...s, start: new Date(s.start.getTime() + hours * HOUR), end: new Date(s.end.getTime() + (kind === 'APHERESIS' ? 0 : hours) * HOUR) } : s)),
  });
  const walked = (p: VeinToVeinPlan) => walk(POC, p, BASE);

  it('walks the good plan to discharge', () => {
    expect(walked(plan!)).toBeNull();
  });

  it('refuses Friday cells made on Monday: collection begun three days earlier is beyond the 36 h hold when manufacture starts', () => {
    const friday = shifted('APHERESIS', -72);
    expect(walked(friday)).toBe(
      `start of manufacture at ${at(day(0), '15:00').toISOString()} refused: Start of manufacture cannot be recorded now: the fresh starting material has been held 79.0 h since its first collection session began (${at(day(-3), '08:00').toISOString()}), beyond its 36 h hold (ended ${at(day(-2), '20:00').toISOString()}). Do not manufacture from it: record the deviation and plan a new collection.`,
    );
  });

  it('refuses conditioning before the batch exists: the unit can confirm only a batch that is under way', () => {
    const early = shifted('CONDITIONING', -60);
    const reordered = { ...early, steps: [...early.steps].sort((a, b) => a.start.getTime() - b.start.getTime()) };
    expect(walked(reordered)).toMatch(/^availability confirmation at \S+ refused: Availability confirmation cannot be recorded now: the unit can confirm only a batch that is under way: start manufacture first\.$/);
  });

  it('refuses an infusion outside its window after the last dose', () => {
    const late = shifted('INFUSION', 24);
    expect(walked(late)).toBe(
      `infusion at ${at(day(8), '03:00').toISOString()} refused: Infusion cannot be recorded now: the infusion window after the last conditioning dose (given ${day(4)}) closed on ${day(7)}. Do not infuse: the treating consultant decides whether conditioning is repeated; record the deviation.`,
    );
  });

  it('refuses a course out of its pattern: the day -5 dose a day early puts the day -4 dose on the wrong day', () => {
    const early = shifted('CONDITIONING', -24);
    const course: VeinToVeinPlan = {
      ...early,
      steps: early.steps.map((s) => (s.kind === 'CONDITIONING' ? { ...s, slots: s.slots.map((slot, j) => (j === 0 ? { ...slot, day: addDays(slot.day, -1) } : slot)) } : s)),
    };
    expect(walked(course)).toBe(
      `day -4 dose at ${at(day(3), '08:30').toISOString()} refused: Conditioning dose cannot be recorded now: the day -4 dose falls on ${day(2)} (the day -5 dose was given on ${day(1)}), not on ${day(3)}. If it was given on ${day(2)}, say so (occurredAt); if the regimen slipped, escalate to the treating consultant before going on.`,
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
// Issue 11 §4: a hold holds a plan. holdPlan judges slots with judgePlanSlots (plan-judgement.ts), the search
// run with only those slots free: every plan the search offers must be held; the same plan with one slot moved
// a day or left out is either refused, naming a rule, or (a later but valid plan) held only if the independent
// checker above accepts it and the lifecycle records it step by step.

describe('holding a plan: the judge holds what the search offers and nothing the rules refuse (issue 11 §4)', () => {
  it('holds every plan offered on 250 random networks; a plan with a slot moved or missing is refused naming a rule, or checks out', () => {
    let held = 0;
    let refused = 0;
    let heldChanged = 0;
    for (let seed = 1; seed <= 250; seed++) {
      const world = randomWorld(seed);
      const { input } = world;
      for (const plan of searchPlans(input).plans) {
        const context = `seed ${seed}, plan ${key(plan)}`;
        expect({ context, judged: judgePlanSlots(input, plan.slots).slots }).toEqual({ context, judged: plan.slots });
        held++;
        for (const [k, slot] of plan.slots.entries()) {
          for (const changed of [plan.slots.map((s, j) => (j === k ? { ...s, day: addDays(s.day, 1) } : s)), plan.slots.filter((_, j) => j !== k)]) {
            let judged: VeinToVeinPlan | null = null;
            let rule: string | undefined;
            try {
              judged = judgePlanSlots(input, changed);
            } catch (error) {
              rule = (error as PlanRuleError).details.rule as string;
            }
            if (judged) {
              // Only another complete, feasible plan may be held: checked by the rules above and walked. Capacity
              // is the slot streams' to judge when the hold is placed, so the checker sees the slots as free; the
              // judge's explanation is not a plan's, so it is not checked (a claim-free one stands in).
              const given = new Set(changed.map((c) => `${c.resourceKey}|${c.day}|${c.session}`));
              const free = input.free.map((f) => (given.has(`${f.resourceKey}|${f.day}|${f.session}`) ? { ...f, free: Math.max(1, f.free) } : f));
              check({ ...world, input: { ...input, free } }, { ...judged, limitedBy: 'opening days' });
              expect({ context, slot, refusal: walk(input.process, judged, input.earliestCollectionDate, sessionStarts(world)) }).toEqual({ context, slot, refusal: null });
              heldChanged++;
            } else {
              expect({ context, slot, rule }).toEqual({ context, slot, rule: expect.stringMatching(/^(R[1-8]|one plan)/) });
              refused++;
            }
          }
        }
      }
    }
    expect(held).toBeGreaterThan(210); // 228 today
    expect(refused).toBeGreaterThan(held * 10);
    expect(heldChanged).toBeLessThan(refused);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Pruning (issue 12 §7): searchPlans skips what cannot beat the plans it already has (P1-P6 in
// plan-search.ts); searchPlansUnpruned is the search without that. They must agree on everything they
// return, plans, steps, slots and every explanation, on any network, including ones as repetitive as the
// 10× benchmark network (copies of the same centres and units, a short drive apart, so many plans tie).

/** `n` copies of a world side by side: centres and units renamed per copy, a 0.5 h fresh route between copies of a site. */
function copiesOf(world: World, n: number, seed: number): World {
  const r = prng(seed);
  const rename = (code: string, copy: number) => (copy === 0 ? code : `${code}~${copy}`);
  const original = (code: string) => code.split('~')[0]!;
  const centres = range(0, n - 1).flatMap((copy) => world.centres.map((c) => rename(c, copy)));
  const units = range(0, n - 1).flatMap((copy) => world.units.map((u) => ({ unitId: rename(u.unitId, copy), siteCode: rename(u.siteCode, copy) })));
  // Each copy books its own share: a few more of its places are taken, so copies differ.
  const free = range(0, n - 1).flatMap((copy) =>
    world.input.free.map((s): FreeSlot => {
      const resourceKey = s.unitId ? `unit:${rename(s.unitId, copy)}` : `site:${rename(s.siteCode, copy)}:${s.resource}`;
      return { ...s, resourceKey, siteCode: rename(s.siteCode, copy), unitId: s.unitId && rename(s.unitId, copy), free: copy > 0 && r() < 0.15 ? 0 : s.free };
    }),
  );
  const near = (a: string, b: string) => a !== b && original(a) === original(b);
  return {
    centres,
    units,
    input: {
      ...world.input,
      free,
      designatedUnits: units,
      treatmentCentres: centres,
      preferredCentre: world.input.preferredCentre ? rename(world.input.preferredCentre, n - 1) : null,
      travelHours: (a, b) => (near(a, b) ? 0.5 : world.input.travelHours(original(a), original(b))),
      freshCourier: (a, b) => near(a, b) || world.input.freshCourier(original(a), original(b)),
      // A copy of a centre is as far from the patient's district as the centre.
      stay: world.input.stay && { ...world.input.stay, minutesTo: (c) => world.input.stay!.minutesTo(original(c)) },
    },
  };
}

const sameSearch = (input: PlanSearchInput) => {
  const pruned = searchPlans(input);
  expect(pruned).toEqual(searchPlansUnpruned(input));
  return pruned;
};

describe('vein-to-vein plan search: pruning changes nothing but the time taken (issue 12 §7)', () => {
  it('given random networks and 1 to 6 plans asked for, when searched pruned and unpruned, then both return the same plans, explanations and reasons', () => {
    let withPlans = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 6 }), (seed, count) => {
        const { input } = randomWorld(seed);
        if (sameSearch({ ...input, count }).plans.length > 0) withPlans++;
      }),
      { numRuns: 300, seed: 12_7 },
    );
    expect(withPlans).toBeGreaterThan(100);
  });

  it('given repairs that keep a collection (and a batch), when searched pruned and unpruned, then both agree', () => {
    let repairs = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 4 }), (seed, count) => {
        const world = repairWorld(seed);
        if (!world) return;
        repairs++;
        sameSearch({ ...world.input, count });
      }),
      { numRuns: 200, seed: 12_7 },
    );
    expect(repairs).toBeGreaterThan(60); // 83 today
  });

  it('given copies of a random network a short drive apart, where many plans tie on infusion day and travel, when searched pruned and unpruned, then both agree', () => {
    let withPlans = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 6 }), (seed, copies, count) => {
        const world = copiesOf(randomWorld(seed), copies, seed);
        if (sameSearch({ ...world.input, count }).plans.length > 0) withPlans++;
      }),
      // 140 runs: in half the worlds the patient's district leaves some centres out of reach (R9), so fewer have plans.
      { numRuns: 140, seed: 12_7 },
    );
    expect(withPlans).toBeGreaterThan(40);
  });

  it('given copies of random networks, when searched, then the pruned search still finds exactly what brute force finds', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const world = copiesOf(randomWorld(seed), 2, seed);
      const expected = bruteForce(world).slice(0, 3).map((x) => x.key);
      try {
        expect(sameSearch(world.input).plans.map(key)).toEqual(expected);
      } catch (error) {
        throw new Error(`seed ${seed}: ${(error as Error).message}`);
      }
    }
  });
});
