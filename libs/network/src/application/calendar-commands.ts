import { randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository, type CommandContext, type GlobalPosition } from '@bedside/event-store';
import { NotFoundError, requireRole, type Role } from '@bedside/shared';
import {
  addCalendarException,
  BANK_HOLIDAYS_STREAM,
  calendarEvolver,
  calendarStreamId,
  declareBankHolidays,
  normaliseOdsCode,
  normaliseUnitId,
  setResourceCalendar,
  setTravelTime,
  TRAVEL_TIMES_STREAM,
  withdrawCalendarException,
  type AddCalendarException,
  type CalendarOwner,
  type SetResourceCalendar,
  type SetTravelTime,
  setDistrictTravelTimes,
  type SetDistrictTravelTimes,
} from '../domain';
import { NetworkLookup } from './network-lookup';

/** Calendars and travel are kept by network planners and the Control Site. */
const CALENDAR_KEEPERS: readonly Role[] = ['planner', 'control_site_qa'];

export interface CalendarChanged {
  readonly owner: CalendarOwner;
  readonly position?: GlobalPosition;
}

export class SetResourceCalendarCommand {
  constructor(
    readonly input: SetResourceCalendar,
    readonly context: CommandContext,
  ) {}
}

export class AddCalendarExceptionCommand {
  constructor(
    readonly input: Omit<AddCalendarException, 'exceptionId' | 'owner'> & { exceptionId?: string | null; siteCode?: string | null; unitId?: string | null },
    readonly context: CommandContext,
  ) {}
}

export class WithdrawCalendarExceptionCommand {
  constructor(
    readonly owner: { siteCode?: string | null; unitId?: string | null },
    readonly exceptionId: string,
    readonly reason: string,
    readonly context: CommandContext,
  ) {}
}

export class SetTravelTimeCommand {
  constructor(
    readonly input: SetTravelTime,
    readonly context: CommandContext,
  ) {}
}

export class SetDistrictTravelTimesCommand {
  constructor(
    readonly input: SetDistrictTravelTimes,
    readonly context: CommandContext,
  ) {}
}

export class DeclareBankHolidaysCommand {
  constructor(
    readonly region: string,
    readonly dates: readonly string[],
    readonly context: CommandContext,
  ) {}
}

async function ownerOf(lookup: NetworkLookup, owner: { siteCode?: string | null; unitId?: string | null }): Promise<CalendarOwner> {
  if (owner.unitId) {
    const unitId = normaliseUnitId('unitId', owner.unitId);
    if (!(await lookup.unit(unitId))) throw new NotFoundError('modular unit', unitId);
    return { unitId };
  }
  const siteCode = normaliseOdsCode('siteCode', owner.siteCode ?? '');
  if (!(await lookup.site(siteCode))) throw new NotFoundError('site', siteCode);
  return { siteCode };
}

@CommandHandler(SetResourceCalendarCommand)
export class SetResourceCalendarHandler implements ICommandHandler<SetResourceCalendarCommand, CalendarChanged> {
  constructor(
    private readonly repository: AggregateRepository,
    private readonly lookup: NetworkLookup,
  ) {}

  async execute({ input, context }: SetResourceCalendarCommand): Promise<CalendarChanged> {
    requireRole(context.role, CALENDAR_KEEPERS, 'set a resource calendar');
    const owner = (await ownerOf(this.lookup, { siteCode: input.siteCode })) as { siteCode: string };
    const { position } = await this.repository.execute(calendarStreamId(owner), calendarEvolver, () => setResourceCalendar({ ...input, siteCode: owner.siteCode }), context);
    return { owner, position };
  }
}

@CommandHandler(AddCalendarExceptionCommand)
export class AddCalendarExceptionHandler implements ICommandHandler<AddCalendarExceptionCommand, CalendarChanged & { exceptionId: string }> {
  constructor(
    private readonly repository: AggregateRepository,
    private readonly lookup: NetworkLookup,
  ) {}

