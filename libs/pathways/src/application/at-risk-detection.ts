import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type {
  BankHolidaysDeclared,
  CalendarExceptionAdded,
  CalendarExceptionWithdrawn,
  DistrictTravelTimesSet,
  DmmfVersionPublished,
  ResourceCalendarSet,
  SiteActivated,
  SiteCeased,
  SitePaused,
  SiteSuspended,
  UnitDeployed,
  UnitQualificationChanged,
  UnitRecalled,
} from '@bedside/network';
import { AggregateRepository, EVENT_STORE, recordedOfTypes, retryOnConflict, type EventStore, type RecordedAs } from '@bedside/event-store';
import { ProjectionEngine, ReadYourWrites, ReactorTimerRunner, type Reactor, type ReactorTimers } from '@bedside/read-model';
import {
  atRiskFlagEvolver,
  atRiskStreamId,
  decideAtRiskFlag,
  pathwayStreamId,
  type CollectionRecorded,
  type ConditioningDoseGiven,
  type HoldConfirmed,
  type HoldReleased,
  type ManufactureCompleted,
  type ManufactureFailed,
  type ManufactureStarted,
  type PathwayWithdrawn,
  type PatientInfused,
  type MonitoringStayArranged,
  type PatientPostponed,
  type PlanRepaired,
  type QcFailed,
  type StepCorrected,
  type StepEnteredInError,
} from '../domain';
import { AtRiskPathways } from './repair';

/**
 * The events that can put a booked pathway at risk or take it out of risk (AtRiskPathways' rules):
 * capacity lost or given back (exceptions, calendars, bank holidays, units out of service or back, sites
 * paused, suspended, ceased or reactivated, a mobile unit deployed or recalled, a DMMF that no longer designates a unit), the pathway's own
 * progress (collection, a batch started, made or failed, a conditioning dose, infusion, withdrawal, and any of them corrected or
 * marked entered in error: issue 14 §3), a postponement, a repair
 * accepted, and a hold released (a booking given back, or places freed on a slot over capacity).
 * Not a hold placed, nor handed over, released product or conditioning: they change no rule's answer.
 * A confirmation only when its held places lost capacity while it was held (`armedBy`).
 */
export type AtRiskTrigger =
  | CalendarExceptionAdded
  | CalendarExceptionWithdrawn
  | ResourceCalendarSet
  | BankHolidaysDeclared
  | UnitQualificationChanged
  | UnitDeployed
  | UnitRecalled
  | SitePaused
  | SiteSuspended
  | SiteCeased
  | SiteActivated
  | DmmfVersionPublished
  | PatientPostponed
  | DistrictTravelTimesSet
  | MonitoringStayArranged
  | PlanRepaired
  | HoldReleased
  | HoldConfirmed
  | CollectionRecorded
  | ConditioningDoseGiven
  | ManufactureStarted
  | ManufactureCompleted
  | ManufactureFailed
  | QcFailed
  | PatientInfused
  | PathwayWithdrawn
  | StepCorrected
  | StepEnteredInError;

export const AT_RISK_TRIGGER_TYPES: readonly AtRiskTrigger['type'][] = [
  'CalendarExceptionAdded',
  'CalendarExceptionWithdrawn',
  'ResourceCalendarSet',
  'BankHolidaysDeclared',
  'UnitQualificationChanged',
  'UnitDeployed',
  'UnitRecalled',
  'SitePaused',
  'SiteSuspended',
  'SiteCeased',
  'SiteActivated',
  'DmmfVersionPublished',
  'PatientPostponed',
  // Where the patient will stay, or how far it is from the booked centre (issue 14 §4: outOfReach).
  'DistrictTravelTimesSet',
  'MonitoringStayArranged',
  'PlanRepaired',
  'HoldReleased',
  'HoldConfirmed',
  'CollectionRecorded',
  'ConditioningDoseGiven',
  'ManufactureStarted',
  'ManufactureCompleted',
  'ManufactureFailed',
  'QcFailed',
  'PatientInfused',
  'PathwayWithdrawn',
  'StepCorrected',
  'StepEnteredInError',
];

/** Who records the flags, in the audit trail. */
export const AT_RISK_ACTOR = 'bedside:at-risk';


/** Timer keys: a hold on lost capacity (a marker, `armedBy`), the instant a manufactured product's shelf life ends, and the day a conditioning course lapses. */
const HELD = 'held:';
const SHELF_LIFE = 'shelf-life:';
/** A conditioning course lapsing with no infusion (issue 14 §4): keyed by its last dose. */
const LAPSE = 'conditioning-lapse:';

/**
 * At-risk detection as a reactor (issue 12 §5), on the same checkpointed engine as the projections: on
 * each event that can change what is at risk it waits for the read models to show the event, works out
 * the at-risk list (AtRiskPathways, whose rules these are), compares it with the flags recorded
 * (`at_risk_flags`), and records each change as PathwayFlaggedAtRisk or PathwayAtRiskCleared on the
 * pathway's `at-risk-<coi>` stream, by `bedside:at-risk`, caused by the event. A flag raised while no
 * server ran is recorded by the next to start (its checkpoint), and each is recorded once however many
 * servers run (decided on its stream, appended at the version read). `atRiskChanged` subscribers are
 * told from those events (LivePathways).
 *
 * Time alone puts a pathway at risk when its fresh product passes its shelf life, or its conditioning
 * course lapses with no infusion: a made product, and each dose, sets a durable timer for that instant
 * (AtRiskPathways.atRiskFrom, lapsesFrom), and its wake looks again. A booking
 * cannot put anyone at risk, with one exception: a plan whose held places lost capacity while held. Each
 * look marks those holds (a timer due when the hold would lapse), and only the confirmation of a marked
 * hold is reacted to: the booking hot path pays one read of timers per batch, no transaction.
 *
 * It starts at the log's head when first deployed: the list is worked out as it stands now, so
 * replaying history would only repeat it; flags standing then are recorded at the first event after.
 */
