import { Args, Context, Field, ObjectType, Resolver, Subscription } from '@nestjs/graphql';
import { Allow, GraphQLLocalDate } from '@bedside/graphql-common';
import type { Identity } from '@bedside/identity';
import { EVERYONE, parseLocalDate, ValidationError } from '@bedside/shared';
import { CAPACITY_CHANGED, type CapacityChangePayload, type CapacityTouch } from '../application/live-capacity';
import { CapacityQueries } from '../application/capacity-queries';
import { toCapacitySlot } from './capacity.mappers';
import { CapacityFilter, CapacitySlot } from './capacity.types';

interface PubSub {
  subscribe(topic: string): Promise<AsyncIterable<unknown>>;
}

interface Variables {
  filter: CapacityFilter;
  from: string;
  to: string;
}

/** Slots in one change, at most; more means "read capacity again" (truncated). */
const MAX_SLOTS = 500;

@ObjectType({ description: 'Capacity changed in the range you follow: the affected slots as they stand now.' })
class CapacityChange {
  @Field(() => GraphQLLocalDate, { description: 'First day that may have changed (within your range).' }) from!: string;
  @Field(() => GraphQLLocalDate, { description: 'Last day that may have changed (within your range).' }) to!: string;
  @Field(() => [CapacitySlot], { description: 'The slots of those days that match your filter, as they are now (masked as free/busy where capacity queries are).' }) slots!: CapacitySlot[];
  @Field({ description: `More than ${MAX_SLOTS} slots changed: query capacity for the range again.` }) truncated!: boolean;
}

const matches = (touch: CapacityTouch, filter: CapacityFilter, from: string, to: string) =>
  (touch.days === null || touch.days.some((d) => d >= from && d <= to)) &&
  (touch.siteCode === null && touch.unitId === null
    ? true
    : touch.unitId
      ? !filter.unitIds?.length || filter.unitIds.map((u) => u.toUpperCase()).includes(touch.unitId)
      : !filter.siteCodes?.length || filter.siteCodes.map((s) => s.toUpperCase()).includes(touch.siteCode!));

/** capacityChanged (issue 5 §3): a site or date range, told whenever bookings or calendars move it. */
@Resolver()
export class CapacitySubscriptionResolver {
  constructor(private readonly queries: CapacityQueries) {}

  @Allow(EVERYONE)
  @Subscription(() => CapacityChange, {
    description: 'Each change to capacity in a filter and date range (holds, bookings, exceptions, closures), with the affected slots as they stand now.',
    filter: (payload: CapacityChangePayload, variables: Variables) => payload.touches.some((t) => matches(t, variables.filter, variables.from, variables.to)),
    async resolve(this: CapacitySubscriptionResolver, payload: CapacityChangePayload, variables: Variables, context: { identity?: Identity }): Promise<CapacityChange> {
      const touched = payload.touches.filter((t) => matches(t, variables.filter, variables.from, variables.to));
      const days = touched.flatMap((t) => (t.days ? t.days.filter((d) => d >= variables.from && d <= variables.to) : [variables.from, variables.to])).sort();
      const from = days[0]!;
      const to = days[days.length - 1]!;
      const rows = await this.queries.capacity(variables.filter, from, to, MAX_SLOTS + 1, undefined, context.identity ?? { role: 'dashboard' });
      return { from, to, slots: rows.slice(0, MAX_SLOTS).map(toCapacitySlot), truncated: rows.length > MAX_SLOTS };
    },
  })
  capacityChanged(
    @Context('pubsub') pubsub: PubSub,
    @Args('filter', { description: 'Which capacity to follow.' }) filter: CapacityFilter,
    @Args('from', { type: () => GraphQLLocalDate, description: 'First day.' }) from: string,
    @Args('to', { type: () => GraphQLLocalDate, description: 'Last day (inclusive).' }) to: string,
  ): Promise<AsyncIterable<unknown>> {
    if (parseLocalDate('to', to) < parseLocalDate('from', from)) throw new ValidationError('to', `The range ends (${to}) before it starts (${from}).`);
    return pubsub.subscribe(CAPACITY_CHANGED);
  }
}
