import { Inject } from '@nestjs/common';
import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CommandBus } from '@nestjs/cqrs';
import type { CommandContext, GlobalPosition } from '@bedside/event-store';
import { Acting, pageSize, Allow, decodeCursor, encodeCursor, toConnection, GraphQLLocalDate } from '@bedside/graphql-common';
import { ReadYourWrites } from '@bedside/read-model';
import { NETWORK_TIME_ZONE, CLOCK, CONTROL_SITE, EVERYONE, localDateOf, NETWORK_PLANNING, NotFoundError, type Clock } from '@bedside/shared';
import {
  AddCalendarExceptionCommand,
  DeclareBankHolidaysCommand,
  SetResourceCalendarCommand,
  SetTravelTimeCommand,
  SetDistrictTravelTimesCommand,
  WithdrawCalendarExceptionCommand,
  type CalendarChanged,
} from '../application/calendar-commands';
import { PublishDmmfVersionCommand } from '../application/dmmf-commands';
import { NetworkAsOf } from '../application/network-as-of';
import { NetworkReadModel } from '../application/network-read-model';
import { RegisterUnitCommand, SetUnitQualificationCommand, type UnitChanged } from '../application/unit-commands';
import { normaliseOdsCode, normaliseUnitId, type ProductProcess as ProductProcessData } from '../domain';
import { QualificationStateEnum, UnitKindEnum } from './enums';
import { toDmmf, toResourceCalendar, toUnit } from './network-model.mappers';
import {
  CalendarExceptionInput,
  Dmmf,
  DmmfConnection,
  TravelTimeConnection,
  DmmfVersionInput,
  ModularUnit,
  ModularUnitConnection,
  RegisterUnitInput,
  ResourceCalendar,
  ResourceCalendarInput,
  TravelTime,
  TravelTimeInput,
  DistrictTravelTime,
  DistrictTravelTimesInput,
} from './network-model.types';
import { Network } from './site.types';

@Resolver()
export class NetworkModelResolver {
  constructor(
    private readonly commands: CommandBus,
    private readonly readModel: NetworkReadModel,
    private readonly readYourWrites: ReadYourWrites,
    private readonly asOfReads: NetworkAsOf,
  ) {}

  @Allow(EVERYONE)
  @Query(() => ModularUnit, { nullable: true, description: 'One modular unit by id; with `asOf`, as it was recorded at that instant.' })
  async unit(
    @Args('id', { type: () => ID, description: 'Unit id.' }) id: string,
    @Args('asOf', { nullable: true, description: 'Show the unit as recorded at this instant (UTC), rebuilt from its events; not in the future. Empty when it was not yet registered then.' }) asOf?: Date,
  ): Promise<ModularUnit | null> {
    const row = asOf ? await this.asOfReads.unit(id, asOf) : await this.readModel.unit(id);
    return row ? toUnit(row, asOf ?? null) : null;
  }

  @Allow(CONTROL_SITE)
  @Mutation(() => ModularUnit, { description: 'Registers a modular unit at its home site (Control Site QA). It starts REQUALIFYING.' })
  async registerUnit(@Args('input', { description: 'The unit to register.' }) input: RegisterUnitInput, @Acting() acting: CommandContext): Promise<ModularUnit> {
    const { unitId, position }: UnitChanged = await this.commands.execute(
      new RegisterUnitCommand({ ...input, unitId: input.id, fillFinish: input.fillFinish ?? null }, acting),
    );
    await this.readYourWrites.after(position);
    return this.mustUnit(unitId);
  }

