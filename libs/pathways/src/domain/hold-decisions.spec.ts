import { ConflictError } from '@bedside/shared';
import { HoldExpiredError, holdEvolver, type Hold, type HoldEvent } from './hold';
import { decideConfirmHold, decidePlaceHold, decideReleaseHold, decideRepair, type SlotReads, type StreamRead, type StreamWrite } from './hold-decisions';
import { NOT_STARTED, type Progress } from './lifecycle';
import type { Pathway } from './pathway';
import { SlotInThePastError, slotEvolver, slotStreamId, SlotTakenError, type SlotEvent, type SlotRef, type SlotState } from './slot';

const coi = 'G1234567890123Q';
const now = new Date('2027-03-01T09:00:00Z');
const chair: SlotRef = { resourceKey: 'site:RBV01:APHERESIS_CHAIR', day: '2027-03-02', session: 'AM' };
const bay: SlotRef = { resourceKey: 'unit:MU-1', day: '2027-03-03', session: '' };
const otherBay: SlotRef = { resourceKey: 'unit:MU-2', day: '2027-03-03', session: '' };
const bed: SlotRef = { resourceKey: 'site:RBV01:INFUSION_BED', day: '2027-03-11', session: '' };
const plan = [chair, bay, bed];
const begins = new Map(plan.concat(otherBay).map((s) => [slotStreamId(s), new Date(`${s.day}T08:00:00Z`)]));
const room = (places: number) => new Map(plan.concat(otherBay).map((s) => [slotStreamId(s), places]));

const pathway = (status: Pathway['status'], holdId: string | null, progress: Partial<Progress> = {}): StreamRead<Pathway> => ({
  state: { coi, referringTrust: 'RBV', productCode: 'POC-CAR19', dmmfVersion: 1, status, holdId, progress: { ...NOT_STARTED, ...progress }, waitlisted: false, earliestCollectionDate: '2027-03-01', postponedUntil: null, stayDistrict: 'M20', steps: [], version: 4 },
  version: 4,
});
const noHold: StreamRead<Hold | undefined> = { state: undefined, version: 0 };
const slotsWith = (places: Record<string, readonly string[]>): SlotReads =>
  new Map(Object.entries(places).map(([streamId, holds]): [string, StreamRead<SlotState>] => [streamId, { state: { held: new Map(holds.map((h) => [h, 100])), booked: new Map() }, version: holds.length }]));

/** The decision as a table a reader can check: each stream, the version it was decided on, what it records. */
const table = (writes: readonly StreamWrite[]) => writes.map((w) => [w.streamId, w.expectedVersion, w.events.map((e) => e.type).join(',')]);

/** The hold as the given decisions leave its stream. */
function holdAfter(writes: readonly StreamWrite[], holdId: string): StreamRead<Hold | undefined> {
  const events = writes.filter((w) => w.streamId === `hold-${holdId}`).flatMap((w) => w.events) as HoldEvent[];
  return { state: events.reduce(holdEvolver.evolve, undefined), version: events.length };
}

const placing = (over: Partial<Parameters<typeof decidePlaceHold>[0]> = {}) =>
  decidePlaceHold({
    coi, holdId: 'h1', idempotencyKey: 'k1', slots: plan, now, expiresAt: new Date('2027-03-01T09:30:00Z'),
    pathway: pathway('REFERRED', null), hold: noHold, slotStates: new Map(), capacity: room(1), startsAt: begins,
    ...over,
  });

