import { addDays, daysBetween, ValidationError, wholeNumber, type LocalDate } from '@bedside/shared';
import { resourceDaysOf, type FreeSlot, type ResourceDays } from '@bedside/capacity/domain';
import type { ProductProcess, Resource } from '@bedside/network';
import type { SlotRef } from './slot';
import { keptRouteTables } from './plan-routes';
import {
  conditioningGateOpensAt,
  conditioningMayStart,
  daysBookedAfterInfusion,
  freshHoldEndsAt,
  icuCover,
  icuCoverFits,
  ICU_COVER_DAYS_AFTER_INFUSION,
  infusionGapDays,
  outOfReachWords,
  sessionFits,
  shelfLifeEndsAt,
  staysWithinReach,
  type PatientStay,
} from './clinical-rules';

/**
 * Exact search for the earliest vein-to-vein plan (domain.md "The vein-to-vein pathway", steps 2-9).
 * Pure: no I/O, no clock. Days are counted from the earliest collection date (index 0).
 *
 * The rules, each checked by the search and by the brute-force oracle in plan-search.spec.ts:
 * R1 Washout (step 2): no collection before `earliestCollectionDate`.
 * R2 Apheresis (step 3): `apheresisSessions` sessions, one a day, on consecutive opening days of one
 *    treatment centre A's apheresis chairs (an opening day is a day with any APHERESIS_CHAIR slot listed,
 *    free or not: a full day breaks the run), each session a slot with free >= 1 at least
 *    apheresisHoursPerSession long (clinical-rules.ts sessionFits; issue 14 §4). Collection starts at the
 *    start of the first session and ends at the end of the last.
 * R3 Starting material (step 4): it travels from A to the unit's site on a route with a known travel time
 *    (same site: 0 h). FRESH: the route must allow a fresh courier, and manufacture must start within
 *    maxFreshHoldHours of the START of the first collection session (clinical-rules.ts freshHoldEndsAt: cells
 *    collected on Friday and Monday are Friday's cells); a repair's kept collection counts from its startedAt.
 *    CRYOPRESERVED: no hold, it may wait (thaw time not modelled).
 * R4 Manufacture start: the material arrives at collection end + travel. Manufacture may start on the day it
 *    arrives: any day whose bay slot ends after the arrival qualifies, starting at max(arrival, slot start).
 * R5 Manufacture (step 5): a designated (DMMF) unit's MANUFACTURING_BAY slot free on each of the
 *    manufactureDays consecutive calendar days D_m ... D_m+manufactureDays-1.
 * R6 Product ready day R (step 6): D_m + manufactureDays + qcReleaseDays when released before conditioning;
 *    D_m + manufactureDays when conditioning runs during manufacture (release results follow infusion).
 *    Manufacture ends when its last bay day's slot ends. Released before conditioning with QC days, the
 *    product is released (QC_RELEASE ends) as the unit's bay opens on day R (without a slot that day, QC
 *    days after manufacture ends), never before manufacture ends; otherwise it is ready when made.
 * R7 Treatment (steps 8-9) at one treatment centre T, infusion day I < horizonDays: the last conditioning
 *    day is I - g for a gap g within [infusionWindowMinDays, infusionWindowMaxDays] ("infuse exactly on day 0,
 *    or 2 to 14 days after conditioning"); conditioning keeps the process's day pattern (with g = -last of
 *    conditioningDays the days are exactly I + d). Each conditioning day needs a CONDITIONING_CHAIR session
 *    with free >= 1, day I an INFUSION_BED, days I ... I+monitoringInpatientDays-1 a MONITORING_BED.
 *    The product travels from the unit's site to T on a route with a known travel time, leaving at its
 *    release before conditioning, at the end of manufacture during it. The infusion happens at the later
 *    of the infusion bed slot's start and the product's arrival at T (the INFUSION step starts then), and
 *    must fall within that slot (on day I: the window is counted in days).
 * R8 Gate (step 7). RELEASE_BEFORE_CONDITIONING: released and in stock at T before conditioning: the first
 *    conditioning day >= R + ceil(travel hours unit->T / 24) (released product ships on day R and is in
 *    stock from the next day, or day R itself on the same site), and the first conditioning session STARTS
 *    at or after the release instant (R6) + travel (clinical-rules.ts conditioningGateOpensAt: the
 *    lifecycle confirms availability only after the release, so a 07:00 release rules out a 06:30 session
 *    that day; issue 11 §6). CONDITIONING_DURING_MANUFACTURE: I = R (day 0 is the day the product is
 *    ready), the first conditioning session STARTS at or after the instant manufacture starts
 *    (clinical-rules.ts conditioningMayStart: the unit can only confirm a batch that is under way, so a
 *    09:00 start rules out an 08:30 session that day). Both: the infusion instant (R7) is within the shelf
 *    life, no later than the end of manufacture + shelfLifeHours (clinical-rules.ts shelfLifeEndsAt, as
 *    the lifecycle's recordInfusion judges it; issue 11 §6), so the product reaches T by then and, during
 *    manufacture, on day I; and conditioning starts after the last collection day (lymphodepletion never
 *    precedes collection).
 * R9 Stay within reach (step 9; issue 14 §4): T is within the process's stayWithinReachMinutes of where the
 *    patient will stay for the monitoring period (`stay`: a postcode district, and the minutes a planner
 *    recorded from it to each centre; clinical-rules.ts staysWithinReach, as the lifecycle judges it before
 *    conditioning and at infusion). Collection (A) may be anywhere. Without `stay` the rule is not judged
 *    (a what-if's made-up patients have no home).
 * R10 ICU cover (step 9; issue 14 §4): on days I+5 and I+6 T has an ICU_BED day with free >= the
 *    process's icuReserveProbability (clinical-rules.ts icuCover, icuCoverFits): each plan reserves that
 *    share of a bed on each day, so the cover reserved never exceeds the ICU beds open. A process with
 *    probability 0 reserves none. The plan holds the share (SlotRef.share), and its ICU step shows it.
 *
 * Order: earliest infusion, then fewer travel hours (A->unit + unit->T), then the preferred centre (as T,
 * then as A), then the earliest collection, then centre, unit and centre codes. Plans are distinct by
 * (A, unit, T, first collection day, I); within one such choice the search takes the earliest manufacture
 * start whose product is in date at the infusion (R8), the gap nearest the process's own, and the earliest
 * free session (really free before relaxed), save that the first collection session is the earliest that
 * leaves the fresh hold room for that start, the first conditioning session the earliest the gate allows
 * (R8), and the infusion bed the earliest the shelf life allows.
 *
 * Pruning (issue 12 §7), none of which changes what is returned (plan-search.spec.ts runs searchPlans and
 * searchPlansUnpruned on random networks and compares everything):
 * P1 Bound. Infusion days are searched in order, so once `count` choices are kept the day being searched
 *    is the last, and a choice on it is kept only if it sorts before the last kept one: with travel no
 *    greater (travel is compared right after the infusion day, and distinct choices never compare equal).
 *    Travel is hours A->unit + unit->T, each at least 0, so a route unit->T longer than that bound rules out
 *    every choice through it, and a collection whose A->unit hours already exceed what is left rules out
 *    all of its starts.
 * P2 Lazy options. A unit makes options (manufacture starts, R3-R6) from the collections due only when a
 *    centre looks at it, and only from apheresis centres near enough for P1 to keep a choice (nearest
 *    first); the bound only tightens, so a centre left out is never needed later that day. Collections
 *    become due in day order as before (a collection ending on day e gives infusion from e +
 *    manufactureDays), so every option an unpruned search would offer on a day exists when it is looked
 *    for. With fewer than `count` plans found, every option due is made before returning, so the counts
 *    whyNone reads match. Index by ready day, not by sorted insertion: options now come centre by centre.
 *    The collections themselves (R1, R2) are made the same way, in day order as they become due, so a
 *    search that finds its plans in the first weeks never makes the months after.
 * P3 Order. Each centre looks at units nearest first, and during manufacture at each unit's starts of the
 *    day least travel first, so the first choices kept travel little and P1 cuts the rest early; the
 *    order cannot change the answer (choices are kept by compareChoices, whatever order they come in).
 * P4 Shared checks. During manufacture the starts of one unit ready on one day end manufacture together
 *    (R6), so the product reaches a centre at one instant and is in date as long: its bed is checked once.
 * P5 Busy units. During manufacture infusion is on the ready day, manufactureDays after the first bay day
 *    (R6), and every start begins a run of free bay days (R5, runStarts): a unit with no run beginning
 *    that day has nothing to offer on the infusion day, so it is passed over unasked (and, by P2, makes
 *    no options for it). On a network filled to 80%, most units most days.
 * P6 Busy units, released before conditioning. A start on a unit from day `low` (the first whose product
 *    can be in date at the infusion, R8) begins at or after the unit's first run of free bay days from
 *    `low` (R5, runStarts; a later day's first run is never earlier), and its product is in stock at the
 *    centre manufactureDays + qcReleaseDays + the route's stock delay after that (R6, R8). A unit whose
 *    first run from `low` is too late for the centre's latest first conditioning day, or which has none,
 *    has nothing to offer there that day: passed over unasked. On a network filled to 80%, the walk to a
 *    plan months out looks at most units most days and found this for nearly all of them.
 * P7 Lazy days. A treatment centre's chairs and beds are judged a day at a time, the first time the walk
 *    asks about that day (Care): the walk stops at the first day with plans enough, so the days after it
 *    are never judged. Live capacity comes grouped by resource and day (ResourceDays), as the capacity
 *    slice keeps it between searches, so indexing it costs a search a few arrays per resource.
 */

/** A slot of live capacity with the places still free on it: the capacity slice's vocabulary (libs/capacity/src/domain/slot.ts). */
export type { FreeSlot } from '@bedside/capacity/domain';

export interface DesignatedUnit {
  readonly unitId: string;
  /** Where the unit is now (its site code). */
  readonly siteCode: string;
}