  @Allow(CONTROL_SITE)
  @Mutation(() => ModularUnit, { description: 'Sets a unit QUALIFIED, REQUALIFYING or OUT_OF_SERVICE, with the reason (Control Site QA).' })
  async setUnitQualification(
    @Args('id', { type: () => ID, description: 'Unit id.' }) id: string,
    @Args('state', { type: () => QualificationStateEnum, description: 'New qualification state.' }) state: string,
    @Args('reason', { description: 'Why (e.g. "PQ runs passed", "Incubator fault").' }) reason: string,
    @Acting() acting: CommandContext,
  ): Promise<ModularUnit> {
    const { unitId, position }: UnitChanged = await this.commands.execute(new SetUnitQualificationCommand(id, state, reason, acting));
    await this.readYourWrites.after(position);
    return this.mustUnit(unitId);
  }

  private async mustUnit(unitId: string): Promise<ModularUnit> {
    const row = await this.readModel.unit(unitId);
    if (!row) throw new NotFoundError('modular unit', unitId);
    return toUnit(row);
  }

  @Allow(EVERYONE)
  @Query(() => Dmmf, { nullable: true, description: 'A product’s DMMF: the latest version when none is given.' })
  async dmmf(
    @Args('productCode', { type: () => ID, description: 'Product code.' }) productCode: string,
    @Args('version', { type: () => Int, nullable: true, description: 'Version; the latest when empty.' }) version?: number,
  ): Promise<Dmmf | null> {
    const row = await this.readModel.dmmf(productCode, version);
    return row ? toDmmf(row) : null;
  }

  @Allow(EVERYONE)
  @Query(() => DmmfConnection, { description: 'Every version of a product’s DMMF, oldest first.' })
  async dmmfVersions(
    @Args('productCode', { type: () => ID, description: 'Product code.' }) productCode: string,
    @Args('first', { type: () => Int, nullable: true, description: 'Page size, 1 to 500 (default 50).' }) first?: number,
    @Args('after', { nullable: true, description: 'Cursor from a previous page.' }) after?: string,
  ): Promise<DmmfConnection> {
    const limit = pageSize(first);
    const [afterVersion] = (decodeCursor('dmmf-versions', after, ['number']) ?? [0]) as number[];
    const rows = await this.readModel.dmmfVersions(productCode, limit, afterVersion);
    return toConnection(rows, limit, (r) => encodeCursor('dmmf-versions', [r.version]), toDmmf);
  }

  @Allow(CONTROL_SITE)
  @Mutation(() => Dmmf, { description: 'Publishes a new DMMF version: process definition and designation (Control Site QA only).' })
  async publishDmmfVersion(@Args('input', { description: 'The new version.' }) input: DmmfVersionInput, @Acting() acting: CommandContext): Promise<Dmmf> {
    const { productCode, version, position } = await this.commands.execute(
      new PublishDmmfVersionCommand({ ...input, process: input.process as ProductProcessData }, acting),
    );
    await this.readYourWrites.after(position);
    const row = await this.readModel.dmmf(productCode, version);
    if (!row) throw new NotFoundError('DMMF version', `${productCode} v${version}`);
    return toDmmf(row);
  }

  @Allow(EVERYONE)
  @Query(() => ResourceCalendar, { description: 'The calendar of a site (give siteCode) or a unit (give unitId), with its exceptions.' })
  async resourceCalendar(
    @Args('siteCode', { type: () => String, nullable: true, description: 'The site whose calendar to show.' }) siteCode?: string,
    @Args('unitId', { type: () => String, nullable: true, description: 'Or the unit whose calendar to show.' }) unitId?: string,
  ): Promise<ResourceCalendar> {
    const owner = unitId ? { unitId: normaliseUnitId('unitId', unitId) } : { siteCode: normaliseOdsCode('siteCode', siteCode ?? '') };
    const { calendars, exceptions } = await this.readModel.calendars(owner);
    return toResourceCalendar(owner, calendars, exceptions);
  }

  @Allow(NETWORK_PLANNING)
  @Mutation(() => ResourceCalendar, { description: 'Sets the standing calendar of one resource at a site (planner or Control Site QA).' })
  async setResourceCalendar(@Args('input', { description: 'The calendar.' }) input: ResourceCalendarInput, @Acting() acting: CommandContext): Promise<ResourceCalendar> {
    const calendar = { ...input, sessions: input.sessions ?? [], openOnBankHolidays: input.openOnBankHolidays ?? false };
    return this.calendarAfter(await this.commands.execute(new SetResourceCalendarCommand(calendar, acting)));
  }