  async execute({ input, context }: AddCalendarExceptionCommand) {
    requireRole(context.role, CALENDAR_KEEPERS, 'add a calendar exception');
    const owner = await ownerOf(this.lookup, input);
    const unit = owner.unitId ? await this.lookup.unit(owner.unitId) : undefined;
    const exceptionId = input.exceptionId?.trim() || randomUUID();
    const { position } = await this.repository.execute(
      calendarStreamId(owner),
      calendarEvolver,
      (state) =>
        addCalendarException(state, { ...input, exceptionId, owner }, (resource) => {
          if (unit) return unit.batchCapacity;
          if (resource === null) return Math.max(0, ...[...state.resources.values()].map((c) => c.count));
          return state.resources.get(resource)?.count;
        }),
      { ...context, reason: input.reason },
    );
    return { owner, exceptionId, position };
  }
}

@CommandHandler(WithdrawCalendarExceptionCommand)
export class WithdrawCalendarExceptionHandler implements ICommandHandler<WithdrawCalendarExceptionCommand, CalendarChanged> {
  constructor(
    private readonly repository: AggregateRepository,
    private readonly lookup: NetworkLookup,
  ) {}

  async execute({ owner: rawOwner, exceptionId, reason, context }: WithdrawCalendarExceptionCommand): Promise<CalendarChanged> {
    requireRole(context.role, CALENDAR_KEEPERS, 'withdraw a calendar exception');
    const owner = await ownerOf(this.lookup, rawOwner);
    const { position } = await this.repository.execute(
      calendarStreamId(owner),
      calendarEvolver,
      (state) => withdrawCalendarException(state, owner, exceptionId, reason),
      { ...context, reason },
    );
    return { owner, position };
  }
}

@CommandHandler(SetTravelTimeCommand)
export class SetTravelTimeHandler implements ICommandHandler<SetTravelTimeCommand, GlobalPosition> {
  constructor(
    private readonly repository: AggregateRepository,
    private readonly lookup: NetworkLookup,
  ) {}

  async execute({ input, context }: SetTravelTimeCommand): Promise<GlobalPosition> {
    requireRole(context.role, CALENDAR_KEEPERS, 'set a travel time');
    const codes = [input.fromSiteCode, input.toSiteCode].map((c) => normaliseOdsCode('siteCode', c));
    const registered = new Set<string>();
    for (const code of codes) if (await this.lookup.site(code)) registered.add(code);
    return this.repository.record(TRAVEL_TIMES_STREAM, setTravelTime(input, (c) => registered.has(c)), context);
  }
}

/** Minutes from postcode districts to a site, which the stay-within-reach rule judges by (issue 14 §4). */
@CommandHandler(SetDistrictTravelTimesCommand)
export class SetDistrictTravelTimesHandler implements ICommandHandler<SetDistrictTravelTimesCommand, GlobalPosition> {
  constructor(
    private readonly repository: AggregateRepository,
    private readonly lookup: NetworkLookup,
  ) {}

  async execute({ input, context }: SetDistrictTravelTimesCommand): Promise<GlobalPosition> {
    requireRole(context.role, CALENDAR_KEEPERS, 'set travel times from postcode districts');
    const code = normaliseOdsCode('siteCode', input.siteCode);
    const registered = (await this.lookup.site(code)) !== undefined;
    return this.repository.record(TRAVEL_TIMES_STREAM, setDistrictTravelTimes(input, (c) => c === code && registered), context);
  }
}

@CommandHandler(DeclareBankHolidaysCommand)
export class DeclareBankHolidaysHandler implements ICommandHandler<DeclareBankHolidaysCommand, GlobalPosition> {
  constructor(private readonly repository: AggregateRepository) {}

  async execute({ region, dates, context }: DeclareBankHolidaysCommand): Promise<GlobalPosition> {
    requireRole(context.role, CALENDAR_KEEPERS, 'declare bank holidays');
    return this.repository.record(BANK_HOLIDAYS_STREAM, declareBankHolidays(region, dates), context);
  }
}
