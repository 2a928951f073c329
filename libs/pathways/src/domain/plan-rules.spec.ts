import { ValidationError } from '@bedside/shared';
import { checkPlanSlots, type PlanRules } from './pathway';
import type { SlotRef } from './slot';

/** What a held plan must respect whoever built it (checkPlanSlots): here, where the DMMF lets the product be made. */
describe('a held plan manufactures only where the DMMF designates, judged where the unit stands that day (HMR regs 17A/17B)', () => {
  // MCT-01 is at home at CTL01 until it leaves for RBV01 on 10 March, where it stands from then on.
  const siteOf = (unitId: string, day: string) => (unitId === 'MCT-01' ? (day < '2027-03-10' ? 'CTL01' : 'RBV01') : undefined);
  const rules = (siteCodes: string[], unitIds: string[] = []): PlanRules => ({
    earliestCollectionDate: '2027-03-01',
    designatedSiteCodes: new Set(siteCodes),
    designatedUnitIds: new Set(unitIds),
    unitSiteOn: siteOf,
  });
  const batchOn = (day: string): SlotRef => ({ resourceKey: 'unit:MCT-01', day, session: '' });

  it('given a site designated and the unit deployed there, when its batch falls after it arrives, then the plan stands', () => {
    expect(() => checkPlanSlots([batchOn('2027-03-12')], rules(['RBV01']))).not.toThrow();
  });

  it('given the unit still at home that day, when only the destination is designated, then the plan is refused, naming where it stands', () => {
    expect(() => checkPlanSlots([batchOn('2027-03-05')], rules(['RBV01']))).toThrow(ValidationError);
    expect(() => checkPlanSlots([batchOn('2027-03-05')], rules(['RBV01']))).toThrow('Unit MCT-01 is not designated for this product under the pathway\'s DMMF version where it stands on 2027-03-05 (CTL01); choose a designated unit.');
  });

  it('given its home site designated, when the batch falls after it has been deployed away, then the designation does not travel with it', () => {
    expect(() => checkPlanSlots([batchOn('2027-03-05')], rules(['CTL01']))).not.toThrow();
    expect(() => checkPlanSlots([batchOn('2027-03-12')], rules(['CTL01']))).toThrow(/where it stands on 2027-03-12 \(RBV01\)/);
  });

  it('given the unit designated by id, then it may make the product wherever it stands', () => {
    expect(() => checkPlanSlots([batchOn('2027-03-05'), batchOn('2027-03-12')], rules([], ['MCT-01']))).not.toThrow();
  });
});