describe('placing a hold (issue 12 §4)', () => {
  it('given a referred pathway and a free place on every slot, when the plan is held, then the pathway, the hold and every slot record it, each at the version read', () => {
    expect(table(placing({ slotStates: slotsWith({ [slotStreamId(bed)]: ['other'] }), capacity: room(2) }))).toEqual([
      [`pathway-${coi}`, 4, 'PlanHeld'],
      ['hold-h1', 'no_stream', 'HoldPlaced'],
      [slotStreamId(chair), 0, 'SlotHeld'],
      [slotStreamId(bay), 0, 'SlotHeld'],
      [slotStreamId(bed), 1, 'SlotHeld'],
    ]);
  });

  it('given another hold has the last place on the bay, when the plan is held, then it is refused SLOT_TAKEN and nothing is recorded', () => {
    expect(() => placing({ slotStates: slotsWith({ [slotStreamId(bay)]: ['h0'] }) })).toThrow(SlotTakenError);
  });

  it('given the hold this request placed, when the request comes again, then nothing more is decided', () => {
    const placed = placing();
    expect(placing({ hold: holdAfter(placed, 'h1') })).toEqual([]);
  });

  it('given the collection session began at 08:00, when the plan is held at 09:00, then it is refused naming the session', () => {
    expect(() => placing({ slots: [{ ...chair, day: '2027-03-01' }, bay, bed], startsAt: new Map([[slotStreamId({ ...chair, day: '2027-03-01' }), new Date('2027-03-01T08:00:00Z')]]) })).toThrow(SlotInThePastError);
  });

  it('given the pathway already has a plan on hold, when another is held, then it is refused saying to confirm or release the first', () => {
    expect(() => placing({ pathway: pathway('PLAN_HELD', 'h0') })).toThrow(/already has plan h0 on hold/);
  });
});

describe('confirming a hold', () => {
  const held = holdAfter(placing(), 'h1');

  it('given a held plan before it lapses, when it is confirmed, then the hold is confirmed with its slots and the pathway booked', () => {
    const writes = decideConfirmHold({ holdId: 'h1', idempotencyKey: 'c1', now, hold: held, pathway: pathway('PLAN_HELD', 'h1') });
    expect(table(writes)).toEqual([
      ['hold-h1', 1, 'HoldConfirmed'],
      [`pathway-${coi}`, 4, 'PlanBooked'],
    ]);
    expect(writes[0]!.events[0]!.data).toMatchObject({ slots: plan });
  });

  it('given it was confirmed with this key, when the confirm is retried, then nothing more is decided; with another key it is refused', () => {
    const confirmed = holdAfter([...placing(), ...decideConfirmHold({ holdId: 'h1', idempotencyKey: 'c1', now, hold: held, pathway: pathway('PLAN_HELD', 'h1') })], 'h1');
    expect(decideConfirmHold({ holdId: 'h1', idempotencyKey: 'c1', now, hold: confirmed, pathway: pathway('BOOKED', 'h1') })).toEqual([]);
    expect(() => decideConfirmHold({ holdId: 'h1', idempotencyKey: 'c2', now, hold: confirmed, pathway: pathway('BOOKED', 'h1') })).toThrow(ConflictError);
  });

  it('given the hold lapsed at 09:30, when it is confirmed at 09:30, then it is refused HOLD_EXPIRED', () => {
    expect(() => decideConfirmHold({ holdId: 'h1', idempotencyKey: 'c1', now: new Date('2027-03-01T09:30:00Z'), hold: held, pathway: pathway('PLAN_HELD', 'h1') })).toThrow(HoldExpiredError);
  });
});

describe('releasing a hold', () => {
  const placed = placing();
  const slotStates = slotsWith(Object.fromEntries(plan.map((s) => [slotStreamId(s), ['h1']])));
  const booked = holdAfter([...placed, ...decideConfirmHold({ holdId: 'h1', idempotencyKey: 'c1', now, hold: holdAfter(placed, 'h1'), pathway: pathway('PLAN_HELD', 'h1') })], 'h1');

  it('given a held plan, when the scheduler releases it, then the hold, the pathway’s plan and every place are given back', () => {
    const writes = decideReleaseHold({ holdId: 'h1', reason: 'Patient unwell', expired: false, hold: holdAfter(placed, 'h1'), pathway: pathway('PLAN_HELD', 'h1'), slotStates });
    expect(table(writes)).toEqual([
      ['hold-h1', 1, 'HoldReleased'],
      [`pathway-${coi}`, 4, 'PlanReleased'],
      ...plan.map((s) => [slotStreamId(s), 1, 'SlotReleased']),
    ]);
    expect(writes.slice(2).map((w) => w.events[0]!.data)).toEqual(plan.map((slot) => ({ slot, holdId: 'h1', coi, wasBooked: false, reason: 'Patient unwell' })));
  });

  it('given a booking before collection, when it is released, then its places are given back as booked ones', () => {
    const writes = decideReleaseHold({ holdId: 'h1', reason: 'Consultant declined', expired: false, hold: booked, pathway: pathway('BOOKED', 'h1'), slotStates });
    expect(writes.slice(2).every((w) => (w.events[0]!.data as { wasBooked: boolean }).wasBooked)).toBe(true);
  });

  it('given a booking whose batch is in manufacture, when it is released, then it is refused naming repair and withdrawal, and its beds stay', () => {
    expect(() => decideReleaseHold({ holdId: 'h1', reason: 'x', expired: false, hold: booked, pathway: pathway('BOOKED', 'h1', { product: 'IN_MANUFACTURE' }), slotStates })).toThrow(
      /cannot be released as collection is recorded: the ways out are repair .* or withdrawal/,
    );
  });

  it('given a booking, when the expiry sweep comes to it, then nothing is decided', () => {
    expect(decideReleaseHold({ holdId: 'h1', reason: 'Hold expired', expired: true, hold: booked, pathway: pathway('BOOKED', 'h1'), slotStates })).toEqual([]);
  });
});