  @Allow(NETWORK_PLANNING)
  @Mutation(() => ResourceCalendar, { description: 'Takes some or all of a resource out on some days: maintenance, outage, staffing (planner or Control Site QA).' })
  async addCalendarException(@Args('input', { description: 'The exception.' }) input: CalendarExceptionInput, @Acting() acting: CommandContext): Promise<ResourceCalendar> {
    return this.calendarAfter(
      await this.commands.execute(
        new AddCalendarExceptionCommand({ ...input, resource: input.resource ?? null, unavailable: input.unavailable ?? null }, acting),
      ),
    );
  }

  @Allow(NETWORK_PLANNING)
  @Mutation(() => ResourceCalendar, { description: 'Withdraws a calendar exception, restoring the capacity (planner or Control Site QA).' })
  async withdrawCalendarException(
    @Args('exceptionId', { type: () => ID, description: 'The exception to withdraw.' }) exceptionId: string,
    @Args('reason', { description: 'Why it is withdrawn.' }) reason: string,
    @Acting() acting: CommandContext,
    @Args('siteCode', { type: () => String, nullable: true, description: 'The site it belongs to.' }) siteCode?: string,
    @Args('unitId', { type: () => String, nullable: true, description: 'Or the unit it belongs to.' }) unitId?: string,
  ): Promise<ResourceCalendar> {
    return this.calendarAfter(await this.commands.execute(new WithdrawCalendarExceptionCommand({ siteCode, unitId }, exceptionId, reason, acting)));
  }

  private async calendarAfter({ owner, position }: CalendarChanged): Promise<ResourceCalendar> {
    await this.readYourWrites.after(position);
    const { calendars, exceptions } = await this.readModel.calendars(owner);
    return toResourceCalendar(owner as { siteCode?: string; unitId?: string }, calendars, exceptions);
  }

  @Allow(NETWORK_PLANNING)
  @Mutation(() => Boolean, { description: 'Declares the bank holidays of a region (e.g. "england-and-wales"); site calendars close on them unless they open on bank holidays.' })
  async declareBankHolidays(
    @Args('region', { description: 'Region, e.g. "england-and-wales".' }) region: string,
    @Args('dates', { type: () => [GraphQLLocalDate], description: 'The bank holidays.' }) dates: string[],
    @Acting() acting: CommandContext,
  ): Promise<boolean> {
    const position: GlobalPosition = await this.commands.execute(new DeclareBankHolidaysCommand(region, dates, acting));
    await this.readYourWrites.after(position);
    return true;
  }

  @Allow(EVERYONE)
  @Query(() => TravelTimeConnection, { description: 'Travel times between sites, from each site nearest first; from one site when siteCode is given.' })
  async travelTimes(
    @Args('siteCode', { type: () => String, nullable: true, description: 'Only travel from this site.' }) siteCode?: string,
    @Args('first', { type: () => Int, nullable: true, description: 'Page size, 1 to 500 (default 50).' }) first?: number,
    @Args('after', { nullable: true, description: 'Cursor from a previous page.' }) after?: string,
  ): Promise<TravelTimeConnection> {
    const limit = pageSize(first);
    const key = decodeCursor('travel-times', after, ['string', 'number', 'string']) as [string, number, string] | undefined;
    const rows = await this.readModel.travelTimes(siteCode, limit, key);
    return toConnection(rows, limit, (r) => encodeCursor('travel-times', [r.from_site_code, r.hours, r.to_site_code]), (r) => ({
      fromSiteCode: r.from_site_code,
      toSiteCode: r.to_site_code,
      hours: r.hours,
      freshCourier: r.fresh_courier,
    }));
  }

