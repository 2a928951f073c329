import { DataSource } from 'typeorm';
import { CapacityProjection } from '@bedside/capacity';
import { PostgresEventStore, START_OF_LOG, type EventMetadata } from '@bedside/event-store';
import { ProjectionEngine } from '@bedside/read-model';
import { siteRegistered as registered, siteStatusChanged as status } from '../support/site-events';
import { openProjectionBed, type ProjectionBed } from '../support/projection-bed';

// The capacity slice's own tests (test/capacity): the only tests that read its tables directly.
const qa: EventMetadata = { actor: 'qa.lead@control-site', correlationId: 'capacity-layout-test' };

describe('the capacity layout projection', () => {
  let bed: ProjectionBed;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  let engine: ProjectionEngine;

  beforeAll(async () => {
    bed = await openProjectionBed();
    ({ store, dataSource } = bed);
    engine = new ProjectionEngine(dataSource, store, { log: () => undefined, error: () => undefined });
  });

  afterAll(async () => {
    await engine.stopAll();
    await bed.close();
  });

  it('lays capacity out the same however the log is cut into batches', async () => {
    const capacityProjection = new CapacityProjection();
    const at = (code: string) => `site-${code}`;
    await store.append([{ streamId: at('CAP01'), expectedVersion: 'no_stream', events: [registered('CAP01')] }], qa);
    await store.append(
      [
        {
          streamId: 'calendar-site-CAP01',
          expectedVersion: 'any',
          events: [
            { type: 'ResourceCalendarSet', data: { siteCode: 'CAP01', resource: 'APHERESIS_CHAIR', count: 2, openingDays: ['MON', 'TUE', 'WED', 'THU', 'FRI'], sessions: [{ name: 'AM', start: '08:00', end: '13:00' }], openOnBankHolidays: false, effectiveFrom: '2027-03-01' } },
            { type: 'CalendarExceptionAdded', data: { exceptionId: 'e1', owner: { siteCode: 'CAP01' }, resource: null, kind: 'OUTAGE', from: '2027-03-03', to: '2027-03-04', unavailable: 1, reason: 'Power' } },
          ],
        },
      ],
      qa,
    );
    await store.append([{ streamId: at('CAP01'), expectedVersion: 1, events: [status('SiteOnboardingStarted', 'CAP01', 'PROPOSED'), status('SiteActivated', 'CAP01', 'ONBOARDING')] }], qa);
    await store.append([{ streamId: 'network-bank-holidays', expectedVersion: 'any', events: [{ type: 'BankHolidaysDeclared', data: { region: 'england-and-wales', dates: ['2027-03-26', '2027-03-29'] } }] }], qa);
    const slots = () => dataSource.query(`SELECT resource_key, to_char(day, 'YYYY-MM-DD') AS day, session, capacity, closed_reason FROM capacity_slots WHERE site_code = 'CAP01' ORDER BY day, session`);
    const log = await store.readAll({ after: START_OF_LOG, maxCount: 100_000 });

    await engine.rebuild(capacityProjection);
    const whole = await slots();
    // One event per batch: every event lays its resources out again from the stored inputs.
    await dataSource.query(`TRUNCATE capacity_sites, capacity_units, capacity_calendars, capacity_exceptions, bank_holidays, capacity_slots`);
    await dataSource.query(`UPDATE projection_checkpoints SET transaction_id = 0, global_position = 0 WHERE name = 'capacity'`);
    for (const event of log) await engine.applyBatch(capacityProjection, [event]);
    expect(await slots()).toEqual(whole);
    expect(whole.filter((s: { day: string }) => s.day === '2027-03-03')).toMatchObject([{ capacity: 1, closed_reason: 'outage: Power' }]);
    expect(whole.filter((s: { day: string }) => s.day === '2027-03-29')).toEqual([]);
    expect(whole.every((s: { capacity: number }) => s.capacity >= 0)).toBe(true);
  });

});
