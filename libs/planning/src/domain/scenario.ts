import { ConflictError, eventClass, optionalReason, parseLocalDate, requireText, ValidationError, type Evolver, type LocalDate } from '@bedside/shared';
import { MAX_REQUALIFICATION_DAYS, normaliseRegion, REGION_CODES, UNIT_KINDS, type RegionCode, type UnitKind } from '@bedside/network';
import { dosesPerUnitDay, type FillRate, type SurgeInstance, type SurgeLimits, DEFAULT_SURGE_LIMITS } from './surge/surge-instance';

// Regions are the network's (libs/network/src/domain/region.ts): one list, one name, everywhere.
export { UK_REGIONS, type RegionCode } from '@bedside/network';

/**
 * A named set of assumptions on top of the live network as of a date (issue 13 §2). A scenario never writes
 * into the live network: a run reads the network as of `asOf` and applies these on its own copy.
 */
export interface ScenarioAssumptions {
  readonly name: string;
  /** The live network as recorded on this day is the starting point. */
  readonly asOf: LocalDate;
  /** Days planned from `asOf`. */
  readonly days: number;
  /**
   * Vaccine doses wanted in a region from a day on (0 = `asOf`), with a priority weight (default 1) and, when
   * they have one, the day by which they must be released to be of use.
   */
  readonly vaccineDemand: readonly { readonly region: RegionCode; readonly day: number; readonly doses: number; readonly weight?: number; readonly deadline?: number }[];
  /** CAR-T referrals a week per region and product. */
  readonly referralsPerWeek: readonly { readonly region: RegionCode; readonly productCode: string; readonly perWeek: number }[];
  /** Mobile units assumed added, standing in a region on day 0. */
  readonly unitsAdded: readonly { readonly unitId: string; readonly kind: UnitKind; readonly region: RegionCode }[];
  /** Units of the live network assumed gone. */
  readonly unitsRemoved: readonly string[];
  /** A unit or site out of service for some days. */
  readonly outages: readonly { readonly target: string; readonly fromDay: number; readonly toDay: number }[];
  /** A product's process changed, e.g. a 3-day rapid QC instead of a 14-day sterility test. */
  readonly processChanges: readonly { readonly productCode: string; readonly qcReleaseDays?: number; readonly manufactureDays?: number }[];
  /** How a mobile fill-finish unit fills. */
  readonly fillFinish: FillRate;
  readonly teardownDays: number;
  readonly setupDays: number;
  /** Requalification after a move (media fills: about 17 to 21 days for the full one; 0 when a move needs none). */
  readonly requalificationDays: number;
  /** Batch release time after filling. */
  readonly releaseDays: number;
}

export interface ScenarioVersionData {
  readonly scenarioId: string;
  readonly version: number;
  readonly assumptions: ScenarioAssumptions;
  readonly reason: string | null;
}

export class ScenarioCreated extends eventClass<'ScenarioCreated', ScenarioVersionData>('ScenarioCreated') {}
/** Editing a scenario makes a new version; a run names the version it used, which never changes. */
export class ScenarioRevised extends eventClass<'ScenarioRevised', ScenarioVersionData>('ScenarioRevised') {}
export type ScenarioEvent = ScenarioCreated | ScenarioRevised;

export const scenarioStreamId = (scenarioId: string) => `scenario-${scenarioId}`;

export interface ScenarioState {
  readonly scenarioId: string;
  readonly version: number;
  readonly assumptions: ScenarioAssumptions;
}

export const scenarioEvolver: Evolver<ScenarioState | undefined, ScenarioEvent> = {
  initialState: undefined,
  evolve: (_state, event) => ({ scenarioId: event.data.scenarioId, version: event.data.version, assumptions: event.data.assumptions }),
};

/** Every version of a scenario as its stream recorded them, oldest first: a run may name any of them. */
export const scenarioVersionsEvolver: Evolver<ScenarioState[], ScenarioEvent> = {
  initialState: [],
  evolve: (versions, event) => [...versions, scenarioEvolver.evolve(undefined, event)!],
};

