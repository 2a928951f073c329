import type { RecordedAs } from '@bedside/event-store';
import { expandCapacity, type DeploymentData } from '@bedside/network';
import type { LocalDate } from '@bedside/shared';
import { CapacityInputsFold, capacitySources, type CapacityInputEvent } from './capacity-inputs';

let position = 0n;
/** An event as the log records it, at `at`. */
function recorded(type: string, data: unknown, at: string): RecordedAs<CapacityInputEvent> {
  position += 1n;
  return { type, data, recordedAt: new Date(at), globalPosition: position, streamPosition: 0, streamId: 's', eventId: `e${position}`, metadata: { actor: 'test' } } as unknown as RecordedAs<CapacityInputEvent>;
}

const site = (code: string) => recorded('SiteRegistered', { code, timeZone: 'Europe/London' }, '2027-01-01T09:00:00Z');
const active = (code: string) => recorded('SiteActivated', { code }, '2027-01-01T09:01:00Z');

/** A mobile unit deployed from RBV01 to RRK01, leaving on 25 March 2027 and ready on the 29th: across the clock change of the 28th. */
const move: DeploymentData = {
  deploymentId: 'MCT-01-D1',
  unitId: 'MCT-01',
  fromSiteCode: 'RBV01',
  toSiteCode: 'RRK01',
  leavesOn: '2027-03-25' as LocalDate,
  availableFrom: '2027-03-29' as LocalDate,
  move: { tearDownDays: 1, travelDays: 1, setUpDays: 1, requalificationDays: 1 },
  travelHours: 2,
  reason: 'surge',
  strandedCois: [],
  cancels: [],
};

describe('capacity of a deployed unit', () => {
  const fold = new CapacityInputsFold();
  for (const event of [
    site('RBV01'),
    active('RBV01'),
    site('RRK01'),
    active('RRK01'),
    recorded('UnitRegistered', { unitId: 'MCT-01', homeSiteCode: 'RBV01', batchCapacity: 1, registeredAt: '2027-03-01T09:00:00Z' }, '2027-03-01T09:00:00Z'),
    recorded('UnitQualificationChanged', { unitId: 'MCT-01', from: 'REQUALIFYING', to: 'QUALIFIED', reason: 'PQ passed' }, '2027-03-01T09:05:00Z'),
    recorded('UnitDeployed', move, '2027-03-10T09:00:00Z'),
  ]) {
    fold.apply(event);
  }
  const slots = capacitySources(fold.inputs()).flatMap((source) => expandCapacity(source, { from: '2027-03-23' as LocalDate, to: '2027-03-30' as LocalDate }));
  const on = (day: string) => slots.filter((s) => s.day === day);

  it('is the home site’s until it leaves, closed while it moves, and the new site’s from when it is ready', () => {
    expect(on('2027-03-24')).toEqual([expect.objectContaining({ siteCode: 'RBV01', capacity: 1, closedReason: null })]);
    for (const day of ['2027-03-25', '2027-03-26', '2027-03-27', '2027-03-28']) {
      expect(on(day)).toEqual([expect.objectContaining({ siteCode: 'RRK01', capacity: 0, closedReason: expect.stringMatching(/on its way from RBV01 to RRK01 .* until 2027-03-29/) })]);
    }
    expect(on('2027-03-29')).toEqual([expect.objectContaining({ siteCode: 'RRK01', capacity: 1, closedReason: null })]);
  });

  it('keeps the days of the site’s time zone across the clock change: the 28th is 23 hours, the 29th starts at 23:00 UTC', () => {
    expect(on('2027-03-27')[0]!.startsAt.toISOString()).toBe('2027-03-27T00:00:00.000Z');
    expect(on('2027-03-28')[0]!.startsAt.toISOString()).toBe('2027-03-28T00:00:00.000Z');
    expect(on('2027-03-28')[0]!.endsAt.toISOString()).toBe('2027-03-28T23:00:00.000Z');
    expect(on('2027-03-29')[0]!.startsAt.toISOString()).toBe('2027-03-28T23:00:00.000Z');
  });

  it('is one slot a day, never two sites on one day', () => {
    const days = slots.map((s) => s.day);
    expect(new Set(days).size).toBe(days.length);
  });
});
