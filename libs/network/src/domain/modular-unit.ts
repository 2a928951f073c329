import { eventClass, ConflictError, NotFoundError, numberIn, oneOf, optionalReason, requireText, ValidationError, wholeNumber, type Evolver } from '@bedside/shared';
import { applyDeployment, deploymentOf, type Deployment, type DeploymentEvent } from './deployment';
import { normaliseOdsCode } from './site-validation';

export const UNIT_KINDS = ['CELL_THERAPY', 'FILL_FINISH'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

export const UNIT_MOBILITIES = ['FIXED', 'MOBILE'] as const;
export type UnitMobility = (typeof UNIT_MOBILITIES)[number];

/** A unit is bookable only when QUALIFIED; new and moved units are requalified first (domain.md). */
export const QUALIFICATION_STATES = ['QUALIFIED', 'REQUALIFYING', 'OUT_OF_SERVICE'] as const;
export type QualificationState = (typeof QUALIFICATION_STATES)[number];

/** Vaccine fill-finish figures (domain.md "Surge"): all the planner's, none fixed in code. */
export interface FillFinishSpec {
  readonly vialsPerHour: number;
  readonly dosesPerVial: number;
  /** Share of nominal output actually achieved (0 to 1]. */
  readonly effectiveOutputFactor: number;
  readonly shiftsPerDay: number;
  readonly hoursPerShift: number;
  /** Days to set up and requalify after a move, before filling. */
  readonly setupDays: number;
  readonly batchReleaseDays: number;
}

export interface UnitRegisteredData {
  readonly unitId: string;
  readonly name: string;
  readonly kind: UnitKind;
  readonly mobility: UnitMobility;
  /** Batches it runs at once: 1 for a Cocoon-class box, 16 for a Cell Shuttle-class system. */
  readonly batchCapacity: number;
  readonly homeSiteCode: string;
  readonly fillFinish: FillFinishSpec | null;
  /**
   * When it was registered, by Bedside's clock: its capacity is laid out from that day (issue 11 §1).
   * Absent from units registered before 2026-12; their log's recordedAt stands in.
   */
  readonly registeredAt?: string;
}

export interface UnitQualificationChangedData {
  readonly unitId: string;
  readonly from: QualificationState;
  readonly to: QualificationState;
  readonly reason: string;
}

export class UnitRegistered extends eventClass<'UnitRegistered', UnitRegisteredData>('UnitRegistered') {}

export class UnitQualificationChanged extends eventClass<'UnitQualificationChanged', UnitQualificationChangedData>('UnitQualificationChanged') {}

export type UnitEvent = UnitRegistered | UnitQualificationChanged | DeploymentEvent;

export const unitStreamId = (unitId: string) => `unit-${unitId}`;

export interface ModularUnit {
  readonly unitId: string;
  readonly kind: UnitKind;
  readonly qualification: QualificationState;
  readonly mobility: UnitMobility;
  readonly homeSiteCode: string;
  readonly batchCapacity: number;
  /** Deployments in force, in order (docs/domain.md "Deployments"). */
  readonly deployments: readonly Deployment[];
  /** Deployments and recalls recorded, called off or not. */
  readonly deploymentsRecorded: number;
}

export const unitEvolver: Evolver<ModularUnit | undefined, UnitEvent> = {
  initialState: undefined,
  evolve(state, event) {
    switch (event.type) {
      case 'UnitRegistered':
        return {
          unitId: event.data.unitId,
          kind: event.data.kind,
          qualification: 'REQUALIFYING',
          mobility: event.data.mobility,
          homeSiteCode: event.data.homeSiteCode,
          batchCapacity: event.data.batchCapacity,
          deployments: [],
          deploymentsRecorded: 0,
        };
      case 'UnitQualificationChanged':
        return state && { ...state, qualification: event.data.to };
      case 'UnitDeployed':
      case 'UnitRecalled':
        return state && { ...state, deployments: applyDeployment(state.deployments, deploymentOf(event)), deploymentsRecorded: state.deploymentsRecorded + 1 };
    }
  },
};

const UNIT_ID = /^[A-Z0-9][A-Z0-9-]{2,31}$/;

export function normaliseUnitId(field: string, raw: string): string {
  const id = raw.trim().toUpperCase();
  if (!UNIT_ID.test(id)) throw new ValidationError(field, `"${raw}" is not a unit id: use 3 to 32 letters, digits and dashes, e.g. "MU-COC-01".`);
  return id;
}

export interface RegisterUnit {
  readonly unitId: string;
  readonly name: string;
  readonly kind: string;
  readonly mobility: string;
  readonly batchCapacity: number;
  readonly homeSiteCode: string;
  readonly fillFinish?: FillFinishSpec | null;
}

export function validateUnitRegistration(command: RegisterUnit): UnitRegisteredData {
  const kind = oneOf('kind', command.kind, UNIT_KINDS);
  const mobility = oneOf('mobility', command.mobility, UNIT_MOBILITIES);
  let fillFinish: FillFinishSpec | null = null;
  if (kind === 'FILL_FINISH') {
    const spec = command.fillFinish;
    if (!spec) throw new ValidationError('fillFinish', 'A fill-finish unit needs its fill rate, doses per vial, output factor and shifts.');
    fillFinish = {
      vialsPerHour: numberIn('fillFinish.vialsPerHour', spec.vialsPerHour, 0, 100_000, { exclusiveMin: true }),
      dosesPerVial: wholeNumber('fillFinish.dosesPerVial', spec.dosesPerVial, 1, 20),
      effectiveOutputFactor: numberIn('fillFinish.effectiveOutputFactor', spec.effectiveOutputFactor, 0, 1, { exclusiveMin: true }),
      shiftsPerDay: wholeNumber('fillFinish.shiftsPerDay', spec.shiftsPerDay, 1, 3),
      hoursPerShift: numberIn('fillFinish.hoursPerShift', spec.hoursPerShift, 0, 12, { exclusiveMin: true }),
      setupDays: wholeNumber('fillFinish.setupDays', spec.setupDays, 0, 90),
      batchReleaseDays: wholeNumber('fillFinish.batchReleaseDays', spec.batchReleaseDays, 0, 60),
    };
  } else if (command.fillFinish) {
    throw new ValidationError('fillFinish', 'Only fill-finish units have fill-finish figures.');
  }
  return {
    unitId: normaliseUnitId('unitId', command.unitId),
    name: requireText('name', command.name, 200),
    kind,
    mobility,
    batchCapacity: wholeNumber('batchCapacity', command.batchCapacity, 1, 100),
    homeSiteCode: normaliseOdsCode('homeSiteCode', command.homeSiteCode),
    fillFinish,
  };
}

/** `homeSiteStatus` is the home site's lifecycle status, or undefined when it is not registered. */
export function registerUnit(state: ModularUnit | undefined, command: RegisterUnit, homeSiteStatus: string | undefined, now: Date): UnitRegistered[] {
  const data = validateUnitRegistration(command);
  if (state) throw new ConflictError(`Unit ${data.unitId} is already registered.`, { unitId: data.unitId });
  if (homeSiteStatus === undefined) throw new NotFoundError('site', data.homeSiteCode, "Register the unit's home site first.");
  if (homeSiteStatus === 'CEASED') throw new ValidationError('homeSiteCode', `Site ${data.homeSiteCode} has ceased; choose another home site.`);
  return [new UnitRegistered({ ...data, registeredAt: now.toISOString() })];
}

export function setUnitQualification(state: ModularUnit | undefined, unitId: string, to: string, rawReason: string | null | undefined): UnitQualificationChanged[] {
  if (!state) throw new NotFoundError('modular unit', unitId, 'Register it first (registerUnit).');
  if (!(QUALIFICATION_STATES as readonly string[]).includes(to)) throw new ValidationError('state', `state must be one of ${QUALIFICATION_STATES.join(', ')}.`);
  const reason = optionalReason(rawReason);
  if (!reason) throw new ValidationError('reason', 'Record why the qualification changes (e.g. "PQ runs passed", "Incubator fault").');
  if (state.qualification === to) throw new ConflictError(`Unit ${state.unitId} is already ${to}.`, { unitId: state.unitId, state: to });
  return [new UnitQualificationChanged({ unitId: state.unitId, from: state.qualification, to: to as QualificationState, reason })];
}