const wholeIn = (field: string, value: number, min: number, max: number, what: string): number => {
  if (!Number.isInteger(value) || value < min || value > max) throw new ValidationError(field, `${what} must be a whole number from ${min} to ${max}.`);
  return value;
};
const region = normaliseRegion;

/** A demand's deadline: a day of the scenario, not before the scenario starts nor the doses are wanted, not after it ends. */
function deadlineOf(field: string, deadline: number, day: number, days: number, asOf: LocalDate): number {
  if (!Number.isInteger(deadline)) throw new ValidationError(field, 'A deadline is a whole day of the scenario (0 is its as-of date).');
  if (deadline < 0) throw new ValidationError(field, `A deadline cannot fall before the scenario starts: day 0 is ${asOf}. Give a day from ${day} to ${days - 1}.`);
  if (deadline < day) throw new ValidationError(field, `These doses are wanted from day ${day}, so their deadline cannot be day ${deadline}. Give a day from ${day} to ${days - 1}.`);
  if (deadline >= days) throw new ValidationError(field, `A deadline falls within the scenario’s ${days} days: day ${days - 1} at the latest. Plan more days or give an earlier deadline.`);
  return deadline;
}

/** Refuses assumptions that cannot be right, naming the field and what to do; nothing is recorded. */
export function validateScenarioAssumptions(input: ScenarioAssumptions, limits: SurgeLimits = DEFAULT_SURGE_LIMITS): ScenarioAssumptions {
  const name = requireText('name', input.name, 120);
  const asOf = parseLocalDate('asOf', input.asOf);
  const days = wholeIn('days', input.days, 1, limits.maxDays, 'A scenario’s days');
  const vaccineDemand = input.vaccineDemand.map((d, i) => {
    if (!Number.isFinite(d.doses) || d.doses < 0) throw new ValidationError(`vaccineDemand[${i}].doses`, 'Doses wanted cannot be negative.');
    if (d.weight !== undefined && (!Number.isFinite(d.weight) || d.weight < 0)) throw new ValidationError(`vaccineDemand[${i}].weight`, 'A priority weight cannot be negative.');
    const day = wholeIn(`vaccineDemand[${i}].day`, d.day, 0, days - 1, 'The day doses are wanted from (before the scenario ends)');
    return { region: region(`vaccineDemand[${i}].region`, d.region), day, doses: d.doses, ...(d.weight !== undefined && { weight: d.weight }), ...(d.deadline !== undefined && { deadline: deadlineOf(`vaccineDemand[${i}].deadline`, d.deadline, day, days, asOf) }) };
  });
  // The optimiser weighs a region's waiting doses alike (surge-instance.ts), so a region has one weight.
  const weightOf = new Map<string, number>();
  for (const [i, d] of vaccineDemand.entries()) {
    if (d.weight === undefined) continue;
    const earlier = weightOf.get(d.region);
    if (earlier !== undefined && earlier !== d.weight) throw new ValidationError(`vaccineDemand[${i}].weight`, `${d.region} is given weights ${earlier} and ${d.weight}: give each region one weight.`);
    weightOf.set(d.region, d.weight);
  }
  const referralsPerWeek = input.referralsPerWeek.map((r, i) => {
    if (!Number.isFinite(r.perWeek) || r.perWeek < 0) throw new ValidationError(`referralsPerWeek[${i}].perWeek`, 'Referrals a week cannot be negative.');
    return { region: region(`referralsPerWeek[${i}].region`, r.region), productCode: requireText(`referralsPerWeek[${i}].productCode`, r.productCode, 40).toUpperCase(), perWeek: r.perWeek };
  });
  const unitsAdded = input.unitsAdded.map((u, i) => {
    if (!UNIT_KINDS.includes(u.kind)) throw new ValidationError(`unitsAdded[${i}].kind`, `A unit is ${UNIT_KINDS.join(' or ')}.`);
    return { unitId: requireText(`unitsAdded[${i}].unitId`, u.unitId, 40).toUpperCase(), kind: u.kind, region: region(`unitsAdded[${i}].region`, u.region) };
  });
  if (unitsAdded.length + input.unitsRemoved.length > limits.maxUnits) throw new ValidationError('unitsAdded', `A scenario may change at most ${limits.maxUnits} units.`);
  const outages = input.outages.map((o, i) => {
    const fromDay = wholeIn(`outages[${i}].fromDay`, o.fromDay, 0, days - 1, 'An outage’s first day');
    return { target: requireText(`outages[${i}].target`, o.target, 40).toUpperCase(), fromDay, toDay: wholeIn(`outages[${i}].toDay`, o.toDay, fromDay, days - 1, 'An outage’s last day (not before its first)') };
  });
  const processChanges = input.processChanges.map((c, i) => ({
    productCode: requireText(`processChanges[${i}].productCode`, c.productCode, 40).toUpperCase(),
    ...(c.qcReleaseDays !== undefined && { qcReleaseDays: wholeIn(`processChanges[${i}].qcReleaseDays`, c.qcReleaseDays, 0, 60, 'QC release days') }),
    ...(c.manufactureDays !== undefined && { manufactureDays: wholeIn(`processChanges[${i}].manufactureDays`, c.manufactureDays, 1, 60, 'Manufacture days') }),
  }));
  const f = input.fillFinish;
  if (!(f.vialsPerHour > 0)) throw new ValidationError('fillFinish.vialsPerHour', 'A fill-finish unit fills some vials an hour.');
  wholeIn('fillFinish.dosesPerVial', f.dosesPerVial, 1, 20, 'Doses per vial');
  wholeIn('fillFinish.shiftsPerDay', f.shiftsPerDay, 1, 3, 'Shifts a day');
  if (!(f.hoursPerShift > 0 && f.hoursPerShift <= 12)) throw new ValidationError('fillFinish.hoursPerShift', 'A shift lasts more than 0 and at most 12 hours.');
  if (!(f.effectiveOutputFactor > 0 && f.effectiveOutputFactor <= 1)) throw new ValidationError('fillFinish.effectiveOutputFactor', 'The effective-output factor is a share of nominal output, more than 0 and at most 1.');
  return {
    name,
    asOf,
    days,
    vaccineDemand,
    referralsPerWeek,
    unitsAdded,
    unitsRemoved: [...new Set(input.unitsRemoved.map((id, i) => requireText(`unitsRemoved[${i}]`, id, 40).toUpperCase()))],
    outages,
    processChanges,
    fillFinish: { ...f },
    teardownDays: wholeIn('teardownDays', input.teardownDays, 0, 30, 'Tear-down days'),
    setupDays: wholeIn('setupDays', input.setupDays, 0, 30, 'Set-up days'),
    requalificationDays: wholeIn('requalificationDays', input.requalificationDays, 0, MAX_REQUALIFICATION_DAYS, 'Requalification after a move (a full media-fill requalification is about 17 to 21 days)'),
    releaseDays: wholeIn('releaseDays', input.releaseDays, 0, 60, 'Batch release days'),
  };
}

