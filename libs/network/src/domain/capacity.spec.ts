import { expandCapacity, type CapacitySource } from './capacity';

const apheresis = (overrides: Partial<CapacitySource> = {}): CapacitySource => ({
  resourceKey: 'site:RBV02:APHERESIS_CHAIR',
  siteCode: 'RBV02',
  unitId: null,
  resource: 'APHERESIS_CHAIR',
  timeZone: 'Europe/London',
  calendar: {
    count: 3,
    openingDays: ['MON', 'TUE', 'WED', 'THU', 'FRI'],
    sessions: [
      { name: 'AM', start: '08:00', end: '13:00' },
      { name: 'PM', start: '13:30', end: '18:00' },
    ],
    openOnBankHolidays: false,
    effectiveFrom: '2027-03-22',
  },
  exceptions: [],
  unavailability: [],
  bankHolidays: new Set(),
  ...overrides,
});

const on = (slots: ReturnType<typeof expandCapacity>, day: string) => slots.filter((s) => s.day === day);

describe('capacity calendars', () => {
  it('lays out sessions on opening days only, for the horizon', () => {
    const slots = expandCapacity(apheresis());
    expect(on(slots, '2027-03-22').map((s) => s.session)).toEqual(['AM', 'PM']); // a Monday
    expect(on(slots, '2027-03-27')).toEqual([]); // Saturday
    expect(slots[0]!.day).toBe('2027-03-22');
    expect(slots.at(-1)!.day < '2028-04-26').toBe(true);
    expect(new Set(slots.map((s) => s.day)).size).toBe(286); // 400 days, weekdays only
  });

  it('lays out only the days asked for, exactly as the whole horizon has them', () => {
    const source = apheresis({ unavailability: [{ from: new Date('2027-04-06T10:00:00Z'), until: new Date('2027-04-08T00:00:00Z'), reason: 'Site RBV02 is PAUSED' }] });
    const whole = expandCapacity(source);
    expect(expandCapacity(source, { from: '2027-04-01', to: '2027-04-30' })).toEqual(whole.filter((s) => s.day >= '2027-04-01' && s.day <= '2027-04-30'));
    expect(expandCapacity(source, { from: '2027-01-01', to: '2027-03-23' }).map((s) => s.day)).toEqual(['2027-03-22', '2027-03-22', '2027-03-23', '2027-03-23']);
    expect(expandCapacity(source, { from: '2029-01-01', to: '2029-01-31' })).toEqual([]);
  });

  it('keeps sessions at local clock time across the March clock change (GMT to BST)', () => {
    const slots = expandCapacity(apheresis());
    const friday = on(slots, '2027-03-26')[0]!; // GMT, before the change on Sunday 28 March
    const monday = on(slots, '2027-03-29')[0]!; // BST
    expect(friday.startsAt.toISOString()).toBe('2027-03-26T08:00:00.000Z');
    expect(monday.startsAt.toISOString()).toBe('2027-03-29T07:00:00.000Z');
    expect(monday.endsAt.getTime() - monday.startsAt.getTime()).toBe(5 * 3600_000);
  });

  it('makes the day beds are booked by 23 hours in March and 25 in October', () => {
    const beds = apheresis({
      resource: 'MONITORING_BED',
      calendar: { count: 4, openingDays: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'], sessions: [], openOnBankHolidays: true, effectiveFrom: '2027-03-27' },
    });
    const slots = expandCapacity(beds);
    const hours = (day: string) => {
      const [slot] = on(slots, day);
      return (slot!.endsAt.getTime() - slot!.startsAt.getTime()) / 3600_000;
    };
    expect(hours('2027-03-27')).toBe(24);
    expect(hours('2027-03-28')).toBe(23);
    expect(hours('2027-10-31')).toBe(25);
    // No day missing or doubled around either change.
    expect(on(slots, '2027-10-31')).toHaveLength(1);
    expect(slots.filter((s) => s.day >= '2027-10-29' && s.day <= '2027-11-02')).toHaveLength(5);
  });

  it('closes on bank holidays unless the calendar opens on them', () => {
    const bankHolidays = new Set(['2027-03-26', '2027-03-29']); // Good Friday, Easter Monday
    expect(on(expandCapacity(apheresis({ bankHolidays })), '2027-03-29')).toEqual([]);
    const open = apheresis({ bankHolidays, calendar: { ...apheresis().calendar, openOnBankHolidays: true } });
    expect(on(expandCapacity(open), '2027-03-29')).toHaveLength(2);
  });

  it('takes exceptions off capacity, never below zero, saying why', () => {
    const slots = expandCapacity(
      apheresis({
        exceptions: [
          { exceptionId: 'x1', owner: { siteCode: 'RBV02' }, resource: 'APHERESIS_CHAIR', kind: 'MAINTENANCE', from: '2027-03-23', to: '2027-03-24', unavailable: 1, reason: 'Separator service' },
          { exceptionId: 'x2', owner: { siteCode: 'RBV02' }, resource: null, kind: 'STAFF_SHORTAGE', from: '2027-03-24', to: '2027-03-24', unavailable: null, reason: 'Strike' },
        ],
      }),
    );
    expect(on(slots, '2027-03-22')[0]).toMatchObject({ nominal: 3, capacity: 3, closedReason: null });
    expect(on(slots, '2027-03-23')[0]).toMatchObject({ capacity: 2, closedReason: 'maintenance: Separator service' });
    expect(on(slots, '2027-03-24')[0]).toMatchObject({ capacity: 0 });
  });

  it('shows no capacity from the moment a closure starts, and restores it when it ends', () => {
    const pausedAt = new Date('2027-03-23T10:00:00Z');
    const reopenedAt = new Date('2027-03-25T12:00:00Z');
    const slots = expandCapacity(apheresis({ unavailability: [{ from: pausedAt, until: reopenedAt, reason: 'Site RBV02 is PAUSED: deep clean' }] }));
    expect(on(slots, '2027-03-23').map((s) => [s.session, s.capacity])).toEqual([
      ['AM', 0], // in progress when the pause began
      ['PM', 0],
    ]);
    expect(on(slots, '2027-03-22').map((s) => s.capacity)).toEqual([3, 3]);
    expect(on(slots, '2027-03-25').map((s) => s.capacity)).toEqual([0, 3]); // reopened at 12:00 UTC, during AM
    expect(on(slots, '2027-03-24')[0]!.closedReason).toBe('Site RBV02 is PAUSED: deep clean');
  });
});