export interface PlanSearchInput {
  readonly process: ProductProcess;
  readonly earliestCollectionDate: LocalDate;
  /** Infusion wanted by this day; reported on each plan, never a filter (a late plan beats none). */
  readonly clinicalDeadline?: LocalDate | null;
  readonly preferredCentre?: string | null;
  /** Infusion must fall within this many days of the earliest collection date. */
  readonly horizonDays: number;
  /** How many plans to return (default 3). */
  readonly count?: number;
  /** Live capacity: every slot the plan could use, full ones too (a full day still breaks a run of opening days). */
  readonly free: readonly FreeSlot[];
  /**
   * The same slots already grouped by resource and day, day 0 being the earliest collection date, as the
   * capacity slice keeps them between searches (SlotLayoutCache.resourceDays): when given, `free` is not
   * read. The search groups `free` with the same function (resourceDaysOf) when it is not given.
   */
  readonly freeByResource?: readonly ResourceDays[];
  readonly designatedUnits: readonly DesignatedUnit[];
  /** Sites with apheresis chairs, conditioning chairs, infusion and monitoring beds. */
  readonly treatmentCentres: readonly string[];
  /**
   * Hours by road; undefined when no route is known. Same site is 0 h without asking. Both route
   * functions must answer the same for the same sites for as long as they are used: the search keeps
   * tables made from them between searches (plan-routes.ts); new travel times come as new functions.
   */
  readonly travelHours: (fromSite: string, toSite: string) => number | undefined;
  /** Whether fresh starting material may travel the route. Same site is allowed without asking. */
  readonly freshCourier: (fromSite: string, toSite: string) => boolean;
  /** Steps already done that a repair keeps (issue 4 §5): the search plans only what follows them. */
  readonly kept?: KeptSteps | null;
  /** The patient can start conditioning no earlier than this day (a postponement). */
  readonly patientAvailableFrom?: LocalDate | null;
  /** Where the patient will stay for the monitoring period, and the minutes from there to a centre (R9). */
  readonly stay?: PatientStay | null;
}

/**
 * What a pathway under way has done and a repair must build on. Its days may lie before the earliest
 * collection date (day 0 of the search is then today): collection stays where and when it happened, so
 * fresh material must still start manufacture within its hold of `startedAt` (domain.md step 4, R3).
 */
export interface KeptSteps {
  readonly collection: {
    readonly apheresisCentre: string;
    readonly days: readonly LocalDate[];
    readonly startedAt: Date;
    readonly collectedAt: Date;
    /** Where the starting material is now: the collection site until it is received elsewhere. */
    readonly materialSite: string;
    /** When it can leave there: now, for material still waiting to go (its arrival counts from then). */
    readonly departsAt?: Date | null;
    readonly slots: readonly SlotRef[];
  };
  /** Set once manufacture has started: the batch stays on its unit. */
  readonly manufacture: {
    readonly unit: DesignatedUnit;
    readonly startDay: LocalDate;
    readonly startedAt: Date;
    /** End of manufacture, recorded or planned. */
    readonly endsAt: Date;
    /** The product's ready day under its gate (R6), recorded or planned. */
    readonly readyDay: LocalDate;
    readonly slots: readonly SlotRef[];
  } | null;
}

/** ICU: the cover reserved on days 5 and 6 after infusion (R10), a share of a bed each day. */
export type PlanStepKind = 'APHERESIS' | 'TRANSPORT' | 'MANUFACTURE' | 'QC_RELEASE' | 'CONDITIONING' | 'INFUSION' | 'MONITORING' | 'ICU';

export interface PlanStep {
  readonly kind: PlanStepKind;
  /** Where it happens; for TRANSPORT, where it goes. */
  readonly siteCode: string;
  /** TRANSPORT only: where it leaves from. */
  readonly fromSiteCode: string | null;
  readonly unitId: string | null;
  readonly start: Date;
  readonly end: Date;
  readonly slots: readonly SlotRef[];
}

export interface VeinToVeinPlan {
  readonly apheresisCentre: string;
  readonly unitId: string;
  readonly unitSiteCode: string;
  readonly treatmentCentre: string;
  readonly collectionDays: readonly LocalDate[];
  readonly manufactureStartDay: LocalDate;
  readonly productReadyDay: LocalDate;
  readonly conditioningDays: readonly LocalDate[];
  readonly infusionDay: LocalDate;
  /** Infusion day minus first collection day. */
  readonly veinToVeinDays: number;
  readonly travelHours: number;
  /** null when no clinical deadline was given. */
  readonly meetsClinicalDeadline: boolean | null;
  readonly steps: readonly PlanStep[];
  /**
   * Everything to hold: chair sessions, bay days, conditioning sessions, the infusion bed day, monitoring
   * bed days, and ICU cover (a share of a bed, SlotRef.share) on days 5 and 6 after infusion. A repair's kept steps list their slots in `steps` but not here: they are booked already.
   */
  readonly slots: readonly SlotRef[];
  /** What kept this plan from being earlier, in words. */
  readonly limitedBy: string;
}

export interface PlanSearchResult {
  /** Best first; empty when nothing fits the horizon. */
  readonly plans: readonly VeinToVeinPlan[];
  /** Why there is no plan; null when there is one. */
  readonly reasonNone: string | null;
}

const HOUR_MS = 3_600_000;
const NONE = -1;
const NO_SLOTS: FreeSlot[] = [];
/** An empty list to read where a map has none, never written to: the walk asks thousands of times. */
const NOTHING: readonly never[] = [];

/** Kinds of capacity the explanation frees in turn to find what binds. */
type Group = 'APHERESIS' | 'MANUFACTURE' | 'TREATMENT';
const GROUPS: readonly Group[] = ['APHERESIS', 'MANUFACTURE', 'TREATMENT'];
const GROUP_OF: Readonly<Record<Resource, Group | null>> = {
  APHERESIS_CHAIR: 'APHERESIS',
  MANUFACTURING_BAY: 'MANUFACTURE',
  CONDITIONING_CHAIR: 'TREATMENT',
  INFUSION_BED: 'TREATMENT',
  MONITORING_BED: 'TREATMENT',
  ICU_BED: 'TREATMENT',
};
/**
 * What a search may relax: kinds of capacity, or (to explain, never to plan) the session times of R8
 * during manufacture, which then falls back to its day rule (first conditioning day >= D_m).
 */
type Relax = ReadonlySet<Group | 'SESSION_TIME'>;
const NO_RELAX: Relax = new Set();
const SESSION_TIME: Relax = new Set(['SESSION_TIME']);

/** Slots of one resource kind at one site, by day index, each day's sorted by start. */
type ByDay = (readonly FreeSlot[])[];

/** The input indexed once; every search below (the real one and the relaxed ones) reads it. */
interface Net {
  readonly input: PlanSearchInput;
  /** Whether to prune (P1-P6); off only to show that pruning changes nothing. */
  readonly prune: boolean;
  readonly p: ProductProcess;
  readonly rbc: boolean;
  readonly horizon: number;
  /** Days indexed: the horizon plus room for monitoring after the last possible infusion. */
  readonly days: number;
  /** Conditioning days counted from the first; span is first to last. */
  readonly offsets: readonly number[];
  readonly span: number;
  /** Gaps from last conditioning day to infusion, the process's own first. */
  readonly gaps: readonly number[];
  readonly sites: Readonly<Record<'APHERESIS_CHAIR' | 'CONDITIONING_CHAIR' | 'INFUSION_BED' | 'MONITORING_BED' | 'ICU_BED', Map<string, ByDay>>>;
  /** The share of an ICU bed each plan reserves on ICU_COVER_DAYS_AFTER_INFUSION (R10); 0 for none. */
  readonly icuShare: number;
  readonly bays: Map<string, (FreeSlot | undefined)[]>;
  readonly hours: (from: string, to: string) => number | undefined;
  readonly fresh: (from: string, to: string) => boolean;
  /** No collection and no conditioning before this day index (a postponed patient; 0 otherwise). */
  readonly patientFrom: number;
  /** A repair's collection that is done, as the only collection there is. */
  readonly keptCollection: Collection | null;
  /** A repair's batch under way or made, as the only upstream there is. */
  readonly keptUpstream: Upstream | null;
  /** Scoped searches already made in this call (see scoped). */
  readonly scopedBests: Map<string, Outcome>;
  /** How long the product stays in date after manufacture ends (clinical-rules.ts shelfLifeEndsAt), in ms (R8). */
  readonly shelfLifeMs: number;
}

interface Scope {
  readonly apheresis: readonly string[];
  readonly units: readonly DesignatedUnit[];
  readonly treatment: readonly string[];
}

interface Collection {
  readonly centre: string;
  readonly days: readonly number[];
  /**
   * Free sessions on the first day, earliest start first, when collection takes more than one day: the
   * first session's start opens the fresh hold (R3). Empty when the last session is also the first.
   */
  readonly firsts: readonly FreeSlot[];
  /** The session taken on each day between the first and the last. */
  readonly middle: readonly FreeSlot[];
  /** Free sessions on the last day, earliest end first: the end matters for the arrival (and, alone, the hold). */
  readonly last: readonly FreeSlot[];
  /** When the fresh hold each of `firsts` opens ends (R3), in ms; infinite when no hold binds. */
  readonly firstHoldEnds: readonly number[];
  /** Per last session, the latest a start may be: the latest hold end of the sessions that may open the collection (R3). */
  readonly lastHoldEnds: readonly number[];
  /** Kept collection: the material cannot leave where it is before this (now, for material waiting). */
  readonly departsAt?: number;
}

interface Upstream {
  readonly col: Collection;
  readonly unit: DesignatedUnit;
  /** The first collection session (the hold counts from its start) and the last (the arrival from its end). */
  readonly first: FreeSlot;
  readonly session: FreeSlot;
  readonly hours: number;
  readonly arrival: number;
  readonly start: number;
  /** `start` as an instant, for the gate (R8). */
  readonly startAt: Date;
  readonly dm: number;
  readonly ready: number;
  /** When manufacture ends, when the product is released (R6), and when its shelf life ends (R8), in ms. */
  readonly made: number;
  readonly released: number;
  readonly expires: number;
}

interface Choice {
  readonly up: Upstream;
  readonly centre: string;
  readonly first: number;
  readonly infusion: number;
  readonly productHours: number;
  readonly travel: number;
  readonly preference: number;
}

interface Outcome {
  readonly choices: Choice[];
  readonly collections: number;
  readonly upstreams: number;
  /**
   * The earliest infusion day at which the gate during manufacture refused a course only for its session
   * times (the day rule would allow it; R8); infinite if none. Relaxing SESSION_TIME can be earlier only then.
   */
  readonly sessionTimeBound: number;
}

