import { capacityReopenedBy } from './capacity-reopened';

describe('capacity reopened (issue 11 §8)', () => {
  it('names what a release, an expiry, a withdrawn exception, a requalified unit and a reactivated site gave back', () => {
    expect(capacityReopenedBy({ type: 'HoldReleased', data: { holdId: 'h1', coi: 'X', reason: 'Patient declined', expired: false } })).toBe('hold h1 was released (Patient declined)');
    expect(capacityReopenedBy({ type: 'HoldReleased', data: { holdId: 'h1', coi: 'X', reason: 'Hold expired', expired: true } })).toBe('hold h1 lapsed');
    expect(capacityReopenedBy({ type: 'CalendarExceptionWithdrawn', data: { exceptionId: 'E-1', owner: { siteCode: 'RBV01' }, reason: 'Engineer came early' } })).toBe(
      'calendar exception E-1 of site RBV01 was withdrawn (Engineer came early)',
    );
    expect(capacityReopenedBy({ type: 'CalendarExceptionWithdrawn', data: { exceptionId: 'E-2', owner: { unitId: 'MU-1' }, reason: '' } })).toBe('calendar exception E-2 of unit MU-1 was withdrawn');
    expect(capacityReopenedBy({ type: 'UnitQualificationChanged', data: { unitId: 'MU-1', from: 'OUT_OF_SERVICE', to: 'QUALIFIED', reason: 'PQ passed' } })).toBe('unit MU-1 was requalified (PQ passed)');
    expect(capacityReopenedBy({ type: 'SiteActivated', data: { code: 'RBV01', from: 'PAUSED' } })).toBe('site RBV01 was reactivated');
    const calendar = { siteCode: 'RBV01', resource: 'APHERESIS_CHAIR', count: 2, openingDays: ['MON'], sessions: [], openOnBankHolidays: false, effectiveFrom: '2027-01-04' } as const;
    expect(capacityReopenedBy({ type: 'ResourceCalendarSet', data: calendar })).toBe(
      'the apheresis chair calendar of site RBV01 was set (2 from 2027-01-04)',
    );
  });

  it('finds nothing freed when a unit goes out of service or moves between unbookable states', () => {
    expect(capacityReopenedBy({ type: 'UnitQualificationChanged', data: { unitId: 'MU-1', from: 'QUALIFIED', to: 'OUT_OF_SERVICE', reason: 'Fault' } })).toBeNull();
    expect(capacityReopenedBy({ type: 'UnitQualificationChanged', data: { unitId: 'MU-1', from: 'OUT_OF_SERVICE', to: 'REQUALIFYING', reason: 'Repaired' } })).toBeNull();
  });
});
