import { NOT_STARTED, type Progress } from './lifecycle';
import { timelineOf, type BookedSlot } from './timeline';

const at = (iso: string) => new Date(iso);
const slot = (resourceKey: string, day: string, session: string, siteCode: string, start: string, end: string): BookedSlot => ({
  resourceKey,
  day,
  session,
  siteCode,
  startsAt: at(start),
  endsAt: at(end),
});

// A fresh point-of-care plan at The Christie: two apheresis sessions, 2 days on a unit, conditioning, infusion, 2 monitoring days.
const PLAN: BookedSlot[] = [
  slot('site:RBV01:MONITORING_BED', '2027-03-12', '', 'RBV01', '2027-03-12T00:00:00Z', '2027-03-13T00:00:00Z'),
  slot('site:RBV01:APHERESIS_CHAIR', '2027-03-01', 'AM', 'RBV01', '2027-03-01T08:00:00Z', '2027-03-01T13:00:00Z'),
  slot('site:RBV01:APHERESIS_CHAIR', '2027-03-01', 'PM', 'RBV01', '2027-03-01T13:30:00Z', '2027-03-01T18:00:00Z'),
  slot('unit:MU-RBV01-COC1', '2027-03-02', '', 'RBV01', '2027-03-02T00:00:00Z', '2027-03-03T00:00:00Z'),
  slot('unit:MU-RBV01-COC1', '2027-03-03', '', 'RBV01', '2027-03-03T00:00:00Z', '2027-03-04T00:00:00Z'),
  slot('site:RBV01:CONDITIONING_CHAIR', '2027-03-06', 'AM', 'RBV01', '2027-03-06T09:00:00Z', '2027-03-06T13:00:00Z'),
  slot('site:RBV01:CONDITIONING_CHAIR', '2027-03-07', 'AM', 'RBV01', '2027-03-07T09:00:00Z', '2027-03-07T13:00:00Z'),
  slot('site:RBV01:INFUSION_BED', '2027-03-11', '', 'RBV01', '2027-03-11T00:00:00Z', '2027-03-12T00:00:00Z'),
  slot('site:RBV01:MONITORING_BED', '2027-03-11', '', 'RBV01', '2027-03-11T00:00:00Z', '2027-03-12T00:00:00Z'),
];

const statuses = (progress: Partial<Progress>) => timelineOf(PLAN, { ...NOT_STARTED, ...progress }).map((s) => `${s.kind}:${s.status}`);

describe('a pathway’s timeline', () => {
  it('lists the plan’s steps in pathway order, each spanning its slots', () => {
    const steps = timelineOf(PLAN, NOT_STARTED);
    expect(steps.map((s) => [s.kind, s.siteCode, s.unitId, s.start.toISOString(), s.end.toISOString(), s.slots.length])).toEqual([
      ['APHERESIS', 'RBV01', null, '2027-03-01T08:00:00.000Z', '2027-03-01T18:00:00.000Z', 2],
      ['MANUFACTURE', 'RBV01', 'MU-RBV01-COC1', '2027-03-02T00:00:00.000Z', '2027-03-04T00:00:00.000Z', 2],
      ['CONDITIONING', 'RBV01', null, '2027-03-06T09:00:00.000Z', '2027-03-07T13:00:00.000Z', 2],
      ['INFUSION', 'RBV01', null, '2027-03-11T00:00:00.000Z', '2027-03-12T00:00:00.000Z', 1],
      ['MONITORING', 'RBV01', null, '2027-03-11T00:00:00.000Z', '2027-03-13T00:00:00.000Z', 2],
    ]);
    expect(steps.every((s) => s.status === 'PLANNED' && s.doneAt === null)).toBe(true);
  });

  it('marks steps done or under way as the lifecycle is recorded', () => {
    expect(statuses({ product: 'COLLECTED', collectedAt: '2027-03-01T17:00:00Z' })).toEqual([
      'APHERESIS:DONE',
      'MANUFACTURE:PLANNED',
      'CONDITIONING:PLANNED',
      'INFUSION:PLANNED',
      'MONITORING:PLANNED',
    ]);
    expect(statuses({ product: 'IN_MANUFACTURE', collectedAt: '2027-03-01T17:00:00Z', manufactureStartedAt: '2027-03-02T08:00:00Z', patient: 'CONDITIONING', dosesGiven: [-5] })).toEqual([
      'APHERESIS:DONE',
      'MANUFACTURE:IN_PROGRESS',
      'CONDITIONING:IN_PROGRESS',
      'INFUSION:PLANNED',
      'MONITORING:PLANNED',
    ]);
    expect(statuses({ product: 'RELEASED', collectedAt: 'x', manufacturedAt: 'y', patient: 'INFUSED', infusedAt: '2027-03-11T10:00:00Z' })).toEqual([
      'APHERESIS:DONE',
      'MANUFACTURE:DONE',
      'CONDITIONING:DONE',
      'INFUSION:DONE',
      'MONITORING:IN_PROGRESS',
    ]);
    expect(statuses({ product: 'RELEASED', patient: 'DISCHARGED', collectedAt: 'x', manufacturedAt: 'y', infusedAt: 'z' }).every((s) => s.endsWith(':DONE'))).toBe(true);
  });

  it('gives the recorded instant of done steps where the record keeps it', () => {
    const steps = timelineOf(PLAN, { ...NOT_STARTED, product: 'MANUFACTURED', collectedAt: '2027-03-01T17:00:00Z', manufacturedAt: '2027-03-03T20:00:00Z' });
    expect(steps.slice(0, 2).map((s) => s.doneAt)).toEqual(['2027-03-01T17:00:00Z', '2027-03-03T20:00:00Z']);
  });

  it('shows a failed batch as failed, and a QC failure after a finished batch as manufacture done', () => {
    expect(statuses({ product: 'FAILED', collectedAt: 'x', manufactureStartedAt: 'y' })[1]).toBe('MANUFACTURE:FAILED');
    expect(statuses({ product: 'FAILED', collectedAt: 'x', manufactureStartedAt: 'y', manufacturedAt: 'z' })[1]).toBe('MANUFACTURE:DONE');
  });

  it('cancels what had not happened when the pathway is withdrawn', () => {
    expect(statuses({ product: 'COLLECTED', collectedAt: 'x', patient: 'WITHDRAWN' })).toEqual([
      'APHERESIS:DONE',
      'MANUFACTURE:CANCELLED',
      'CONDITIONING:CANCELLED',
      'INFUSION:CANCELLED',
      'MONITORING:CANCELLED',
    ]);
  });

  it('has no steps without a plan in place', () => {
    expect(timelineOf([], NOT_STARTED)).toEqual([]);
  });
});