export function searchPlans(input: PlanSearchInput): PlanSearchResult {
  return searchWith(input, { prune: true });
}

/**
 * The same search without the pruning (P1-P6 below), for the property test and the benchmark that show
 * pruning changes nothing but the time taken (issue 12 §7). Not for production use: it is only slower.
 */
export function searchPlansUnpruned(input: PlanSearchInput): PlanSearchResult {
  return searchWith(input, { prune: false });
}

interface SearchOptions {
  readonly prune: boolean;
}

function searchWith(input: PlanSearchInput, options: SearchOptions): PlanSearchResult {
  const net = indexNetwork(input, options);
  const count = wholeNumber('count', input.count ?? 3, 1, 20);
  const all: Scope = {
    apheresis: [...new Set(input.treatmentCentres)].sort(),
    units: [...new Map(input.designatedUnits.map((u) => [u.unitId, u])).values()].sort((a, b) => cmp(a.unitId, b.unitId)),
    treatment: [...new Set(input.treatmentCentres)].sort(),
  };
  // R9: only centres the patient can stay within reach of treat them.
  const stay = input.stay ?? null;
  const outOfReach = stay ? all.treatment.filter((t) => !staysWithinReach(input.process, stay.minutesTo(t))) : [];
  if (outOfReach.length > 0) Object.assign(all, { treatment: all.treatment.filter((t) => !outOfReach.includes(t)) });
  const kept = input.kept ?? null;
  if (kept) {
    // A repair builds on what is done: the material is where it is, a batch under way stays on its unit.
    Object.assign(all, { apheresis: [kept.collection.materialSite] });
    if (kept.manufacture) Object.assign(all, { units: [kept.manufacture.unit] });
  }
  if (stay && all.treatment.length === 0 && outOfReach.length > 0) return { plans: [], reasonNone: noCentreWithinReach(input.process, stay, outOfReach) };
  const found = search(net, all, NO_RELAX, count);
  if (found.choices.length === 0) {
    const beyond = stay && outOfReach.length > 0 ? ` Centres out of reach of ${stay.district}, where the patient will stay, were not searched for treatment: ${outOfReach.join(', ')}.` : '';
    return { plans: [], reasonNone: whyNone(net, all, found, beyond) };
  }
  return { plans: found.choices.map((choice) => ({ ...build(net, choice, NO_RELAX).plan, limitedBy: limitedBy(net, choice) })), reasonNone: null };
}

function indexNetwork(input: PlanSearchInput, options: SearchOptions): Net {
  const p = input.process;
  const horizon = wholeNumber('horizonDays', input.horizonDays, 1, 400);
  if (p.startingMaterial === 'FRESH' && (p.maxFreshHoldHours === null || !(p.maxFreshHoldHours > 0))) {
    throw new ValidationError('process.maxFreshHoldHours', 'Fresh starting material needs a maximum hold in hours.');
  }
  if (p.conditioningGate === 'CONDITIONING_DURING_MANUFACTURE' && p.startingMaterial !== 'FRESH') {
    throw new ValidationError('process.conditioningGate', 'Conditioning during manufacture is for fresh point-of-care product only.');
  }
  if (p.conditioningDays.length === 0) throw new ValidationError('process.conditioningDays', 'Give at least one conditioning day.');
  const firstDay = p.conditioningDays[0]!;
  const lastDay = p.conditioningDays[p.conditioningDays.length - 1]!;
  const own = -lastDay;
  const window = infusionGapDays(p);
  const gaps: number[] = [];
  for (let g = window.min; g <= window.max; g++) gaps.push(g);
  gaps.sort((a, b) => Math.abs(a - own) - Math.abs(b - own) || a - b);

  const days = horizon + daysBookedAfterInfusion(p);
  const sites = { APHERESIS_CHAIR: new Map(), CONDITIONING_CHAIR: new Map(), INFUSION_BED: new Map(), MONITORING_BED: new Map(), ICU_BED: new Map() } as Net['sites'];
  const bays = new Map<string, (FreeSlot | undefined)[]>();
  // By resource and day, each day's in order of start (one resource key per site resource and per unit).
  for (const { siteCode, unitId, resource, days: slotDays } of input.freeByResource ?? resourceDaysOf(input.free, input.earliestCollectionDate, days)) {
    if (resource === 'MANUFACTURING_BAY') {
      if (unitId && !bays.has(unitId)) bays.set(unitId, Array.from({ length: days }, (_, i) => slotDays[i]?.[0]));
      continue;
    }
    const map = sites[resource];
    if (map.has(siteCode)) continue;
    // Days without a slot share one empty list, never written to: most sites are closed most days.
    const row = new Array<readonly FreeSlot[]>(days);
    for (let i = 0; i < days; i++) row[i] = slotDays[i] ?? NO_SLOTS;
    map.set(siteCode, row);
  }

  // Routes asked for once each, kept by site and site (a national network asks for thousands per search).
  const hourCache = new Map<string, Map<string, number | undefined>>();
  const freshCache = new Map<string, Map<string, boolean>>();
  const hours = (from: string, to: string) => {
    if (from === to) return 0;
    let row = hourCache.get(from);
    if (!row) hourCache.set(from, (row = new Map()));
    if (!row.has(to)) row.set(to, input.travelHours(from, to));
    return row.get(to);
  };
  const index = (d: LocalDate) => daysBetween(input.earliestCollectionDate, d);
  const { keptCollection, keptUpstream } = keptParts(input, index, hours, bays);
  return {
    input,
    prune: options.prune,
    patientFrom: input.patientAvailableFrom ? Math.max(0, index(input.patientAvailableFrom)) : 0,
    keptCollection,
    keptUpstream,
    scopedBests: new Map(),
    shelfLifeMs: shelfLifeEndsAt(p, new Date(0)).getTime(),
    icuShare: icuCover(p, input.earliestCollectionDate).share,
    p,
    rbc: p.conditioningGate === 'RELEASE_BEFORE_CONDITIONING',
    horizon,
    days,
    offsets: p.conditioningDays.map((d) => d - firstDay),
    span: lastDay - firstDay,
    gaps,
    sites,
    bays,
    hours,
    fresh: (from, to) => {
      if (from === to) return true;
      let row = freshCache.get(from);
      if (!row) freshCache.set(from, (row = new Map()));
      let ok = row.get(to);
      if (ok === undefined) row.set(to, (ok = input.freshCourier(from, to)));
      return ok;
    },
  };
}

/** The done collection as a run of days with one pseudo-session ending at `collectedAt`; a started batch as a fixed upstream. */
function keptParts(
  input: PlanSearchInput,
  index: (d: LocalDate) => number,
  hours: (from: string, to: string) => number | undefined,
  bays: Net['bays'],
): Pick<Net, 'keptCollection' | 'keptUpstream'> {
  const kept = input.kept;
  if (!kept) return { keptCollection: null, keptUpstream: null };
  const { collection, manufacture } = kept;
  if (collection.days.length === 0) throw new ValidationError('kept.collection.days', 'A kept collection needs its collection days.');
  const session: FreeSlot = {
    resourceKey: '',
    siteCode: collection.materialSite,
    unitId: null,
    resource: 'APHERESIS_CHAIR',
    day: collection.days[collection.days.length - 1]!,
    session: '',
    startsAt: collection.startedAt,
    endsAt: collection.collectedAt,
    free: 1,
  };
  // One pseudo-session from startedAt to collectedAt: it opens the hold and ends the collection (R3).
  const col: Collection = {
    centre: collection.materialSite,
    days: collection.days.map(index),
    firsts: [],
    middle: [],
    last: [session],
    ...holdEnds(input.process, [], [session]),
    departsAt: collection.departsAt?.getTime(),
  };
  if (!manufacture) return { keptCollection: col, keptUpstream: null };
  const start = manufacture.startedAt.getTime();
  const made = manufacture.endsAt.getTime();
  const ready = index(manufacture.readyDay);
  const up: Upstream = {
    col,
    unit: manufacture.unit,
    first: session,
    session,
    hours: hours(collection.materialSite, manufacture.unit.siteCode) ?? 0,
    arrival: start,
    start,
    startAt: manufacture.startedAt,
    dm: index(manufacture.startDay),
    ready,
    made,
    released: releaseOf({ p: input.process, rbc: input.process.conditioningGate === 'RELEASE_BEFORE_CONDITIONING' }, bays.get(manufacture.unit.unitId), made, ready),
    expires: shelfLifeEndsAt(input.process, manufacture.endsAt).getTime(),
  };
  return { keptCollection: col, keptUpstream: up };
}

/**
 * R6: when the product is released, for manufacture ending at `made` with ready day index `ready`.
 * Released before conditioning with QC days: as the unit's bay opens on the ready day (QC days after
 * `made` without a slot then), never before `made`; otherwise at `made`.
 */