@Injectable()
export class AtRiskDetection implements Reactor<AtRiskTrigger> {
  readonly name = 'at-risk';
  readonly eventTypes = AT_RISK_TRIGGER_TYPES;
  private readonly logger = new Logger('AtRisk');

  constructor(
    private readonly atRisk: AtRiskPathways,
    private readonly repository: AggregateRepository,
    private readonly dataSource: DataSource,
    private readonly projections: ProjectionEngine,
    private readonly readModels: ReadYourWrites,
    private readonly timers: ReactorTimerRunner,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  armedBy(event: RecordedAs<AtRiskTrigger>): string | undefined {
    return event.type === 'HoldConfirmed' ? HELD + event.data.holdId : undefined;
  }

  async react(event: RecordedAs<AtRiskTrigger>, timers: ReactorTimers): Promise<void> {
    await this.readModels.required(event.globalPosition, 'at-risk detection');
    await this.look(event.eventId, timers);
    if (event.type === 'HoldConfirmed' || event.type === 'HoldReleased') timers.cancel(HELD + event.data.holdId);
    // A corrected end of manufacture moves the shelf life: the timer is set again from the corrected facts.
    if (event.type === 'ManufactureCompleted' || (event.type === 'StepCorrected' && event.data.step === 'ManufactureCompleted')) {
      const from = await this.atRisk.atRiskFrom(event.data.coi);
      // Keyed by the event, so the flag its wake records names the completed manufacture as its cause.
      if (from) timers.set(SHELF_LIFE + event.eventId, from);
    }
    // Each dose moves the day the course lapses: the latest dose's timer replaces the earlier doses', so the flag names the last dose as its cause.
    if (event.type === 'ConditioningDoseGiven') {
      const doses = recordedOfTypes<ConditioningDoseGiven>(await this.store.readStream(pathwayStreamId(event.data.coi)), ['ConditioningDoseGiven']);
      for (const dose of doses) if (dose.eventId !== event.eventId) timers.cancel(LAPSE + dose.eventId);
      const from = await this.atRisk.lapsesFrom(event.data.coi);
      if (from) timers.set(LAPSE + event.eventId, from);
    }
  }

  /** A product's shelf life has ended, or a conditioning course lapsed (the marker of a hold lapsing needs nothing): look again. */
  async wake(key: string): Promise<void> {
    const prefix = [SHELF_LIFE, LAPSE].find((p) => key.startsWith(p));
    if (!prefix) return;
    await this.readModels.required(await this.store.lastRecordedPosition(), 'at-risk detection');
    await this.look(key.slice(prefix.length));
  }

  /**
   * Records what changed between the at-risk list now and the flags recorded. The table can be behind
   * the flags this reactor has just appended: each change is decided on the pathway's stream, so a stale
   * row costs a read, and a second server, or a second look, records nothing.
   */
  private async look(causationId: string, timers?: ReactorTimers): Promise<void> {
    const now = new Map((await this.atRisk.all(false)).map((e) => [e.pathway.coi, e.reasons] as const));
    const rows: { coi: string; reasons: string[] }[] = await this.dataSource.query('SELECT coi, reasons FROM at_risk_flags');
    const recorded = new Map(rows.map((r) => [r.coi, r.reasons] as const));
    const changed = new Set<string>();
    for (const [coi, reasons] of now) {
      const flagged = recorded.get(coi);
      if (flagged === undefined || decideAtRiskFlag(coi, flagged, reasons).length > 0) changed.add(coi);
    }
    for (const coi of recorded.keys()) if (!now.has(coi)) changed.add(coi);
    for (const coi of changed) await this.record(coi, now.get(coi) ?? [], causationId);
    if (timers) for (const { holdId, expiresAt } of await this.atRisk.heldOnLostCapacity()) timers.set(HELD + holdId, expiresAt);
  }

  private async record(coi: string, reasons: readonly string[], causationId: string): Promise<void> {
    await retryOnConflict(async () => {
      const { state, version } = await this.repository.load(atRiskStreamId(coi), atRiskFlagEvolver);
      const events = decideAtRiskFlag(coi, state, reasons);
      if (events.length === 0) return;
      const reason = reasons.length > 0 ? `At risk: ${reasons.join('; ')}` : 'Its booking holds again';
      await this.repository.appendDecisions([{ streamId: atRiskStreamId(coi), expectedVersion: version, events }], {
        actor: AT_RISK_ACTOR,
        correlationId: `at-risk-${causationId}`,
        causationId,
        reason,
      });
      this.logger.log(`${reasons.length > 0 ? 'flagged' : 'cleared'} pathway ${coi}${reasons.length > 0 ? ` at risk: ${reasons.join('; ')}` : ''}`);
    });
  }

  /** Fires due timers now (tests; the timer runner does this on its own). */
  fireDue(): Promise<number> {
    return this.timers.fireDue();
  }

  /** Resolves once everything recorded so far has been reacted to (for tests). */
  async settled(timeoutMs = 20_000): Promise<void> {
    if (!(await this.projections.waitFor([this.name], await this.store.lastRecordedPosition(), timeoutMs))) {
      throw new Error(`at-risk detection had not caught up with the log after ${timeoutMs} ms`);
    }
  }

}
