import { Inject } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository, type CommandContext, type GlobalPosition } from '@bedside/event-store';
import { CLOCK, type Evolver, localDateOf, NotFoundError, requireRole, type Clock, type LocalDate } from '@bedside/shared';
import {
  deployUnit,
  normaliseOdsCode,
  normaliseUnitId,
  recallUnit,
  siteOn,
  TRAVEL_TIMES_STREAM,
  unitEvolver,
  unitStreamId,
  type Deployment,
  type DeploymentEvent,
  type DeploymentFacts,
  type DeployUnit,
  type ModularUnit,
  type TravelTimeSet,
} from '../domain';
import { NetworkLookup } from './network-lookup';

/**
 * Places held or booked on a unit from a day on, by pathway (COI). The pathways slice records holds and
 * bookings and provides this (it depends on the network, not the other way round).
 */
export interface UnitBookings {
  bookedOn(unitId: string, fromDay: LocalDate): Promise<{ coi: string; day: LocalDate }[]>;
}
export const UNIT_BOOKINGS = Symbol('UNIT_BOOKINGS');

export interface DeploymentRecorded {
  readonly deployment: Deployment;
  readonly position?: GlobalPosition;
}

export class DeployUnitCommand {
  constructor(
    readonly unitId: string,
    readonly input: DeployUnit,
    readonly context: CommandContext,
  ) {}
}

export class RecallUnitCommand {
  constructor(
    readonly unitId: string,
    readonly reason: string,
    readonly force: boolean,
    readonly context: CommandContext,
  ) {}
}

/** Hours by road between each pair of sites, both ways, from the travel table's stream. */
const travelEvolver: Evolver<ReadonlyMap<string, number>, TravelTimeSet> = {
  initialState: new Map(),
  evolve: (state, event) =>
    new Map(state).set(`${event.data.fromSiteCode}>${event.data.toSiteCode}`, event.data.hours).set(`${event.data.toSiteCode}>${event.data.fromSiteCode}`, event.data.hours),
};

/** Control Site QA deploys and recalls units (issue 13 §6). */
abstract class MoveHandler {
  constructor(
    protected readonly repository: AggregateRepository,
    protected readonly lookup: NetworkLookup,
    protected readonly moduleRef: ModuleRef,
    protected readonly clock: Clock,
  ) {}

  /** Decides on the unit's stream with the facts read from the other streams and the pathways' bookings. */
  protected async move(rawUnitId: string, context: CommandContext, decide: (facts: DeploymentFacts) => readonly DeploymentEvent[], toSiteCode: string | null): Promise<DeploymentRecorded> {
    const unitId = normaliseUnitId('unitId', rawUnitId);
    const unit = await this.lookup.unit(unitId);
    if (!unit) throw new NotFoundError('modular unit', unitId, 'Register it first (registerUnit).');
    const today = await this.todayWhere(unit);
    const [destination, travel, booked] = await Promise.all([
      toSiteCode ? this.lookup.site(toSiteCode) : Promise.resolve(undefined),
      this.repository.load(TRAVEL_TIMES_STREAM, travelEvolver),
      this.moduleRef.get<UnitBookings>(UNIT_BOOKINGS, { strict: false }).bookedOn(unitId, today),
    ]);
    const { state, position } = await this.repository.execute(
      unitStreamId(unitId),
      unitEvolver,
      (current: ModularUnit | undefined) =>
        decide({
          unitId,
          mobility: current!.mobility,
          homeSiteCode: current!.homeSiteCode,
          deployments: current!.deployments,
          deploymentsRecorded: current!.deploymentsRecorded,
          today,
          destinationStatus: destination?.status,
          travelHours: (from, to) => travel.state.get(`${from}>${to}`),
          bookedFrom: (day) => [...new Set(booked.filter((b) => b.day >= day).map((b) => b.coi))].sort(),
        }),
      context,
    );
    return { deployment: state!.deployments.at(-1)!, position };
  }

  /** Today where the unit is (or is heading), by Bedside's clock. */
  private async todayWhere(unit: ModularUnit): Promise<LocalDate> {
    const now = this.clock.now();
    const home = await this.lookup.site(unit.homeSiteCode);
    const roughly = localDateOf(now, home?.timeZone ?? 'Europe/London');
    const here = await this.lookup.site(siteOn(unit.homeSiteCode, unit.deployments, roughly));
    return localDateOf(now, here?.timeZone ?? home?.timeZone ?? 'Europe/London');
  }
}

@CommandHandler(DeployUnitCommand)
export class DeployUnitHandler extends MoveHandler implements ICommandHandler<DeployUnitCommand, DeploymentRecorded> {
  constructor(repository: AggregateRepository, lookup: NetworkLookup, moduleRef: ModuleRef, @Inject(CLOCK) clock: Clock) {
    super(repository, lookup, moduleRef, clock);
  }

  async execute({ unitId, input, context }: DeployUnitCommand): Promise<DeploymentRecorded> {
    requireRole(context.role, ['control_site_qa'], 'deploy a mobile unit');
    const toSiteCode = normaliseOdsCode('toSiteCode', input.toSiteCode);
    return this.move(unitId, { ...context, reason: input.reason }, (facts) => deployUnit(facts, { ...input, toSiteCode }), toSiteCode);
  }
}

@CommandHandler(RecallUnitCommand)
export class RecallUnitHandler extends MoveHandler implements ICommandHandler<RecallUnitCommand, DeploymentRecorded> {
  constructor(repository: AggregateRepository, lookup: NetworkLookup, moduleRef: ModuleRef, @Inject(CLOCK) clock: Clock) {
    super(repository, lookup, moduleRef, clock);
  }

  async execute({ unitId, reason, force, context }: RecallUnitCommand): Promise<DeploymentRecorded> {
    requireRole(context.role, ['control_site_qa'], 'recall a mobile unit');
    return this.move(unitId, { ...context, reason }, (facts) => recallUnit(facts, reason, force), null);
  }
}
