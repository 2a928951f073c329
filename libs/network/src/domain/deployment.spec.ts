import { ConflictError, NotFoundError, replay, ValidationError, type LocalDate } from '@bedside/shared';
import { deployUnit, presentStay, recallUnit, siteOn, stayOnDay, unitStays, type DeploymentFacts, type DeployUnit } from './deployment';
import { registerUnit, unitEvolver, type ModularUnit, type UnitEvent } from './modular-unit';

const TODAY = '2027-03-01' as LocalDate;
const HOURS: Record<string, number> = { 'RBV02>RRK01': 2, 'RRK01>RBV02': 2, 'RBV02>RR801': 1.5, 'RR801>RBV02': 1.5, 'RRK01>RR801': 3, 'RR801>RRK01': 3 };

const registered = (mobility: 'MOBILE' | 'FIXED' = 'MOBILE'): UnitEvent[] =>
  registerUnit(undefined, { unitId: 'MU-COC-09', name: 'Mobile Cocoon', kind: 'CELL_THERAPY', mobility, batchCapacity: 1, homeSiteCode: 'RBV02' }, 'ACTIVE', new Date('2027-01-04T09:00:00Z'));

/** Given these events on the unit's stream, the facts a deployment is decided from, today and with these bookings. */
function facts(events: readonly UnitEvent[], over: Partial<DeploymentFacts> = {}): DeploymentFacts {
  const unit = replay(unitEvolver, events) as ModularUnit;
  return {
    unitId: unit.unitId,
    mobility: unit.mobility,
    homeSiteCode: unit.homeSiteCode,
    deployments: unit.deployments,
    deploymentsRecorded: unit.deploymentsRecorded,
    today: TODAY,
    destinationStatus: 'ACTIVE',
    travelHours: (from, to) => HOURS[`${from}>${to}`],
    bookedFrom: () => [],
    ...over,
  };
}

const toBirmingham: DeployUnit = { toSiteCode: 'RRK01', leavesOn: '2027-03-10', requalificationDays: 7, reason: 'CAR-T surge in the Midlands' };

