import { DataSource } from 'typeorm';
import { CapacityCommitmentsProjection, CapacityProjection, SlotLayoutCache, siteResourceKey, slotsOfResourceDays, type UsableSlots } from '@bedside/capacity';
import { PostgresEventStore, type EventMetadata } from '@bedside/event-store';
import { ProjectionEngine } from '@bedside/read-model';
import { siteRegistered, siteStatusChanged } from '../support/site-events';
import { openProjectionBed, type ProjectionBed } from '../support/projection-bed';

// The capacity slice's own tests (test/capacity): what the plan search is handed as free, kept in
// memory between searches and brought up to date from the commitments changed since (issue 12 §7).
const qa: EventMetadata = { actor: 'qa.lead@control-site', correlationId: 'live-capacity-test' };
const usable: UsableSlots = { unitIds: new Set(), siteCodes: new Set(['CAP02']), siteResources: new Set(['APHERESIS_CHAIR']) };
const range = { from: '2027-03-01', to: '2027-03-05' } as const;
const beforeAll_ = new Date('2027-02-01T09:00:00Z');
const chair = { resourceKey: siteResourceKey('CAP02', 'APHERESIS_CHAIR'), day: '2027-03-02', session: 'AM' };

describe('live capacity as the plan search reads it', () => {
  let bed: ProjectionBed;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  let engine: ProjectionEngine;
  const commitments = new CapacityCommitmentsProjection();

  beforeAll(async () => {
    bed = await openProjectionBed();
    ({ store, dataSource } = bed);
    engine = new ProjectionEngine(dataSource, store, { log: () => undefined, error: () => undefined });
    await store.append([{ streamId: 'site-CAP02', expectedVersion: 'no_stream', events: [siteRegistered('CAP02'), siteStatusChanged('SiteOnboardingStarted', 'CAP02', 'PROPOSED'), siteStatusChanged('SiteActivated', 'CAP02', 'ONBOARDING')] }], qa);
    const { lastPosition } = await store.append(
      [
        {
          streamId: 'calendar-site-CAP02',
          expectedVersion: 'no_stream',
          events: [{ type: 'ResourceCalendarSet', data: { siteCode: 'CAP02', resource: 'APHERESIS_CHAIR', count: 2, openingDays: ['MON', 'TUE', 'WED', 'THU', 'FRI'], sessions: [{ name: 'AM', start: '08:00', end: '13:00' }], openOnBankHolidays: false, effectiveFrom: '2027-03-01' } }],
        },
      ],
      qa,
    );
    await engine.start(new CapacityProjection());
    await engine.start(commitments);
    expect(await engine.waitFor(['capacity'], lastPosition, 10_000)).toBe(true);
  });

  afterAll(async () => {
    await engine.stopAll();
    await bed.close();
  });

  /** Records slot events on the hold's stream and waits until the read models show them. */
  let holdVersion = 0;
  const record = async (...events: { type: string; data: Record<string, unknown> }[]) => {
    const { lastPosition: position } = await store.append([{ streamId: 'slot-test-hold', expectedVersion: holdVersion === 0 ? 'no_stream' : holdVersion, events }], qa);
    holdVersion += events.length;
    expect(await engine.waitFor(['capacity', commitments.name], position, 10_000)).toBe(true);
  };
  const freeOnChair = async (cache: SlotLayoutCache) => (await cache.freeSlots(usable, range, beforeAll_)).filter((s) => s.day === chair.day && s.resourceKey === chair.resourceKey).map((s) => s.free);

  it('shows each hold, booking and release to the next search, on every server, and again after the read model is rebuilt', async () => {
    const server = new SlotLayoutCache(dataSource);
    const otherServer = new SlotLayoutCache(dataSource);
    expect((await server.freeSlots(usable, range, beforeAll_)).map((s) => `${s.day} ${s.free}`)).toEqual(['2027-03-01 2', '2027-03-02 2', '2027-03-03 2', '2027-03-04 2', '2027-03-05 2']);

    await record({ type: 'SlotHeld', data: { slot: chair, holdId: 'h1' } });
    expect(await freeOnChair(server)).toEqual([1]);
    await record({ type: 'SlotHeld', data: { slot: chair, holdId: 'h2' } }, { type: 'SlotBooked', data: { slot: chair, holdId: 'h2' } });
    expect(await freeOnChair(server)).toEqual([0]);
    // A server that has not searched since the first hold catches up on everything at once.
    expect(await freeOnChair(otherServer)).toEqual([0]);

    await record({ type: 'SlotReleased', data: { slot: chair, holdId: 'h1', wasBooked: false } });
    expect(await freeOnChair(server)).toEqual([1]);

    // A rebuild empties the table and replays the log: the next search reads it whole again, and
    // changes after it come through as before.
    await engine.stopAll();
    await engine.rebuild(commitments);
    await engine.start(new CapacityProjection());
    await engine.start(commitments);
    expect(await freeOnChair(server)).toEqual([1]);
    await record({ type: 'SlotReleased', data: { slot: chair, holdId: 'h2', wasBooked: true } });
    expect(await freeOnChair(server)).toEqual([2]);
    expect(await freeOnChair(otherServer)).toEqual([2]);
  });

  it('lists a slot that has begun with nothing free, whatever is booked on it', async () => {
    const cache = new SlotLayoutCache(dataSource);
    const duringTheSession = new Date('2027-03-02T09:00:00Z');
    const slots = await cache.freeSlots(usable, range, duringTheSession);
    expect(slots.filter((s) => s.day <= '2027-03-02').map((s) => s.free)).toEqual([0, 0]);
    expect(slots.filter((s) => s.day > '2027-03-02').map((s) => s.free)).toEqual([2, 2, 2]);
  });

  it('hands the search each resource day by day from the first day asked for, closed days empty, the same slots it lists', async () => {
    const cache = new SlotLayoutCache(dataSource);
    const week = { from: '2027-03-03', to: '2027-03-08' };
    const [chairs, ...others] = await cache.resourceDays(usable, week, beforeAll_);
    expect(others).toEqual([]);
    expect(chairs!.resourceKey).toBe(chair.resourceKey);
    // Wednesday to Monday: the weekend is closed.
    expect(chairs!.days.map((day) => day.map((s) => `${s.day} ${s.session}`).join())).toEqual(['2027-03-03 AM', '2027-03-04 AM', '2027-03-05 AM', '', '', '2027-03-08 AM']);
    expect(slotsOfResourceDays([chairs!])).toEqual(await cache.freeSlots(usable, week, beforeAll_));
  });
});
