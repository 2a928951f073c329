import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository, retryOnConflict, type AlsoAppend, type CommandContext, type GlobalPosition } from '@bedside/event-store';
import { NETWORK_TIME_ZONE, CLOCK, localDateOf, NotFoundError, requireRole, type Clock, type Evolver, type LocalDate } from '@bedside/shared';
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
  type UnitEvent,
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

/** A unit as it stands once these events are recorded too. */
const after = (unit: ModularUnit, events: readonly UnitEvent[]): ModularUnit => events.reduce<ModularUnit>((state, event) => unitEvolver.evolve(state, event)!, unit);

/** A move to decide for one unit: a deployment, or a recall. */
export type UnitMoveCommand = { readonly kind: 'deploy'; readonly input: DeployUnit } | { readonly kind: 'recall'; readonly reason: string; readonly force: boolean };

/**
 * Decides moves of mobile units on their streams, from facts read from the other streams (sites, the
 * travel table) and the pathways' bookings (UNIT_BOOKINGS), and records them: one move (deployUnit,
 * recallUnit), or a whole plan's moves at once, all or nothing (a committed scenario plan).
 */
@Injectable()
export class UnitMoves {
  constructor(
    private readonly repository: AggregateRepository,
    private readonly lookup: NetworkLookup,
    private readonly moduleRef: ModuleRef,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Records every move, each unit's in order, in one append; any refusal records none. `alsoAppend`: what
   * else the same append records about them (a committed plan's run).
   */
  async record(
    moves: readonly { readonly unitId: string; readonly move: UnitMoveCommand }[],
    context: CommandContext,
    alsoAppend: (deployments: readonly Deployment[]) => readonly AlsoAppend[] = () => [],
  ): Promise<{ deployments: Deployment[]; position?: GlobalPosition }> {
    return retryOnConflict(async () => {
      const travel = (await this.repository.load(TRAVEL_TIMES_STREAM, travelEvolver)).state;
      const byUnit = new Map<string, UnitMoveCommand[]>();
      for (const { unitId, move } of moves) byUnit.set(normaliseUnitId('unitId', unitId), [...(byUnit.get(normaliseUnitId('unitId', unitId)) ?? []), move]);
      const appends: AlsoAppend[] = [];
      const deployments: Deployment[] = [];
      for (const [unitId, unitMoves] of byUnit) {
        const { state, version } = await this.repository.load(unitStreamId(unitId), unitEvolver);
        if (!state) throw new NotFoundError('modular unit', unitId, 'Register it first (registerUnit).');
        const today = await this.todayWhere(state);
        const booked = await this.moduleRef.get<UnitBookings>(UNIT_BOOKINGS, { strict: false }).bookedOn(unitId, today);
        const events: UnitEvent[] = [];
        for (const move of unitMoves) {
          const current = after(state, events);
          const toSiteCode = move.kind === 'deploy' ? normaliseOdsCode('toSiteCode', move.input.toSiteCode) : null;
          const destination = toSiteCode ? await this.lookup.site(toSiteCode) : undefined;
          const facts: DeploymentFacts = {
            unitId,
            mobility: current.mobility,
            homeSiteCode: current.homeSiteCode,
            deployments: current.deployments,
            deploymentsRecorded: current.deploymentsRecorded,
            today,
            destinationStatus: destination?.status,
            travelHours: (from, to) => travel.get(`${from}>${to}`),
            bookedFrom: (day) => [...new Set(booked.filter((b) => b.day >= day).map((b) => b.coi))].sort(),
          };
          const decided: DeploymentEvent[] = move.kind === 'deploy' ? deployUnit(facts, { ...move.input, toSiteCode: toSiteCode! }) : recallUnit(facts, move.reason, move.force);
          events.push(...decided);
          deployments.push(...after(current, decided).deployments.slice(-decided.length));
        }
        appends.push({ streamId: unitStreamId(unitId), expectedVersion: version, events });
      }
      const position = await this.repository.appendDecisions([...appends, ...alsoAppend(deployments)], context);
      return { deployments, position };
    });
  }

  /** Today where the unit is (or is heading), by Bedside's clock. */
  private async todayWhere(unit: ModularUnit): Promise<LocalDate> {
    const now = this.clock.now();
    const home = await this.lookup.site(unit.homeSiteCode);
    const roughly = localDateOf(now, home?.timeZone ?? NETWORK_TIME_ZONE);
    const here = await this.lookup.site(siteOn(unit.homeSiteCode, unit.deployments, roughly));
    return localDateOf(now, here?.timeZone ?? home?.timeZone ?? NETWORK_TIME_ZONE);
  }
}

/** Control Site QA deploys units (issue 13 §6). */
@CommandHandler(DeployUnitCommand)
export class DeployUnitHandler implements ICommandHandler<DeployUnitCommand, DeploymentRecorded> {
  constructor(private readonly moves: UnitMoves) {}

  async execute({ unitId, input, context }: DeployUnitCommand): Promise<DeploymentRecorded> {
    requireRole(context.role, ['control_site_qa'], 'deploy a mobile unit');
    const { deployments, position } = await this.moves.record([{ unitId, move: { kind: 'deploy', input } }], { ...context, reason: input.reason });
    return { deployment: deployments[0]!, position };
  }
}

/** Control Site QA recalls units (issue 13 §6). */
@CommandHandler(RecallUnitCommand)
export class RecallUnitHandler implements ICommandHandler<RecallUnitCommand, DeploymentRecorded> {
  constructor(private readonly moves: UnitMoves) {}

  async execute({ unitId, reason, force, context }: RecallUnitCommand): Promise<DeploymentRecorded> {
    requireRole(context.role, ['control_site_qa'], 'recall a mobile unit');
    const { deployments, position } = await this.moves.record([{ unitId, move: { kind: 'recall', reason, force } }], { ...context, reason });
    return { deployment: deployments[0]!, position };
  }
}
