import { NOT_STARTED, type LifecycleContext, type When } from './lifecycle';
import { FRESH_PROCESS } from './fresh-process.fixture';
import { decideStep, stepNeeds, stepReason, type LifecycleStep } from './lifecycle-steps';

const ctx: LifecycleContext = {
  coi: 'B000126000001X',
  booked: true,
  process: FRESH_PROCESS,
  earliestCollectionDate: '2027-03-01',
  postponedUntil: null,
  lateAfterMinutes: 60,
  booking: { unitIds: ['MU-1'], apheresisDays: ['2027-03-01'], firstSessionStartsAt: new Date('2027-03-01T08:00:00Z') },
  units: new Map(),
};
const when: When = { at: new Date('2027-03-01T13:00:00Z'), now: new Date('2027-03-01T13:00:00Z') };
const collection: LifecycleStep = { step: 'COLLECTION', collection: { siteCode: 'RBV01', sessions: 1, cd3YieldE9: 2.1 } };

describe('a clinical step as data (issue 12 §4)', () => {
  it('given a booked pathway, when a collection is recorded as data, then the lifecycle’s rule records it', () => {
    expect(decideStep(ctx, NOT_STARTED, collection, when).map((e) => e.type)).toEqual(['CollectionRecorded']);
  });

  it('given no booking, when a collection is recorded, then the rule’s refusal reaches the scheduler', () => {
    expect(() => decideStep({ ...ctx, booked: false }, NOT_STARTED, collection, when)).toThrow(expect.objectContaining({ code: 'STEP_OUT_OF_ORDER' }));
  });

  it('reads the booked sessions for a collection, the booked unit for a receipt and a start, and the unit a start names', () => {
    expect(stepNeeds(collection)).toEqual({ units: [], bookedUnits: false, sessions: true });
    const handover = { handover: 'RECEIVED', from: 'A', to: 'B', condition: '4 °C', scannedCoi: 'X', siteCode: 'RBV01' } as const;
    expect(stepNeeds({ step: 'HANDOVER', handover }).bookedUnits).toBe(true);
    expect(stepNeeds({ step: 'HANDOVER', handover: { ...handover, handover: 'SHIPPED' } }).bookedUnits).toBe(false);
    expect(stepNeeds({ step: 'MANUFACTURE_STARTED', siteCode: 'RBV01', unitId: ' mu-2 ' })).toEqual({ units: ['MU-2'], bookedUnits: true, sessions: false });
    // An id no unit could have is not looked up: the rule refuses it by name.
    expect(stepNeeds({ step: 'MANUFACTURE_STARTED', siteCode: 'RBV01', unitId: 'U'.repeat(41) }).units).toEqual([]);
  });

  it('carries a failure’s, a withdrawal’s and an exceptional release’s reason into the audit trail', () => {
    expect(stepReason({ step: 'MANUFACTURE_FAILED', siteCode: 'RBV01', reason: 'Sterility' })).toBe('Sterility');
    expect(stepReason({ step: 'WITHDRAWN', siteCode: 'NONE', reason: 'Patient choice', died: false })).toBe('Patient choice');
    expect(stepReason({ step: 'PRODUCT_RELEASED', siteCode: 'RBV01', exceptional: true, reason: 'OOS: viability 68%' })).toBe('OOS: viability 68%');
    expect(stepReason({ step: 'PRODUCT_RELEASED', siteCode: 'RBV01', exceptional: false })).toBeUndefined();
    expect(stepReason({ step: 'DISCHARGED', siteCode: 'RBV01' })).toBeUndefined();
  });
});