describe('deploying a mobile unit', () => {
  it('leaves on the day given and offers capacity there after tear-down, road, set-up and requalification', () => {
    const [event] = deployUnit(facts(registered()), toBirmingham);
    expect(event!.type).toBe('UnitDeployed');
    // 1 day down + 1 day on the road (2 h) + 1 day up + 7 days requalifying = 10 days lost.
    expect(event!.data).toMatchObject({ deploymentId: 'MU-COC-09-D1', fromSiteCode: 'RBV02', toSiteCode: 'RRK01', leavesOn: '2027-03-10', availableFrom: '2027-03-20', travelHours: 2, strandedCois: [] });
  });

  it('lays the unit out at home until it leaves, on its way (no capacity) until it is ready, then at the new site', () => {
    const events = [...registered(), ...deployUnit(facts(registered()), toBirmingham)];
    const unit = replay(unitEvolver, events)!;
    expect(unitStays('RBV02', '2027-01-04' as LocalDate, unit.deployments)).toEqual([
      { siteCode: 'RBV02', from: '2027-01-04', until: '2027-03-10', moving: null },
      { siteCode: 'RRK01', from: '2027-03-10', until: '2027-03-20', moving: { fromSiteCode: 'RBV02', deploymentId: 'MU-COC-09-D1' } },
      { siteCode: 'RRK01', from: '2027-03-20', until: null, moving: null },
    ]);
    expect(siteOn('RBV02', unit.deployments, '2027-03-09' as LocalDate)).toBe('RBV02');
    expect(siteOn('RBV02', unit.deployments, '2027-03-10' as LocalDate)).toBe('RRK01');
    // A plan made while it moves may use it only where it is going, from when it is ready.
    expect(presentStay('RBV02', unit.deployments, '2027-03-12' as LocalDate)).toEqual({ siteCode: 'RRK01', from: '2027-03-20', until: null, moving: null });
    expect(presentStay('RBV02', unit.deployments, '2027-03-01' as LocalDate)).toMatchObject({ siteCode: 'RBV02', until: '2027-03-10' });
    // While it moves it is on its way (a step recorded then is refused); the day it is ready it is there.
    expect(stayOnDay('RBV02', unit.deployments, '2027-03-19' as LocalDate)).toEqual({ siteCode: 'RRK01', from: '2027-03-10', until: '2027-03-20', moving: { fromSiteCode: 'RBV02', deploymentId: 'MU-COC-09-D1' } });
    expect(stayOnDay('RBV02', unit.deployments, '2027-03-20' as LocalDate).moving).toBeNull();
  });

  it('moves on from where the last deployment took it, once it has arrived', () => {
    const first = [...registered(), ...deployUnit(facts(registered()), toBirmingham)];
    const [second] = deployUnit(facts(first), { toSiteCode: 'RR801', leavesOn: '2027-04-01', requalificationDays: 0, reason: 'Leeds waitlist' });
    expect(second!.data).toMatchObject({ deploymentId: 'MU-COC-09-D2', fromSiteCode: 'RRK01', toSiteCode: 'RR801', availableFrom: '2027-04-04' });
  });

  it.each([
    ['during its move', '2027-03-15', /on its way to RRK01 until 2027-03-20/],
    ['before a move already planned', '2027-03-05', /already leaves for RRK01 on 2027-03-10/],
  ])('refuses a deployment %s: one place at a time', (_, leavesOn, message) => {
    const first = [...registered(), ...deployUnit(facts(registered()), toBirmingham)];
    const attempt = () => deployUnit(facts(first), { ...toBirmingham, toSiteCode: 'RR801', leavesOn });
    expect(attempt).toThrow(ConflictError);
    expect(attempt).toThrow(message);
  });

  it.each([
    ['a day in the past', { leavesOn: '2027-02-28' }, 'leavesOn', /in the past \(today is 2027-03-01/],
    ['a requalification over 21 days', { requalificationDays: 22 }, 'requalificationDays', /0 to 21 days/],
    ['no reason', { reason: '  ' }, 'reason', /Record why it goes/],
    ['the site it is already at', { toSiteCode: 'RBV02' }, 'toSiteCode', /already at RBV02/],
    ['a site with no travel time recorded', { toSiteCode: 'RTH01' }, 'toSiteCode', /No travel time is recorded between RBV02 and RTH01/],
    ['a date that is not one', { leavesOn: '2027-02-30' }, 'leavesOn', /not a calendar date/],
  ])('refuses %s, naming the field', (_, change, field, message) => {
    const attempt = () => deployUnit(facts(registered()), { ...toBirmingham, ...change });
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
    }
  });

  it('refuses a fixed unit, an unknown site and a ceased one', () => {
    expect(() => deployUnit(facts(registered('FIXED')), toBirmingham)).toThrow(/fixed at RBV02; only mobile units are deployed/);
    expect(() => deployUnit(facts(registered(), { destinationStatus: undefined }), toBirmingham)).toThrow(NotFoundError);
    expect(() => deployUnit(facts(registered(), { destinationStatus: 'CEASED' }), toBirmingham)).toThrow(/has ceased/);
  });

  it('refuses to strand booked pathways, naming them, unless forced; forced, it names them in the event', () => {
    const booked = facts(registered(), { bookedFrom: (day) => (day <= '2027-03-12' ? ['COI-B', 'COI-A'] : []) });
    expect(() => deployUnit(booked, toBirmingham)).toThrow(ConflictError);
    expect(() => deployUnit(booked, toBirmingham)).toThrow(/strands 2 booked pathways \(COI-B, COI-A\): rebook them first, or deploy with force/);
    const [forced] = deployUnit(booked, { ...toBirmingham, force: true });
    expect(forced!.data.strandedCois).toEqual(['COI-B', 'COI-A']);
    // Already stranded (and at risk), they do not stop the next move again.
    const moved = [...registered(), forced!];
    const [next] = deployUnit(facts(moved, { bookedFrom: () => ['COI-A', 'COI-B'] }), { toSiteCode: 'RR801', leavesOn: '2027-04-01', requalificationDays: 0, reason: 'Leeds' });
    expect(next!.data.strandedCois).toEqual([]);
  });
});

describe('recalling a mobile unit', () => {
  const deployedOn = (today: LocalDate) => {
    const events = [...registered(), ...deployUnit(facts(registered()), toBirmingham)];
    return { events, facts: facts(events, { today }) };
  };

  it('brings it home the way it went, leaving today', () => {
    const { facts: f } = deployedOn('2027-03-25' as LocalDate);
    const [event] = recallUnit(f, 'Surge over', false);
    expect(event!.type).toBe('UnitRecalled');
    expect(event!.data).toMatchObject({ deploymentId: 'MU-COC-09-D2', fromSiteCode: 'RRK01', toSiteCode: 'RBV02', leavesOn: '2027-03-25', availableFrom: '2027-04-04', cancels: [] });
  });

  it('calls off planned deployments that have not begun', () => {
    const { events } = deployedOn('2027-03-25' as LocalDate);
    const planned = [...events, ...deployUnit(facts(events, { today: '2027-03-25' as LocalDate }), { toSiteCode: 'RR801', leavesOn: '2027-05-01', requalificationDays: 0, reason: 'Leeds' })];
    const [recall] = recallUnit(facts(planned, { today: '2027-03-26' as LocalDate }), 'Surge over', false);
    expect(recall!.data.cancels).toEqual(['MU-COC-09-D2']);
    const unit = replay(unitEvolver, [...planned, recall!])!;
    expect(unit.deployments.map((d) => d.deploymentId)).toEqual(['MU-COC-09-D1', 'MU-COC-09-D3']);
  });

  it('refuses while it is on its way, and when it is at home', () => {
    expect(() => recallUnit(deployedOn('2027-03-12' as LocalDate).facts, 'Surge over', false)).toThrow(/on its way to RRK01 until 2027-03-20; recall it from then/);
    expect(() => recallUnit(deployedOn('2027-03-01' as LocalDate).facts, 'Surge over', false)).toThrow(/at home \(RBV02\): there is nothing to recall; its deployment to RRK01 leaving 2027-03-10 is still planned/);
  });
});