function releaseOf(net: Pick<Net, 'p' | 'rbc'>, bay: readonly (FreeSlot | undefined)[] | undefined, made: number, ready: number): number {
  if (!net.rbc || net.p.qcReleaseDays === 0) return made;
  return Math.max(made, bay?.[ready]?.startsAt.getTime() ?? made + net.p.qcReleaseDays * 24 * HOUR_MS);
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const isFree = (slot: FreeSlot, relax: Relax) => slot.free >= 1 || relax.has(GROUP_OF[slot.resource]!);
const byEnd = (a: FreeSlot, b: FreeSlot) => a.endsAt.getTime() - b.endsAt.getTime() || a.startsAt.getTime() - b.startsAt.getTime();
const byStart = (a: FreeSlot, b: FreeSlot) => a.startsAt.getTime() - b.startsAt.getTime() || a.endsAt.getTime() - b.endsAt.getTime();

/** Sorts a day's few sessions in place, stably; Array.prototype.sort allocates a work list every call. */
function sortSmall<T>(list: T[], compare: (a: T, b: T) => number): void {
  for (let i = 1; i < list.length; i++) {
    const item = list[i]!;
    let j = i;
    for (; j > 0 && compare(list[j - 1]!, item) > 0; j--) list[j] = list[j - 1]!;
    list[j] = item;
  }
}

/** The sessions of a day free (or relaxed), in a new list. */
/** R2: a day's chair sessions that are free and long enough for a session of the process (sessionFits). */
function freeSessions(p: ProductProcess, list: readonly FreeSlot[], relax: Relax): FreeSlot[] {
  const free: FreeSlot[] = [];
  for (const s of list) if (isFree(s, relax) && sessionFits(p, s)) free.push(s);
  return free;
}
/** A really free slot before one free only under relaxation, so explanations name only slots that are full. */
const pick = (list: readonly FreeSlot[], relax: Relax) => list.find((s) => s.free >= 1) ?? list.find((s) => isFree(s, relax));

function compareChoices(a: Choice, b: Choice): number {
  return (
    a.infusion - b.infusion ||
    a.travel - b.travel ||
    a.preference - b.preference ||
    a.up.col.days[0]! - b.up.col.days[0]! ||
    cmp(a.up.col.centre, b.up.col.centre) ||
    cmp(a.up.unit.unitId, b.up.unit.unitId) ||
    cmp(a.centre, b.centre)
  );
}

/**
 * R1, R2: every run of consecutive opening days at a centre with a free session on each, in day order
 * (each ends on a later opening day than the one before). Made lazily (P2): a search that finds its
 * plans in the first weeks never makes the collections of the months after.
 */
class CentreCollections {
  readonly list: Collection[] = [];
  /** The last day of the next run to look at (infinite once there is none): `through` has nothing to make before it. */
  nextLast = Number.POSITIVE_INFINITY;
  private k = 0;

  constructor(
    private readonly net: Net,
    private readonly centre: string,
    private readonly relax: Relax,
    private readonly open: readonly number[],
  ) {
    this.nextLast = this.lastOfRun();
  }

  /** A repair's done collection, as the only one there is. */
  static only(net: Net, col: Collection): CentreCollections {
    const at = new CentreCollections(net, col.centre, NO_RELAX, []);
    at.list.push(col);
    return at;
  }

  static at(net: Net, centre: string, relax: Relax): CentreCollections {
    const row = net.sites.APHERESIS_CHAIR.get(centre);
    const open: number[] = [];
    if (row) for (let i = 0; i < net.horizon; i++) if (row[i]!.length > 0) open.push(i);
    return new CentreCollections(net, centre, relax, open);
  }

  /** Makes every collection ending on or before `lastDay`. */
  through(lastDay: number): void {
    const { net, relax, open } = this;
    const n = net.p.apheresisSessions;
    const row = net.sites.APHERESIS_CHAIR.get(this.centre)!;
    for (; this.nextLast <= lastDay && this.nextLast !== Number.POSITIVE_INFINITY; this.k++, this.nextLast = this.lastOfRun()) {
      if (open[this.k]! < net.patientFrom) continue;
      // A national search makes thousands of these: no copies, and no sorting of a single session.
      const free: FreeSlot[][] = [];
      for (let d = this.k; d < this.k + n; d++) {
        const sessions = freeSessions(net.p, row[open[d]!]!, relax);
        if (sessions.length === 0) break;
        free.push(sessions);
      }
      if (free.length < n) continue;
      const last = free[n - 1]!; // a list of its own: the first day's is another when n > 1
      if (last.length > 1) sortSmall(last, byEnd);
      const firsts = n > 1 ? free[0]! : NO_SLOTS;
      if (firsts.length > 1) sortSmall(firsts, byStart);
      const middle: FreeSlot[] = n > 2 ? [] : NO_SLOTS; // the shared empty list is never pushed to
      for (let d = 1; d < n - 1; d++) middle.push(pick(free[d]!, relax)!);
      const { firstHoldEnds, lastHoldEnds } = holdEnds(net.p, firsts, last);
      this.list.push({ centre: this.centre, days: open.slice(this.k, this.k + n), firsts, middle, last, firstHoldEnds, lastHoldEnds });
    }
  }

  private lastOfRun(): number {
    const at = this.k + this.net.p.apheresisSessions - 1;
    return at < this.open.length ? this.open[at]! : Number.POSITIVE_INFINITY;
  }
}

/** R5: for each day, the first day from it that starts manufactureDays free bay days in a row. */
function runStarts(net: Net, bay: readonly (FreeSlot | undefined)[], relax: Relax): Int32Array {
  const next = new Int32Array(net.days + 1).fill(NONE);
  let run = 0;
  for (let i = net.days - 1; i >= 0; i--) {
    const slot = bay[i];
    run = slot && isFree(slot, relax) ? run + 1 : 0;
    next[i] = run >= net.p.manufactureDays ? i : next[i + 1]!;
  }
  return next;
}

/** When the fresh hold opened by a collection session ends (R3), in ms; infinite when no hold binds. */
const holdEnd = (p: ProductProcess, first: FreeSlot) => freshHoldEndsAt(p, first.startsAt)?.getTime() ?? Number.POSITIVE_INFINITY;

/** R3: a collection's hold ends, worked out once for every unit it may go to. Alone, a last session opens its own hold. */
function holdEnds(p: ProductProcess, firsts: readonly FreeSlot[], last: readonly FreeSlot[]): Pick<Collection, 'firstHoldEnds' | 'lastHoldEnds'> {
  if (firsts.length === 0) return { firstHoldEnds: NOTHING, lastHoldEnds: last.map((session) => holdEnd(p, session)) };
  const firstHoldEnds = firsts.map((first) => holdEnd(p, first));
  const latest = Math.max(...firstHoldEnds);
  return { firstHoldEnds, lastHoldEnds: last.map(() => latest) };
}

/** How many of a start's first and last collection sessions are really free (not only relaxed). */
const reallyFree = (first: FreeSlot, session: FreeSlot) => (first.free >= 1 ? 1 : 0) + (session.free >= 1 ? 1 : 0);

/** One collection's manufacture starts on one unit, in day order, made only when asked for (R3-R6). */
interface Starts {
  readonly unit: DesignatedUnit;
  /** Hours from the apheresis centre to the unit: every start of the collection travels them (P1). */
  readonly hours: number;
  /** The ready day of the first start on day index `dm` or later (NONE if none), made without making the start. */
  readyFrom(dm: number): number;
  /** The first start on day index `dm` or later (undefined if none), with its earliest start instant. */
  from(dm: number): Upstream | undefined;
  /** The start after `up`. */
  after(up: Upstream): Upstream | undefined;
}

/**
 * R3-R6 for one collection and one unit: the start days the hold allows, each with its earliest start
 * instant. During manufacture I = R, so each is a different infusion day (the gate compares the start
 * with the first conditioning session, R8). Release before conditioning: a later start is later in every
 * gate, but its product is in date later too (R8 shelf life); the search asks for the first in date.
 * A class, worked out on first use: a national search pairs thousands of collections with units (P2)
 * and asks most pairs once, so a closure, a map and the sessions' arrivals made for each were much of
 * what it allocated (issue 12 §7).
 */
class UnitStarts implements Starts {
  // Release before conditioning asks again for the same starts as infusion days go by, from many days
  // (during manufacture each is asked for once): each start made once, the last one at hand, the rest
  // in a map made once a second one is asked for, by bay day and last session.
  private made: Upstream | undefined;
  private madeKey = NONE;
  private others: Map<number, Upstream> | null = null;

  // The start `choose` found: its last session, bay day, start instant and first session.
  private chosen = NONE;
  private chosenDm = 0;
  private chosenStart = 0;
  private chosenFirst: FreeSlot | undefined;

  constructor(
    private readonly net: Net,
    private readonly col: Collection,
    readonly unit: DesignatedUnit,
    readonly hours: number,
    private readonly next: Int32Array,
  ) {}

  readyFrom(low: number): number {
    const { p, rbc } = this.net;
    return this.choose(low) ? this.chosenDm + p.manufactureDays + (rbc ? p.qcReleaseDays : 0) : NONE;
  }

  from(low: number): Upstream | undefined {
    return this.choose(low) ? this.start(this.chosenDm, this.chosen, this.chosenStart, this.chosenFirst!) : undefined;
  }

  after(up: Upstream): Upstream | undefined {
    return this.from(up.dm + 1);
  }

  /** Finds the first start on day `low` or later (R3-R6) and keeps it in `chosen...`; false if there is none. */
  private choose(low: number): boolean {
    const { net, next } = this;
    const { p } = net;
    const bay = net.bays.get(this.unit.unitId)!;
    const { col } = this;
    const lastDay = col.days[col.days.length - 1]!;
    // The earliest day; on it the earliest start, really free before relaxed.
    let best = NONE;
    let bestDm = 0;
    let bestStart = 0;
    let bestFirst: FreeSlot | undefined;
    for (let k = 0; k < col.last.length; k++) {
      const session = col.last[k]!;
      const arrival = this.arrival(session);
      // The first day whose bay ends after the material arrives (R4): worked out each time, as most
      // pairs of collection and unit are asked once or twice and a unit's bay is open most days.
      let j = lastDay;
      while (j < net.days && !(bay[j] && bay[j]!.endsAt.getTime() > arrival)) j++;
      const dm = next[Math.min(Math.max(j, low), net.days)]!;
      if (dm === NONE) continue;
      const ready = dm + p.manufactureDays + (net.rbc ? p.qcReleaseDays : 0);
      if (ready >= net.horizon) continue; // later days are only later
      const start = Math.max(arrival, bay[dm]!.startsAt.getTime());
      if (start > col.lastHoldEnds[k]!) continue; // later days only start later
      // The earliest first session whose hold still runs at the start, really free before relaxed (alone, the last opens it).
      let first: FreeSlot | undefined = col.firsts.length === 0 ? session : undefined;
      for (let o = 0; o < col.firsts.length; o++) {
        if (start > col.firstHoldEnds[o]!) continue;
        first ??= col.firsts[o]!;
        if (col.firsts[o]!.free >= 1) {
          first = col.firsts[o]!;
          break;
        }
      }
      if (best !== NONE && (dm > bestDm || (dm === bestDm && (start > bestStart || (start === bestStart && reallyFree(first!, session) <= reallyFree(bestFirst!, col.last[best]!)))))) continue;
      best = k;
      bestDm = dm;
      bestStart = start;
      bestFirst = first;
    }
    this.chosen = best;
    this.chosenDm = bestDm;
    this.chosenStart = bestStart;
    this.chosenFirst = bestFirst;
    return best !== NONE;
  }

  /** When the material collected in `session` arrives at the unit (R3, R4), in ms. */
  private arrival(session: FreeSlot): number {
    const end = session.endsAt.getTime();
    return Math.max(end, this.col.departsAt ?? end) + this.hours * HOUR_MS;
  }

  /** The start on bay day `dm` after last session `k`, made once. */
  private start(dm: number, k: number, start: number, first: FreeSlot): Upstream {
    const key = dm * this.col.last.length + k;
    if (key === this.madeKey) return this.made!;
    if (this.made) (this.others ??= new Map()).set(this.madeKey, this.made);
    let up = this.others?.get(key);
    if (!up) {
      const { net, col, unit, hours } = this;
      const { p } = net;
      const bay = net.bays.get(unit.unitId)!;
      const session = col.last[k]!;
      const arrival = this.arrival(session);
      const ready = dm + p.manufactureDays + (net.rbc ? p.qcReleaseDays : 0);
      const made = bay[dm + p.manufactureDays - 1]!.endsAt.getTime();
      up = { col, unit, first, session, hours, arrival, start, startAt: new Date(start), dm, ready, made, released: releaseOf(net, bay, made, ready), expires: made + net.shelfLifeMs };
    }
    this.made = up;
    this.madeKey = key;
    return up;
  }
}

/**
 * R7 at one centre, day by day, each day worked out only when the search first asks (the search walks
 * infusion days upwards and stops at the first with plans enough, so the months after are never looked
 * at; issue 12 §7). A day past the index has nothing.
 */
class Care {
  private readonly chairs: ByDay | undefined;
  private readonly infusion: ByDay | undefined;
  private readonly monitoring: ByDay | undefined;
  private readonly icu: ByDay | undefined;
  // Where this centre's days start in `known`: chairs, infusion beds, monitoring beds, beds from a day, ICU cover.
  private readonly chairFree: number;
  private readonly bedFree: number;
  private readonly monitoringFree: number;
  private readonly bedsFrom: number;
  private readonly icuFree: number;
  /** Where this centre's days start in the tables with one entry per day (first beds, latest chairs). */
  private readonly perDay: number;

  /**
   * One table of days for every centre of a search: a search at national scale looks at a hundred centres,
   * and typed arrays made for each centre and kind made a release-before-conditioning search about a fifth
   * slower (issue 12 §7).
   */
  static table(net: Net, centres: readonly string[], relax: Relax): Map<string, Care> {
    const known = new Int8Array(KNOWN_KINDS * net.days * centres.length).fill(-1);
    const firstBeds = new Float64Array(net.days * centres.length).fill(Number.NaN);
    const latest = new Array<Date | null | undefined>(net.days * centres.length);
    return new Map(centres.map((centre, k) => [centre, new Care(net, centre, relax, known, firstBeds, latest, k)] as const));
  }

  private constructor(
    private readonly net: Net,
    centre: string,
    private readonly relax: Relax,
    /** Per day and kind: -1 not worked out yet, 0 no, 1 yes. */
    private readonly known: Int8Array,
    /** Per day: the earliest free infusion bed's start, NaN until worked out. */
    private readonly firstBedAt: Float64Array,
    /** Per day: the latest free conditioning session's start, null if none, undefined until worked out. */
    private readonly latestAt: (Date | null | undefined)[],
    k: number,
  ) {
    const { days } = net;
    this.chairFree = KNOWN_KINDS * k * days;
    this.bedFree = this.chairFree + days;
    this.monitoringFree = this.bedFree + days;
    this.bedsFrom = this.monitoringFree + days;
    this.icuFree = this.bedsFrom + days;
    this.perDay = k * days;
    this.chairs = net.sites.CONDITIONING_CHAIR.get(centre);
    this.infusion = net.sites.INFUSION_BED.get(centre);
    this.monitoring = net.sites.MONITORING_BED.get(centre);
    this.icu = net.sites.ICU_BED.get(centre);
  }

  /** Whether day `i` has an ICU bed-day with room for the process's share of cover (R10), worked out once. */
  private cover(i: number): boolean {
    if (i < 0 || i >= this.net.days) return false;
    const { known } = this;
    const at = this.icuFree + i;
    if (known[at] === -1) known[at] = (this.icu?.[i] ?? NO_SLOTS).some((s) => coverFree(this.net, s, this.relax)) ? 1 : 0;
    return known[at] === 1;
  }

  /** Whether day `i` has a free slot in `row`, worked out once. */
  private free(at: number, row: ByDay | undefined, i: number): boolean {
    if (i < 0 || i >= this.net.days) return false;
    const { known } = this;
    if (known[at + i] === -1) {
      known[at + i] = 0;
      const slots = row?.[i] ?? NO_SLOTS;
      for (let k = 0; k < slots.length; k++) {
        if (isFree(slots[k]!, this.relax)) {
          known[at + i] = 1;
          break;
        }
      }
    }
    return known[at + i] === 1;
  }

  /** A conditioning course can start on this day (R7). */
  course(i: number): boolean {
    if (i < 0 || i >= this.net.days) return false;
    // A loop, not offsets.every: this is asked for every centre, day and gap, and a closure each time was most of what the search allocated.
    const { offsets } = this.net;
    for (let k = 0; k < offsets.length; k++) if (!this.free(this.chairFree, this.chairs, i + offsets[k]!)) return false;
    return true;
  }

  /**
   * Infusion and monitoring beds from this day (R7): a free infusion bed, then monitoringInpatientDays free
   * monitoring days in a row; and ICU cover on days 5 and 6 after it (R10).
   */
  beds(i: number): boolean {
    const { net } = this;
    if (i < 0 || i >= net.horizon) return false;
    const { known, bedsFrom } = this;
    if (known[bedsFrom + i] === -1) {
      let ok = this.free(this.bedFree, this.infusion, i);
      for (let k = 0; ok && k < net.p.monitoringInpatientDays; k++) ok = this.free(this.monitoringFree, this.monitoring, i + k);
      if (net.icuShare > 0) for (let k = 0; ok && k < ICU_COVER_DAYS_AFTER_INFUSION.length; k++) ok = this.cover(i + ICU_COVER_DAYS_AFTER_INFUSION[k]!);
      known[bedsFrom + i] = ok ? 1 : 0;
    }
    return known[bedsFrom + i] === 1;
  }

  /** The latest start of a free conditioning session on the day: the gate during manufacture compares it (R8). */
  latestChair(i: number): Date | undefined {
    if (!this.free(this.chairFree, this.chairs, i)) return undefined;
    const at = this.perDay + i;
    let latest = this.latestAt[at];
    if (latest === undefined) {
      latest = null;
      for (const s of this.chairs![i]!) if (isFree(s, this.relax)) latest = s.startsAt; // sorted by start
      this.latestAt[at] = latest;
    }
    return latest ?? undefined;
  }

  /** The earliest start of a free infusion bed slot on the day, in ms (infinite if none): the shelf life bounds it (R8). */
  firstBed(i: number): number {
    if (!this.free(this.bedFree, this.infusion, i)) return Number.POSITIVE_INFINITY;
    const at = this.perDay + i;
    if (Number.isNaN(this.firstBedAt[at]!)) {
      for (const s of this.infusion![i]!) {
        if (!isFree(s, this.relax)) continue;
        this.firstBedAt[at] = s.startsAt.getTime(); // sorted by start
        break;
      }
    }
    return this.firstBedAt[at]!;
  }
}

/** Kinds of day Care works out once per centre: chairs, infusion beds, monitoring beds, beds from a day, ICU cover. */
const KNOWN_KINDS = 5;

/** R10: an ICU bed-day with room for the process's share of cover (or the treatment group relaxed). */
const coverFree = (net: Pick<Net, 'icuShare'>, slot: FreeSlot, relax: Relax): boolean => icuCoverFits(net.icuShare, slot.free) || relax.has('TREATMENT');

/** R7, R8: when the product reaches a centre `hours` from its unit: from its release before conditioning, from the end of manufacture during it. */
const arrivalAt = (net: Net, up: Upstream, hours: number) => (net.rbc ? up.released : up.made) + hours * HOUR_MS;

/**
 * R7, R8: the infusion instant on an infusion bed slot, the later of the slot's start and the product's
 * arrival; null unless it falls within the slot (on the infusion day) and within the shelf life.
 */
function infusionAt(net: Net, up: Upstream, hours: number, bed: FreeSlot): number | null {
  const at = Math.max(bed.startsAt.getTime(), arrivalAt(net, up, hours));
  return at < bed.endsAt.getTime() && at <= up.expires ? at : null;
}

/** R8: the instant from which the first conditioning session may start at a centre `hours` from the unit. */
const gateOpensAt = (net: Net, up: Upstream, hours: number): number =>
  conditioningGateOpensAt(net.p.conditioningGate, { manufactureStartsAt: up.startAt, releasedAt: new Date(up.released), travelHours: hours })!.getTime();

/**
 * Walks infusion days upwards, so the first day with any plan is the earliest there is (exactness), and
 * stops once `count` plans are found and that day is done. Per day and centre only options that can meet
 * the gate are looked at: release before conditioning, each unit's options by ready day (stop at the first
 * too late); during manufacture, the options starting exactly manufactureDays before the infusion day.
 */
function search(net: Net, scope: Scope, relax: Relax, count: number): Outcome {
  const { p } = net;
  const lastOf = (col: Collection) => col.days[col.days.length - 1]!;
  // Each centre's collections (a repair's done collection as the only one), made as far as asked (P2).
  const colsAt = new Map<string, CentreCollections>(
    net.keptCollection ? [[net.keptCollection.centre, CentreCollections.only(net, net.keptCollection)]] : scope.apheresis.map((c) => [c, CentreCollections.at(net, c, relax)] as const),
  );
  const allCollections = () => {
    for (const at of colsAt.values()) at.through(Number.POSITIVE_INFINITY);
    return [...colsAt.values()].flatMap((at) => at.list).sort((a, b) => lastOf(a) - lastOf(b));
  };
  // Unpruned: every collection, made at once.
  const cols = net.prune ? [] : allCollections();
  // R3 and R7: routes for starting material and product, kept between searches (plan-routes.ts).
  const routeTable = keptRouteTables(scope, p.startingMaterial === 'FRESH', net.input.travelHours, net.input.freshCourier);
  const units = net.keptUpstream ? [] : scope.units.flatMap((unit) => {
    const bay = net.bays.get(unit.unitId);
    if (!bay) return [];
    // R3: the route from each apheresis centre, if starting material may take it.
    return [{ unit, from: routeTable.materialFrom.get(unit.unitId)!, nearest: routeTable.materialNearestFirst.get(unit.unitId)!, next: runStarts(net, bay, relax) }];
  });
  // Release before conditioning: each unit's collections, each with its starts (asked for by the shelf
  // life, R8), sorted by their first ready day. During manufacture: every start by ready day (I = R).
  const byUnit = new Map<string, { ready: number; hours: number; starts: Starts }[]>();
  const byReady = new Map<number, Upstream[]>();
  // The pruned search keeps starts during manufacture per unit (P2 makes them unit by unit), by ready
  // day, sorted least travel first when looked at (P3).
  const byUnitReady = new Map<string, Map<number, Upstream[]>>();
  let upstreams = 0;
  const add = (starts: Starts) => {
    if (net.rbc) {
      // The first start's ready day is enough to file it: starts are made only when the walk asks for them.
      const ready = starts.readyFrom(0);
      if (ready === NONE) return;
      upstreams++;
      // By first ready day, in a list rather than an array indexed by the day: each infusion day walks
      // only the collections ready in time (a search reaching 98 days out walked 4 million empty days).
      // Unpruned, collections come in day order (nearly always at the end); P2 adds them centre by centre.
      let list = byUnit.get(starts.unit.unitId);
      if (!list) byUnit.set(starts.unit.unitId, (list = []));
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (list[mid]!.ready <= ready) lo = mid + 1;
        else hi = mid;
      }
      const entry = { ready, hours: starts.hours, starts };
      if (lo === list.length) list.push(entry);
      else list.splice(lo, 0, entry);
      return;
    }
    const first = starts.from(0);
    if (!first) return;
    upstreams++;
    let days = byReady;
    if (net.prune) {
      days = byUnitReady.get(first.unit.unitId) ?? new Map<number, Upstream[]>();
      byUnitReady.set(first.unit.unitId, days);
    }
    for (let up: Upstream | undefined = first; up; up = starts.after(up)) {
      const list = days.get(up.ready) ?? [];
      days.set(up.ready, list);
      list.push(up);
    }
  };
  // Options are made only once an infusion day could use them: a collection ending on day e gives
  // manufacture from e, so infusion from e + manufactureDays under either gate (lazy, and still exact).
  const kept = net.keptUpstream;
  if (kept) add({ unit: kept.unit, hours: kept.hours, readyFrom: () => kept.ready, from: () => kept, after: () => undefined }); // its days may lie before day 0
  let taken = 0;
  let due = Number.NEGATIVE_INFINITY;
  const takeCollectionsUpTo = (lastDay: number) => {
    due = lastDay;
    if (net.prune) return; // P2: each unit takes them when the search first looks at it (expand)
    for (; taken < cols.length && lastOf(cols[taken]!) <= lastDay; taken++) {
      for (const { unit, from, next } of units) {
        const hours = from.get(cols[taken]!.centre);
        if (hours !== undefined) add(new UnitStarts(net, cols[taken]!, unit, hours, next));
      }
    }
  };
  // P2: per unit, the apheresis centres with a route to it, nearest first, each with its collections in
  // day order and how many of them the unit has made options of (those due end on or before `due`).
  const pending = new Map(
    units.map(({ unit, nearest, next }) => [
      unit.unitId,
      nearest.flatMap(({ centre, hours }) => (colsAt.has(centre) ? [{ unit, next, hours, cols: colsAt.get(centre)!, taken: 0 }] : [])),
    ]),
  );
  const runsOf = new Map(units.map((u) => [u.unit.unitId, u.next] as const));
  /** P2: makes the options due of a unit from every centre at most `within` hours away (P1 rules out the rest). */
  const expanded = new Map<string, { due: number; within: number }>();
  const expand = (unitId: string, within: number) => {
    const done = expanded.get(unitId);
    if (done && done.due === due && done.within >= within) return; // nothing more to make
    if (done) {
      done.due = due;
      done.within = within;
    }
    else expanded.set(unitId, { due, within });
    for (const at of pending.get(unitId) ?? NOTHING) {
      if (at.hours > within) break;
      if (at.cols.nextLast <= due) at.cols.through(due);
      const { list } = at.cols;
      for (; at.taken < list.length && lastOf(list[at.taken]!) <= due; at.taken++) add(new UnitStarts(net, list[at.taken]!, at.unit, at.hours, at.next));
    }
  };
  // R8 shelf life: the first start day whose product can be in date at `at` on each unit (a lower bound:
  // bay days end in day order, so no start before it is), found from the latest end of a bay day so far.
  const bayEnds = new Map<string, Float64Array>();
  const inDateFrom = (unitId: string, at: number): number => {
    const bay = net.bays.get(unitId);
    if (kept || !bay) return 0;
    let ends = bayEnds.get(unitId);
    if (!ends) {
      ends = new Float64Array(net.days).fill(Number.NEGATIVE_INFINITY);
      for (let e = 0; e < net.days; e++) ends[e] = Math.max(e > 0 ? ends[e - 1]! : Number.NEGATIVE_INFINITY, bay[e]?.endsAt.getTime() ?? Number.NEGATIVE_INFINITY);
      bayEnds.set(unitId, ends);
    }
    let [lo, hi] = [0, net.days];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid]! + net.shelfLifeMs < at) lo = mid + 1;
      else hi = mid;
    }
    return Math.max(0, lo - (p.manufactureDays - 1));
  };
  // Product routes from each unit to each treatment centre: hours, and days until in stock (R8); and
  // (P3) the same routes nearest first, so the first plans found travel little and P1 bounds the rest early.
  const routesTo = routeTable.productTo;
  const nearestFirst = routeTable.productNearestFirst;
  const preferred = net.input.preferredCentre ?? null;
  // P3: a unit's starts ready on one day, least travel from the apheresis centre first (sorted again only when P2 added some).
  const sortedLength = new Map<Upstream[], number>();
  const readyOn = (unitId: string, day: number): readonly Upstream[] => {
    const list = byUnitReady.get(unitId)?.get(day);
    if (!list) return [];
    if (sortedLength.get(list) !== list.length) {
      list.sort((a, b) => a.hours - b.hours);
      sortedLength.set(list, list.length);
    }
    return list;
  };

  const best: Choice[] = [];
  /**
   * P1: the most travel a choice on infusion day `infusion` may have and still be kept. Choices are
   * ordered by infusion day, then travel (compareChoices), and distinct choices never compare equal
   * (they differ in apheresis centre, unit, treatment centre or first collection day), so once `count` are kept, a choice on the
   * same day with more travel than the last kept one sorts after it and would be refused by offer; on a
   * later day, every choice would. Unbounded until `count` are kept. Never used unpruned.
   */
  const travelBound = (infusion: number): number => {
    if (!net.prune || best.length < count) return Number.POSITIVE_INFINITY;
    const worst = best[count - 1]!;
    return worst.infusion < infusion ? Number.NEGATIVE_INFINITY : worst.travel;
  };
  const offer = (choice: Choice) => {
    if (best.length === count && compareChoices(choice, best[count - 1]!) >= 0) return;
    let at = best.length;
    while (at > 0 && compareChoices(choice, best[at - 1]!) < 0) at--;
    best.splice(at, 0, choice);
    if (best.length > count) best.pop();
  };
  const cares = Care.table(net, scope.treatment, relax);
  let sessionTimeBound = Number.POSITIVE_INFINITY;
  // The infusion day and treatment centre being looked at, and what is known of them: set in the walk
  // below and read by the checks after, which are made once per search, not per centre and day (a
  // hundred centres times every day walked made them most of what a national search allocated).
  let infusion = 0;
  let centre = '';
  let care: Care | undefined;
  /** The first conditioning days the centre's chairs allow, the process's own gap first (R7). */
  const firsts: number[] = [];
  let bedList: readonly FreeSlot[] = NO_SLOTS;
  // Preferred centre: as treatment centre counts more than as apheresis centre.
  // R8: some free session of the first conditioning day starts at or after the gate opens (release
  // and travel before conditioning, never relaxed; the start of manufacture during it).
  const gateOpen = (up: Upstream, f: number, opens: number) => {
    if (net.rbc) return (care!.latestChair(f)?.getTime() ?? Number.NEGATIVE_INFINITY) >= opens;
    if (relax.has('SESSION_TIME')) return f >= up.dm;
    const latest = care!.latestChair(f);
    if (latest !== undefined && conditioningMayStart(p.conditioningGate, up.startAt, latest)) return true;
    if (f >= up.dm) sessionTimeBound = Math.min(sessionTimeBound, infusion);
    return false;
  };
  const choose = (up: Upstream, notBefore: number, productHours: number) => {
    const lastCollection = up.col.days[up.col.days.length - 1]!;
    const opens = net.rbc ? gateOpensAt(net, up, productHours) : up.start;
    for (const first of firsts) {
      if (first < notBefore || first <= lastCollection || !gateOpen(up, first, opens)) continue;
      const preference = preferred === null ? 0 : (centre === preferred ? 0 : 2) + (up.col.centre === preferred ? 0 : 1);
      offer({ up, centre, first, infusion, productHours, travel: up.hours + productHours, preference });
      return;
    }
  };
  // R7, R8: a free infusion bed slot the product reaches within it and within its shelf life.
  const bedFits = (up: Upstream, hours: number) => {
    for (const s of bedList) if (isFree(s, relax) && infusionAt(net, up, hours, s) !== null) return true;
    return false;
  };
  for (infusion = 0; infusion < net.horizon && best.length < count; infusion++) {
    takeCollectionsUpTo(infusion - p.manufactureDays);
    for (centre of scope.treatment) {
      care = cares.get(centre)!;
      if (!care.beds(infusion)) continue;
      firsts.length = 0;
      for (const g of net.gaps) {
        const f = infusion - g - net.span;
        if (f >= net.patientFrom && care.course(f)) firsts.push(f);
      }
      if (firsts.length === 0) continue;
      bedList = net.sites.INFUSION_BED.get(centre)![infusion]!;
      const routes = routesTo.get(centre)!;
      if (net.prune && net.rbc) {
        const latest = Math.max(...firsts);
        const firstBed = care.firstBed(infusion);
        for (const { unitId, hours, stockDelay } of nearestFirst.get(centre)!) {
          // P1: every choice through this unit travels at least unit->centre; later routes are longer.
          if (hours > travelBound(infusion)) break;
          // P6: no start on this unit from `low` is in stock by the latest first conditioning day. Its first
          // run from day 0 is asked first: a later day's is never earlier, and it rules out most units
          // without working out `low`.
          const next = runsOf.get(unitId);
          const inStock = p.manufactureDays + p.qcReleaseDays + stockDelay;
          if (next && (next[0] === NONE || next[0]! + inStock > latest)) continue;
          const low = inDateFrom(unitId, firstBed);
          const firstRun = next ? next[Math.min(low, net.days)]! : 0;
          if (firstRun === NONE || firstRun + inStock > latest) continue;
          expand(unitId, travelBound(infusion) - hours);
          // The unit's collections whose first start is ready in time, by ready day.
          for (const { ready, hours: materialHours, starts } of byUnit.get(unitId) ?? NOTHING) {
            if (ready + stockDelay > latest) break;
            // P1: all starts of a collection on one unit travel the same from its apheresis centre.
            if (materialHours + hours > travelBound(infusion)) continue;
            for (let up = starts.from(low); up && up.ready + stockDelay <= latest; up = starts.after(up)) {
              if (up.expires < firstBed || !bedFits(up, hours)) continue;
              choose(up, up.ready + stockDelay, hours);
              break;
            }
          }
        }
      } else if (net.prune) {
        const dm = infusion - p.manufactureDays;
        for (const { unitId, hours } of nearestFirst.get(centre)!) {
          if (hours > travelBound(infusion)) break; // P1, as above
          // P5: a start ready on this day began a run of free bay days on dm (R5, R6): none without one.
          const next = runsOf.get(unitId);
          if (next && (dm < 0 || next[dm] !== dm)) continue;
          expand(unitId, travelBound(infusion) - hours);
          // P4: the starts of one unit ready on one day all end manufacture together (R6), so the
          // product reaches this centre at the same instant and is in date as long: one bed check for all.
          let fits: boolean | undefined;
          let checked: Upstream | undefined;
          for (const up of readyOn(unitId, infusion)) {
            if (up.hours + hours > travelBound(infusion)) break; // P1: sorted by travel to the unit
            if (!checked || up.made !== checked.made || up.released !== checked.released || up.expires !== checked.expires) {
              fits = bedFits(up, hours);
              checked = up;
            }
            if (fits) choose(up, 0, hours);
          }
        }
      } else if (net.rbc) {
        const latest = Math.max(...firsts);
        const firstBed = care.firstBed(infusion);
        for (const [unitId, { hours, stockDelay }] of routes) {
          const low = inDateFrom(unitId, firstBed);
          for (const { ready, hours: materialHours, starts } of byUnit.get(unitId) ?? NOTHING) {
            if (ready + stockDelay > latest) break;
            // The earliest start whose product is in date at this infusion: earlier ones have expired (made
            // earlier), and a later one only opens the gate later, so it is the one to try (R8).
            for (let up = starts.from(low); up && up.ready + stockDelay <= latest; up = starts.after(up)) {
              if (up.expires < firstBed || !bedFits(up, hours)) continue;
              choose(up, up.ready + stockDelay, hours);
              break;
            }
          }
        }
      } else {
        for (const up of byReady.get(infusion) ?? NOTHING) {
          const hours = routes.get(up.unit.unitId)?.hours;
          if (hours !== undefined && bedFits(up, hours)) choose(up, 0, hours);
        }
      }
    }
  }
  // P2: with fewer than `count` plans every day was searched; make every option due, so `upstreams`
  // counts what the unpruned search counts (whyNone reads it only then).
  if (net.prune && best.length < count) for (const unitId of pending.keys()) expand(unitId, Number.POSITIVE_INFINITY);
  // Counted only when fewer than `count` plans were found (whyNone reads it only then): pruned, that makes them all.
  const collections = best.length < count && net.prune ? allCollections().length : cols.length;
  return { choices: best, collections, upstreams, sessionTimeBound };
}

