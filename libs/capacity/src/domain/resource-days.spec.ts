import { NO_SLOTS, resourceDaysOf, slotsOfResourceDays } from './resource-days';
import type { FreeSlot } from './slot';

const slot = (resourceKey: string, day: string, session: string, startsAt: string, free = 1): FreeSlot => ({
  resourceKey,
  siteCode: resourceKey.split(':')[1]!,
  unitId: null,
  resource: 'APHERESIS_CHAIR',
  day,
  session,
  startsAt: new Date(`${day}T${startsAt}:00Z`),
  endsAt: new Date(`${day}T23:00:00Z`),
  free,
});

describe('live capacity grouped by resource and day (the plan search reads it so)', () => {
  const chairs = 'site:RBV01:APHERESIS_CHAIR';
  const other = 'site:ZZZ01:APHERESIS_CHAIR';
  // Listed in session order, which is not the order of start: EVE starts before MID here.
  const listed = [
    slot(chairs, '2027-03-01', 'AM', '08:00'),
    slot(chairs, '2027-03-01', 'EVE', '11:00'),
    slot(chairs, '2027-03-01', 'MID', '12:00'),
    slot(chairs, '2027-03-03', 'AM', '08:00', 0),
    slot(other, '2027-03-02', 'PM', '13:00'),
    slot(other, '2027-03-02', 'AM', '08:00'),
    slot(chairs, '2027-02-28', 'AM', '08:00'),
    slot(chairs, '2027-03-09', 'AM', '08:00'),
  ];

  it('gives each resource its days from the first asked for, each day in order of start, a full slot still listed', () => {
    const [first, second] = resourceDaysOf(listed, '2027-03-01', 7);
    expect(first!.resourceKey).toBe(chairs);
    expect(first!.days.map((day) => day.map((s) => s.session))).toEqual([['AM', 'EVE', 'MID'], [], ['AM']]);
    expect(first!.days[2]![0]!.free).toBe(0);
    expect(second!.days.map((day) => day.map((s) => s.session))).toEqual([[], ['AM', 'PM']]);
  });

  it('leaves out days before the first and from the day count on, and days with none share one empty list', () => {
    const [first] = resourceDaysOf(listed, '2027-03-01', 7);
    expect(slotsOfResourceDays([first!]).map((s) => s.day)).not.toContain('2027-02-28');
    expect(slotsOfResourceDays([first!]).map((s) => s.day)).not.toContain('2027-03-09');
    expect(first!.days[1]).toBe(NO_SLOTS);
  });

  it('lists every slot it grouped, resource by resource, when read back as a list', () => {
    const groups = resourceDaysOf(listed, '2027-02-01');
    expect(slotsOfResourceDays(groups)).toHaveLength(listed.length);
    expect(new Set(slotsOfResourceDays(groups))).toEqual(new Set(listed));
  });
});
