import { completeManufacture, evolveProgress, NOT_STARTED, recordCollection, recordHandover, recordInfusion, startManufacture, StepOutOfOrderError, type LifecycleContext, type LifecycleEvent, type Progress } from './lifecycle';

const ctx: LifecycleContext = { coi: 'B000126000001X', booked: true, gate: 'CONDITIONING_DURING_MANUFACTURE', conditioningDays: [-5, -4, -3], maxFreshHoldHours: 36, shelfLifeHours: 6 };
const apply = (progress: Progress, events: LifecycleEvent[]) => events.reduce(evolveProgress, progress);

describe('lifecycle rules', () => {
  const collectedAt = new Date('2027-03-01T13:00:00Z');
  const received = apply(NOT_STARTED, [
    ...recordCollection(ctx, NOT_STARTED, 'RBV01', collectedAt, 1, null),
  ]);
  const atUnit = apply(received, [
    ...recordHandover(ctx, received, { handover: 'SHIPPED', from: 'a', to: 'b', condition: 'ok', scannedCoi: ctx.coi, siteCode: 'RBV01' }, collectedAt),
  ]);
  const ready = apply(atUnit, recordHandover(ctx, atUnit, { handover: 'RECEIVED', from: 'b', to: 'c', condition: 'ok', scannedCoi: ctx.coi, siteCode: 'RBV01' }, collectedAt));

  it('lets fresh material start manufacture within its hold, measured in real hours', () => {
    expect(startManufacture(ctx, ready, 'RBV01', 'MU-1', new Date('2027-03-03T00:59:00Z'))).toHaveLength(1);
  });

  it('refuses fresh material held past its hold, and says what to do', () => {
    const late = () => startManufacture(ctx, ready, 'RBV01', 'MU-1', new Date('2027-03-03T01:01:00Z'));
    expect(late).toThrow(StepOutOfOrderError);
    expect(late).toThrow(/36.0 h ago, beyond its 36 h hold.*plan a new collection/);
  });

  it('lets cryopreserved material wait', () => {
    expect(startManufacture({ ...ctx, maxFreshHoldHours: null, gate: 'RELEASE_BEFORE_CONDITIONING' }, ready, 'RRK01', 'MU-2', new Date('2027-04-01T00:00:00Z'))).toHaveLength(1);
  });

  it('blocks infusion of fresh product past its shelf life, measured from the end of manufacture', () => {
    let p = apply(ready, startManufacture(ctx, ready, 'RBV01', 'MU-1', new Date('2027-03-02T08:00:00Z')));
    p = apply(p, completeManufacture(ctx, p, 'RBV01', new Date('2027-03-09T08:00:00Z')));
    p = { ...p, patient: 'CONDITIONING', availabilityConfirmed: true, dosesGiven: [-5, -4, -3] };
    expect(recordInfusion(ctx, p, 'RBV01', new Date('2027-03-09T13:59:00Z'), ctx.coi)).toHaveLength(1);
    expect(() => recordInfusion(ctx, p, 'RBV01', new Date('2027-03-09T14:01:00Z'), ctx.coi)).toThrow(/passed its 6 h shelf life at 2027-03-09T14:00:00.000Z/);
  });

  it('blocks infusion on a Chain of Identity mismatch before anything else', () => {
    expect(() => recordInfusion(ctx, ready, 'RBV01', new Date(), 'B000126900001J')).toThrow(/mismatch/);
  });
});