const ref = (s: FreeSlot): SlotRef => ({ resourceKey: s.resourceKey, day: s.day, session: s.session });
/** A slot as a plan holds it: ICU cover takes the process's share of a bed (R10), everything else a whole place. */
const refIn = (net: Pick<Net, 'icuShare'>, s: FreeSlot): SlotRef => (s.resource === 'ICU_BED' ? { ...ref(s), share: net.icuShare } : ref(s));

/** The plan a choice stands for, and every slot it uses (to name the full ones in explanations). */
function build(net: Net, choice: Choice, relax: Relax): { plan: Omit<VeinToVeinPlan, 'limitedBy'>; used: FreeSlot[] } {
  const { p, input } = net;
  const { up, centre, first, infusion } = choice;
  const day = (i: number) => addDays(input.earliestCollectionDate, i);
  const unitSite = up.unit.siteCode;
  const steps: PlanStep[] = [];
  const step = (kind: PlanStepKind, siteCode: string, slots: readonly FreeSlot[], start: Date, end: Date, extra: Partial<PlanStep> = {}) =>
    steps.push({ kind, siteCode, fromSiteCode: null, unitId: null, start, end, slots: slots.map((s) => refIn(net, s)), ...extra });

  const keptCollection = input.kept?.collection ?? null;
  const keptManufacture = input.kept?.manufacture ?? null;
  const chairs = keptCollection ? [] : up.first === up.session ? [up.session] : [up.first, ...up.col.middle, up.session];
  if (keptCollection) step('APHERESIS', keptCollection.apheresisCentre, [], keptCollection.startedAt, keptCollection.collectedAt, { slots: keptCollection.slots });
  else step('APHERESIS', up.col.centre, chairs, chairs[0]!.startsAt, up.session.endsAt);
  if (!keptManufacture && up.col.centre !== unitSite) {
    step('TRANSPORT', unitSite, [], new Date(up.arrival - up.hours * HOUR_MS), new Date(up.arrival), { fromSiteCode: up.col.centre });
  }
  const bay = net.bays.get(up.unit.unitId) ?? [];
  const bays = keptManufacture ? [] : Array.from({ length: p.manufactureDays }, (_, k) => bay[up.dm + k]!);
  const made = keptManufacture ? keptManufacture.endsAt : bays[bays.length - 1]!.endsAt;
  step('MANUFACTURE', unitSite, bays, new Date(up.start), made, { unitId: up.unit.unitId, ...(keptManufacture && { slots: keptManufacture.slots }) });
  // R6: released (before conditioning) as the unit opens on the ready day; during manufacture, ready when made.
  const readyAt = new Date(up.released);
  if (net.rbc && p.qcReleaseDays > 0) step('QC_RELEASE', unitSite, [], made, readyAt, { unitId: up.unit.unitId });
  if (unitSite !== centre) step('TRANSPORT', centre, [], readyAt, new Date(arrivalAt(net, up, choice.productHours)), { fromSiteCode: unitSite });
  // R8: the first session starts once the gate opens (released and in stock; manufacture under way).
  const opens = gateOpensAt(net, up, choice.productHours);
  const gateAllows = (s: FreeSlot) => (net.rbc ? s.startsAt.getTime() >= opens : relax.has('SESSION_TIME') || conditioningMayStart(p.conditioningGate, up.startAt, s.startsAt));
  const conditioning = net.offsets.map((o, k) => {
    const list = net.sites.CONDITIONING_CHAIR.get(centre)![first + o]!;
    return pick(k === 0 ? list.filter(gateAllows) : list, relax)!;
  });
  step('CONDITIONING', centre, conditioning, conditioning[0]!.startsAt, conditioning[conditioning.length - 1]!.endsAt);
  // R7, R8: the infusion at the later of the bed slot's start and the product's arrival, in date.
  const bed = pick(net.sites.INFUSION_BED.get(centre)![infusion]!.filter((s) => infusionAt(net, up, choice.productHours, s) !== null), relax)!;
  const infusedAt = new Date(infusionAt(net, up, choice.productHours, bed)!);
  step('INFUSION', centre, [bed], infusedAt, bed.endsAt);
  // Monitoring starts with the infusion, not before it (the steps stay in pathway order).
  const monitoring = Array.from({ length: p.monitoringInpatientDays }, (_, k) => pick(net.sites.MONITORING_BED.get(centre)![infusion + k]!, relax)!);
  if (monitoring.length > 0) {
    step('MONITORING', centre, monitoring, new Date(Math.max(monitoring[0]!.startsAt.getTime(), infusedAt.getTime())), monitoring[monitoring.length - 1]!.endsAt);
  }
  // R10: the share of an ICU bed on days 5 and 6 after the infusion day, the first bed-day with room.
  const icuDays = net.sites.ICU_BED.get(centre) ?? [];
  const coverOn = (i: number) => {
    const list = icuDays[i] ?? NO_SLOTS;
    return (list.find((s) => coverFree(net, s, NO_RELAX)) ?? list.find((s) => coverFree(net, s, relax)))!;
  };
  const icu = net.icuShare > 0 ? ICU_COVER_DAYS_AFTER_INFUSION.map((d) => coverOn(infusion + d)) : [];
  if (icu.length > 0) step('ICU', centre, icu, icu[0]!.startsAt, icu[icu.length - 1]!.endsAt);
  steps.sort((a, b) => a.start.getTime() - b.start.getTime()); // stable: equal starts keep pathway order

  const used = [...chairs, ...bays, ...conditioning, bed, ...monitoring, ...icu];
  const deadline = input.clinicalDeadline ?? null;
  return {
    used,
    plan: {
      apheresisCentre: keptCollection?.apheresisCentre ?? up.col.centre,
      unitId: up.unit.unitId,
      unitSiteCode: unitSite,
      treatmentCentre: centre,
      collectionDays: keptCollection ? [...keptCollection.days] : up.col.days.map(day),
      manufactureStartDay: keptManufacture?.startDay ?? day(up.dm),
      productReadyDay: day(up.ready),
      conditioningDays: net.offsets.map((o) => day(first + o)),
      infusionDay: day(infusion),
      veinToVeinDays: infusion - up.col.days[0]!,
      travelHours: choice.travel,
      meetsClinicalDeadline: deadline === null ? null : day(infusion) <= deadline,
      steps,
      slots: used.map((s) => refIn(net, s)),
    },
  };
}