/** The units and sites the live network has registered, which a scenario's changes must name. */
export interface KnownNetwork {
  readonly unitIds: ReadonlySet<string>;
  readonly siteCodes: ReadonlySet<string>;
}

/**
 * Refuses a scenario that removes, or takes out of service, a unit or site the network does not have
 * (a mistyped id would otherwise change nothing, silently), or adds a unit under an id the network
 * already uses. Judged on assumptions already normalised (`validateScenarioAssumptions`).
 */
export function checkScenarioNames(assumptions: ScenarioAssumptions, known: KnownNetwork): ScenarioAssumptions {
  for (const [i, unitId] of assumptions.unitsRemoved.entries()) {
    if (!known.unitIds.has(unitId)) throw new ValidationError(`unitsRemoved[${i}]`, `The network has no unit ${unitId} to remove: check the id (network.units lists them), or leave it out.`);
  }
  for (const [i, { unitId }] of assumptions.unitsAdded.entries()) {
    if (known.unitIds.has(unitId)) throw new ValidationError(`unitsAdded[${i}].unitId`, `${unitId} is already a unit of the network: give the unit the scenario adds an id of its own.`);
  }
  const added = new Set(assumptions.unitsAdded.map((u) => u.unitId));
  for (const [i, { target }] of assumptions.outages.entries()) {
    if (!known.unitIds.has(target) && !known.siteCodes.has(target) && !added.has(target)) {
      throw new ValidationError(`outages[${i}].target`, `The network has no unit or site ${target}, nor does the scenario add one: check the id, or leave the outage out.`);
    }
  }
  return assumptions;
}

