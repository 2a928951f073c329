import { ValidationError } from '@bedside/shared';
import { DEMO_PRODUCTS } from '../demo/demo-network';
import { checkProcessCanBePlanned, validateProductProcess, type ProductProcess } from './product-process';

const fresh = DEMO_PRODUCTS.find((p) => p.process.productCode === 'POC-CAR19')!.process;
const frozen = DEMO_PRODUCTS.find((p) => p.process.productCode === 'CRYO-CAR19')!.process;
const fieldOf = (process: ProductProcess): string | null => {
  try {
    checkProcessCanBePlanned(validateProductProcess(process));
    return null;
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
};

describe('a process the plan search could never plan (issue 11 §5)', () => {
  it('passes the demo products', () => {
    expect(fieldOf(fresh)).toBeNull();
    expect(fieldOf(frozen)).toBeNull();
  });

  it('refuses conditioning during manufacture whose first dose would precede the start of manufacture, and takes it on that day', () => {
    // First dose 7 days before infusion (window 5 + a 3-day course); manufacture starts manufactureDays before.
    const course = { conditioningDays: [-7, -6, -5], infusionWindowMinDays: 5, infusionWindowMaxDays: 5 };
    expect(fieldOf({ ...fresh, ...course, manufactureDays: 6 })).toBe('conditioningDays');
    expect(fieldOf({ ...fresh, ...course, manufactureDays: 7 })).toBeNull();
    // A wider window lets the course sit closer to infusion: judged on its shortest gap.
    expect(fieldOf({ ...fresh, ...course, infusionWindowMinDays: 3, infusionWindowMaxDays: 5, manufactureDays: 5 })).toBeNull();
    // Released before conditioning, the same course is fine whatever the manufacture time.
    expect(fieldOf({ ...frozen, ...course, manufactureDays: 3 })).toBeNull();
  });

  it('refuses collection sessions that outlast the fresh hold', () => {
    expect(fieldOf({ ...fresh, apheresisSessions: 2, apheresisHoursPerSession: 4, maxFreshHoldHours: 27 })).toBe('maxFreshHoldHours');
    expect(fieldOf({ ...fresh, apheresisSessions: 2, apheresisHoursPerSession: 4, maxFreshHoldHours: 28 })).toBeNull();
  });

  it('refuses frozen product that expires before the earliest infusion', () => {
    // 14 days of QC, a course spanning 2 days, 2 days before infusion: 18 days.
    expect(fieldOf({ ...frozen, shelfLifeHours: 18 * 24 - 1 })).toBe('shelfLifeHours');
    expect(fieldOf({ ...frozen, shelfLifeHours: 18 * 24 })).toBeNull();
  });

  it('refuses re-conditioning due before the infusion window opens', () => {
    expect(fieldOf({ ...fresh, reconditionAfterDays: 2 })).toBe('reconditionAfterDays');
    expect(fieldOf({ ...fresh, reconditionAfterDays: 3 })).toBeNull();
    expect(fieldOf({ ...fresh, reconditionAfterDays: null })).toBeNull();
  });
});