const RESOURCE_WORDS: Readonly<Record<Resource, string>> = {
  APHERESIS_CHAIR: 'apheresis chairs',
  CONDITIONING_CHAIR: 'conditioning chairs',
  INFUSION_BED: 'infusion beds',
  MONITORING_BED: 'monitoring beds',
  MANUFACTURING_BAY: 'bays',
  ICU_BED: 'ICU beds',
};

/** "2027-03-01 to 2027-03-03, 2027-03-05 PM": runs of whole days, then single sessions, for short messages. */
function dayList(labels: readonly string[]): string {
  const sorted = [...new Set(labels)].sort();
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && !sorted[j]!.includes(' ') && !sorted[j + 1]!.includes(' ') && daysBetween(sorted[j]!, sorted[j + 1]!) === 1) j++;
    parts.push(i === j ? sorted[i]! : `${sorted[i]} to ${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/**
 * The full slots a plan found under relaxation uses, e.g. "unit MU-1 busy on 2027-03-02". A day is named
 * alone only when every session of it is full; otherwise the session the plan needed is named too.
 */
function fullSlots(net: Net, choice: Choice, relax: Relax): string {
  const full = build(net, choice, relax).used.filter((s) => (s.resource === 'ICU_BED' ? !coverFree(net, s, NO_RELAX) : s.free < 1));
  const groups = new Map<string, string[]>();
  for (const s of full) {
    const what = s.resource === 'MANUFACTURING_BAY' ? `unit ${s.unitId} busy` : `${RESOURCE_WORDS[s.resource]} at ${s.siteCode} full`;
    const sameDay = s.resource === 'MANUFACTURING_BAY' || s.resource === 'ICU_BED' ? [] : net.sites[s.resource].get(s.siteCode)![daysBetween(net.input.earliestCollectionDate, s.day)]!;
    const label = sameDay.some((other) => other.free >= 1) ? `${s.day} ${s.session}` : s.day;
    groups.set(what, [...(groups.get(what) ?? []), label]);
  }
  return [...groups].map(([what, labels]) => `${what} on ${dayList(labels)}`).join('; ');
}

/**
 * A one-plan search within one plan's centres and unit, remembered for the other plans of the same
 * call: plans often share them (the same centres and unit a day later), and the answer depends only on
 * the scope and what is relaxed.
 */
function scoped(net: Net, scope: Scope, relax: Relax): Outcome {
  const key = `${scope.apheresis.join(',')}|${scope.units.map((u) => u.unitId).join(',')}|${scope.treatment.join(',')}|${[...relax].sort().join(',')}`;
  let outcome = net.scopedBests.get(key);
  if (!outcome) net.scopedBests.set(key, (outcome = search(net, scope, relax, 1)));
  return outcome;
}
const scopedBest = (net: Net, scope: Scope, relax: Relax): Choice | undefined => scoped(net, scope, relax).choices[0];

/**
 * What kept a plan from being earlier, found by search rather than guessed: within the plan's own
 * centres and unit, free each kind of capacity in turn (apheresis, manufacture, treatment) and see whether
 * infusion could be earlier; then all together; then, during manufacture, conditioning session times;
 * else what is done, the washout, a postponement, or the calendars and travel bind.
 */
function limitedBy(net: Net, choice: Choice): string {
  const scope: Scope = { apheresis: [choice.up.col.centre], units: [choice.up.unit], treatment: [choice.centre] };
  const day = (i: number) => addDays(net.input.earliestCollectionDate, i);
  const strict = scoped(net, scope, NO_RELAX);
  const own = strict.choices[0]!;
  if (own.infusion < choice.infusion) {
    return `a later alternative: the same centres and unit can infuse on ${day(own.infusion)} (collection from ${day(own.up.col.days[0]!)})`;
  }
  let binding: { relax: Relax; found: Choice } | null = null;
  for (const group of GROUPS) {
    const relax = new Set([group]);
    const found = scopedBest(net, scope, relax);
    if (found && found.infusion < choice.infusion && (!binding || found.infusion < binding.found.infusion)) binding = { relax, found };
  }
  if (binding) return `${fullSlots(net, binding.found, binding.relax)}; with ${binding.relax.has('MANUFACTURE') ? 'it' : 'them'} free, infusion could be on ${day(binding.found.infusion)}`;
  const everything = new Set(GROUPS);
  const free = scopedBest(net, scope, everything);
  if (free && free.infusion < choice.infusion) {
    return `capacity at several steps together (${fullSlots(net, free, everything)}); with all of it free, infusion could be on ${day(free.infusion)}`;
  }
  const early = strict.sessionTimeBound < choice.infusion ? scopedBest(net, scope, SESSION_TIME) : undefined;
  if (early && early.infusion < choice.infusion) {
    const session = build(net, early, SESSION_TIME).plan.steps.find((s) => s.kind === 'CONDITIONING')!;
    return `session times: the first conditioning session at ${early.centre} on ${day(early.first)} starts at ${session.start.toISOString()}, before manufacture starts at ${early.up.startAt.toISOString()}; with a session from then, infusion could be on ${day(early.infusion)}`;
  }
  const kept = net.input.kept;
  if (kept?.manufacture) return `what is done: the batch on unit ${kept.manufacture.unit.unitId} is ready on ${kept.manufacture.readyDay}`;
  if (kept) {
    const holdEnds = freshHoldEndsAt(net.p, kept.collection.startedAt);
    return `what is done: the starting material collected at ${kept.collection.apheresisCentre} on ${dayList(kept.collection.days)} must start manufacture ${holdEnds ? `within its ${net.p.maxFreshHoldHours} h hold, by ${holdEnds.toISOString()}` : 'once it reaches a unit'}`;
  }
  if (choice.up.col.days[0] === 0) return `washout: no collection before ${net.input.earliestCollectionDate}`;
  if (choice.up.col.days[0] === net.patientFrom) return `the patient is postponed until ${addDays(net.input.earliestCollectionDate, net.patientFrom)}`;
  return `opening days, session times, travel and process times: with every slot free, ${choice.up.col.centre}, unit ${choice.up.unit.unitId} and ${choice.centre} infuse no earlier`;
}

/** Why no plan: capacity (then what freeing would give) or the network itself (routes, hold, calendars). */
/** R9 leaves no centre: say which, how far, and what a scheduler can do. */
function noCentreWithinReach(process: ProductProcess, stay: PatientStay, centres: readonly string[]): string {
  const nearest = [...centres].sort((a, b) => (stay.minutesTo(a) ?? Infinity) - (stay.minutesTo(b) ?? Infinity))[0]!;
  return (
    `No treatment centre is within reach of ${stay.district}, where the patient will stay: ${outOfReachWords(process, stay.district, nearest, stay.minutesTo(nearest))} (the nearest). ` +
    'Arrange a stay near a centre for the monitoring period (arrangeMonitoringStay), or ask a planner to record travel times from the district (setDistrictTravelTimes).'
  );
}

/** Why no plan fits; `beyond` names the centres R9 left out, said where treatment capacity is the cause. */
function whyNone(net: Net, scope: Scope, found: Outcome, beyond = ''): string {
  const day = (i: number) => addDays(net.input.earliestCollectionDate, i);
  const within = `within ${net.horizon} days of ${net.input.earliestCollectionDate}`;
  const keptMaterial = net.input.kept && !net.input.kept.manufacture ? net.input.kept.collection : null;
  // Collected material that no unit can take in time is a clinical fact, whatever capacity would allow.
  if (keptMaterial && found.upstreams === 0) {
    return net.p.startingMaterial === 'FRESH'
      ? `The starting material collected at ${keptMaterial.apheresisCentre} from ${keptMaterial.startedAt.toISOString()} (its hold ends at ${freshHoldEndsAt(net.p, keptMaterial.startedAt)!.toISOString()}) cannot reach a designated unit and start manufacture within its ${net.p.maxFreshHoldHours} h hold: do not manufacture from it; record the deviation and plan a new collection.`
      : `The cryopreserved starting material at ${keptMaterial.materialSite} cannot reach a designated unit with a free run of bay days ${within}.`;
  }
  const everything = new Set(GROUPS);
  const free = search(net, scope, everything, 1);
  if (free.choices.length > 0) {
    const singles = GROUPS.flatMap((group) => {
      const found = search(net, scope, new Set([group]), 1).choices[0];
      return found ? [`freeing ${group.toLowerCase()} capacity alone would allow infusion on ${day(found.infusion)}`] : [];
    });
    return [`Booked capacity blocks every plan ${within}; with every slot free, infusion could be on ${day(free.choices[0]!.infusion)}`, ...singles].join('; ') + '.' + beyond;
  }
  if (free.collections === 0) return `No treatment centre has apheresis chairs open on ${net.p.apheresisSessions} consecutive day(s) ${within}.`;
  if (free.upstreams === 0) {
    return net.p.startingMaterial === 'FRESH'
      ? `No designated unit can start manufacture in time: check fresh courier routes, travel times and the ${net.p.maxFreshHoldHours} h hold (counted from the start of the first collection session), and unit calendars ${within}.`
      : `No designated unit can be reached and make the product ${within}: check routes and unit calendars.`;
  }
  if (!net.rbc && free.sessionTimeBound < net.horizon) {
    // R8 during manufacture: conditioning sessions that all start before manufacture does.
    const later = search(net, scope, SESSION_TIME, 1).choices[0];
    const laterAndFree = later ?? search(net, scope, new Set([...everything, 'SESSION_TIME'] as const), 1).choices[0];
    if (laterAndFree) {
      return `No treatment centre has a conditioning session that starts after manufacture does ${within} (the unit can confirm only a batch that is under way): with later sessions${later ? '' : ' and every slot free'}, infusion could be on ${day(laterAndFree.infusion)}.${beyond}`;
    }
  }
  return `No treatment centre can condition and infuse after manufacture ${within}: check conditioning, infusion, monitoring and ICU calendars (and ICU cover), routes from the units and the shelf life.${beyond}`;
}