const checked = (assumptions: ScenarioAssumptions, limits: SurgeLimits | undefined, known: KnownNetwork | undefined) => {
  const valid = validateScenarioAssumptions(assumptions, limits);
  return known ? checkScenarioNames(valid, known) : valid;
};

export function createScenario(state: ScenarioState | undefined, scenarioId: string, assumptions: ScenarioAssumptions, limits?: SurgeLimits, known?: KnownNetwork): ScenarioCreated[] {
  if (state) throw new ConflictError(`Scenario ${scenarioId} already exists; edit it with updateScenario.`, { scenarioId });
  return [new ScenarioCreated({ scenarioId, version: 1, assumptions: checked(assumptions, limits, known), reason: null })];
}

/**
 * Edits a scenario as a new version. `basedOnVersion` is the version the planner edited: a colleague's
 * newer version is never overwritten unseen.
 */
export function reviseScenario(
  state: ScenarioState | undefined,
  scenarioId: string,
  assumptions: ScenarioAssumptions,
  basedOnVersion: number | null,
  reason?: string | null,
  limits?: SurgeLimits,
  known?: KnownNetwork,
): ScenarioRevised[] {
  if (!state) throw new ValidationError('id', `There is no scenario ${scenarioId}; create it with createScenario.`);
  if (basedOnVersion !== null && basedOnVersion !== state.version) {
    throw new ConflictError(`Scenario ${scenarioId} is at version ${state.version}, not ${basedOnVersion}: someone edited it meanwhile. Look at version ${state.version} and edit that.`, {
      scenarioId,
      version: state.version,
    });
  }
  return [new ScenarioRevised({ scenarioId, version: state.version + 1, assumptions: checked(assumptions, limits, known), reason: optionalReason(reason) ?? null })];
}

/** The live network's mobile fill-finish units and travel, as of a scenario's date, by region. */
export interface SurgeNetwork {
  readonly fillFinishUnits: readonly { readonly unitId: string; readonly region: RegionCode }[];
  /** Whole days between regions, `[from][to]`, in `UK_REGIONS` order. */
  readonly travelDays: readonly (readonly number[])[];
}

/** A scenario's surge question: the network's fill-finish units, changed as the scenario assumes, and its demand. */
export function surgeQuestionOf(assumptions: ScenarioAssumptions, network: SurgeNetwork): SurgeInstance {
  const removed = new Set(assumptions.unitsRemoved);
  const units = [
    ...network.fillFinishUnits.filter((u) => !removed.has(u.unitId)),
    ...assumptions.unitsAdded.filter((u) => u.kind === 'FILL_FINISH').map(({ unitId, region }) => ({ unitId, region })),
  ];
  const weights: Record<string, number> = {};
  for (const d of assumptions.vaccineDemand) if (d.weight !== undefined) weights[d.region] = d.weight;
  return {
    regions: REGION_CODES,
    days: assumptions.days,
    travelDays: network.travelDays,
    teardownDays: assumptions.teardownDays,
    setupDays: assumptions.setupDays,
    requalificationDays: assumptions.requalificationDays,
    releaseDays: assumptions.releaseDays,
    dosesPerUnitDay: dosesPerUnitDay(assumptions.fillFinish),
    units,
    demand: assumptions.vaccineDemand.map(({ region: r, day, doses, deadline }) => ({ region: r, day, doses, ...(deadline !== undefined && { deadline }) })),
    weights,
  };
}