describe('repairing a booking', () => {
  const placed = placing();
  const booked = holdAfter([...placed, ...decideConfirmHold({ holdId: 'h1', idempotencyKey: 'c1', now, hold: holdAfter(placed, 'h1'), pathway: pathway('PLAN_HELD', 'h1') })], 'h1');
  const slotStates = slotsWith(Object.fromEntries(plan.map((s) => [slotStreamId(s), ['h1']])));
  const repair = (over: Partial<Parameters<typeof decideRepair>[0]> = {}) =>
    decideRepair({
      coi, proposalId: 'p1', newHoldId: 'h2', reason: 'Repaired: unit MU-1 out of service', now,
      pathway: pathway('BOOKED', 'h1', { product: 'COLLECTED' }), oldHold: booked, kept: [chair, bed], taken: [otherBay], slotStates, capacity: room(1),
      ...over,
    });

  it('given a collection made and the bay’s unit out of service, when the repair moves manufacture to another unit, then done steps keep their places, the bay is given back and the new bay taken, all booked on the new hold', () => {
    const writes = repair();
    expect(table(writes)).toEqual([
      [`pathway-${coi}`, 4, 'PlanRepaired'],
      ['hold-h1', 2, 'HoldReleased'],
      [slotStreamId(chair), 1, 'SlotReleased,SlotHeld'],
      [slotStreamId(bay), 1, 'SlotReleased'],
      [slotStreamId(bed), 1, 'SlotReleased,SlotHeld'],
      [slotStreamId(otherBay), 0, 'SlotHeld'],
      ['hold-h2', 'no_stream', 'HoldPlaced,HoldConfirmed'],
    ]);
    // The new booking lists every place it books; the old bay's place was a booked one.
    expect(writes.at(-1)!.events[1]!.data).toMatchObject({ holdId: 'h2', slots: [chair, bed, otherBay] });
    expect(writes[3]!.events[0]!.data).toMatchObject({ holdId: 'h1', wasBooked: true });
    // Every slot ends with the new hold's place where the new plan has one, and none of the old hold's.
    for (const w of writes.filter((x) => x.streamId.startsWith('slot-'))) {
      const after = (w.events as SlotEvent[]).reduce(slotEvolver.evolve, slotStates.get(w.streamId)?.state ?? slotEvolver.initialState);
      expect(after.held.has('h1')).toBe(false);
      expect(after.held.has('h2')).toBe(w.streamId !== slotStreamId(bay));
    }
  });

  it('given the new unit’s bay is full, when the repair is accepted, then it is refused SLOT_TAKEN', () => {
    expect(() => repair({ slotStates: new Map([...slotStates, ...slotsWith({ [slotStreamId(otherBay)]: ['h9'] })]) })).toThrow(SlotTakenError);
  });

  it('given the patient is in conditioning, when a repair is accepted, then it is refused: the infusion day is fixed by the regimen', () => {
    expect(() => repair({ pathway: pathway('BOOKED', 'h1', { product: 'IN_MANUFACTURE', patient: 'CONDITIONING' }) })).toThrow(/can no longer be repaired here/);
  });
});