  @Allow(EVERYONE)
  @Query(() => [DistrictTravelTime], {
    description: 'Minutes from postcode districts to sites, nearest first (up to 5,000): for one district, one site, or both. The stay-within-reach rule judges a patient’s district by them.',
  })
  districtTravelTimes(
    @Args('district', { type: () => String, nullable: true, description: 'Only from this postcode district, e.g. "M20".' }) district?: string | null,
    @Args('siteCode', { type: () => String, nullable: true, description: 'Only to this site.' }) siteCode?: string | null,
  ): Promise<DistrictTravelTime[]> {
    return this.readModel.districtTravelTimes({ district, siteCode });
  }

  @Allow(NETWORK_PLANNING)
  @Mutation(() => [DistrictTravelTime], {
    description: 'Records minutes of travel from postcode districts to a site (planner or Control Site QA): plans, conditioning and infusion keep each patient within reach of their centre by them. Returns every time recorded to the site.',
  })
  async setDistrictTravelTimes(@Args('input', { description: 'The site and its districts.' }) input: DistrictTravelTimesInput, @Acting() acting: CommandContext): Promise<DistrictTravelTime[]> {
    const position: GlobalPosition = await this.commands.execute(new SetDistrictTravelTimesCommand(input, acting));
    await this.readYourWrites.after(position);
    return this.readModel.districtTravelTimes({ siteCode: input.siteCode });
  }

  @Allow(NETWORK_PLANNING)
  @Mutation(() => TravelTime, { description: 'Records the travel time between two sites, the same both ways (planner or Control Site QA).' })
  async setTravelTime(@Args('input', { description: 'The travel time.' }) input: TravelTimeInput, @Acting() acting: CommandContext): Promise<TravelTime> {
    const position: GlobalPosition = await this.commands.execute(new SetTravelTimeCommand(input, acting));
    await this.readYourWrites.after(position);
    const [a, b] = [normaliseOdsCode('fromSiteCode', input.fromSiteCode), normaliseOdsCode('toSiteCode', input.toSiteCode)];
    return { fromSiteCode: a, toSiteCode: b, hours: input.hours, freshCourier: input.freshCourier };
  }
}

@Resolver(() => Network)
export class NetworkModelFieldsResolver {
  constructor(
    private readonly readModel: NetworkReadModel,
    private readonly asOfReads: NetworkAsOf,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @ResolveField(() => ModularUnitConnection, { description: 'Modular units, ordered by id.' })
  async units(
    @Parent() network: Network,
    @Args('first', { type: () => Int, nullable: true, description: 'Page size, 1 to 500 (default 50).' }) first?: number,
    @Args('after', { nullable: true, description: 'Cursor from a previous page.' }) after?: string,
    @Args('kind', { type: () => UnitKindEnum, nullable: true, description: 'Only units of this kind.' }) kind?: string,
    @Args('siteCode', { type: () => String, nullable: true, description: 'Only units now at this site.' }) siteCode?: string,
  ): Promise<ModularUnitConnection> {
    const limit = pageSize(first);
    const [afterId] = decodeCursor('units', after, ['string']) ?? [];
    const rows = network.asOf
      ? await this.asOfReads.units({ kind, siteCode }, limit, afterId as string | undefined, network.asOf)
      : await this.readModel.units({ kind, siteCode }, limit, afterId as string | undefined, localDateOf(this.clock.now(), NETWORK_TIME_ZONE));
    return toConnection(rows, limit, (r) => encodeCursor('units', [r.unit_id]), (r) => toUnit(r, network.asOf ?? null));
  }

  @ResolveField(() => [Dmmf], { description: 'Every product with a DMMF, at its latest version.' })
  async products(@Parent() network: Network): Promise<Dmmf[]> {
    return (network.asOf ? await this.asOfReads.products(network.asOf) : await this.readModel.products()).map(toDmmf);
  }
}
