import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import type { CommandContext } from '@bedside/event-store';
import { Acting, Allow, decodeCursor, encodeCursor, GraphQLLocalDate, pageSize, toConnection } from '@bedside/graphql-common';
import { EVERYONE } from '@bedside/shared';
import { CapacityAsOf } from '../application/capacity-as-of';
import { CapacityQueries } from '../application/capacity-queries';
import { toCapacitySlot, toDailyCapacity, toUtilisation } from './capacity.mappers';
import { CapacityConnection, CapacityFilter, DailyCapacity, UtilisationRow } from './capacity.types';

/** Live capacity as people read it: `capacity` (slots, paged, also as of an instant) and `utilisation`. */
@Resolver()
export class CapacityResolver {
  constructor(
    private readonly queries: CapacityQueries,
    private readonly history: CapacityAsOf,
  ) {}

  @Allow(EVERYONE)
  @Query(() => CapacityConnection, {
    description:
      'Free and committed capacity per resource, per day and session, across the network. At most 400 days at a time. With `asOf`, as it was recorded at that instant.',
  })
  async capacity(
    @Args('filter', { description: 'Which capacity to show.' }) filter: CapacityFilter,
    @Args('from', { type: () => GraphQLLocalDate, description: 'First day.' }) from: string,
    @Args('to', { type: () => GraphQLLocalDate, description: 'Last day (inclusive).' }) to: string,
    @Acting() acting: CommandContext,
    @Args('first', { type: () => Int, nullable: true, description: 'Page size, 1 to 500 (default 50).' }) first?: number,
    @Args('after', { nullable: true, description: 'Cursor from a previous page.' }) after?: string,
    @Args('asOf', {
      nullable: true,
      description:
        'Show capacity as recorded at this instant (UTC): the layout from calendars, exceptions and site and unit states then, and the places held and booked then, rebuilt from the events; not in the future. Page with the same asOf.',
    })
    asOf?: Date,
  ): Promise<CapacityConnection> {
    const limit = pageSize(first);
    const key = decodeCursor('capacity', after, ['string', 'string', 'string']) as [string, string, string] | undefined;
    const rows = asOf ? await this.history.capacity(filter, from, to, limit, key, acting, asOf) : await this.queries.capacity(filter, from, to, limit, key, acting);
    return toConnection(rows, limit, (r) => encodeCursor('capacity', [r.day, r.resource_key, r.session]), toCapacitySlot);
  }

  @Allow(EVERYONE)
  @Query(() => [DailyCapacity], {
    description:
      'Capacity per site resource or unit and per day, summed over its sessions: what can be booked, what is free and why any is closed (the capacity heatmap). At most 400 days at a time.',
  })
  async dailyCapacity(
    @Args('filter', { description: 'Which capacity to include.' }) filter: CapacityFilter,
    @Args('from', { type: () => GraphQLLocalDate, description: 'First day.' }) from: string,
    @Args('to', { type: () => GraphQLLocalDate, description: 'Last day (inclusive).' }) to: string,
    @Acting() acting: CommandContext,
  ): Promise<DailyCapacity[]> {
    return (await this.queries.dailyCapacity(filter, from, to, acting)).map(toDailyCapacity);
  }

  @Allow(EVERYONE)
  @Query(() => [UtilisationRow], { description: 'Capacity, bookings and utilisation per site resource and unit over a range.' })
  async utilisation(
    @Args('filter', { description: 'Which capacity to include.' }) filter: CapacityFilter,
    @Args('from', { type: () => GraphQLLocalDate, description: 'First day.' }) from: string,
    @Args('to', { type: () => GraphQLLocalDate, description: 'Last day (inclusive).' }) to: string,
    @Acting() acting: CommandContext,
  ): Promise<UtilisationRow[]> {
    return (await this.queries.utilisation(filter, from, to, acting)).map(toUtilisation);
  }
}
