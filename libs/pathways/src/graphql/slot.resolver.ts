import { Float, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Slot } from './pathway.types';

/**
 * A slot's share of a place, on output only: Bedside sets it from the product's process (ICU cover,
 * issue 14 §4), so `SlotInput` has no such field and a client cannot choose how much of a bed it takes.
 */
@Resolver(() => Slot)
export class SlotResolver {
  @ResolveField(() => Float, {
    nullable: true,
    description: 'The share of one place this plan takes, when less than a whole one: ICU cover, the product’s icuReserveProbability of an ICU bed (e.g. 0.3) on days 5 and 6 after infusion. Empty for a whole chair, bed or bay day.',
  })
  share(@Parent() slot: { readonly share?: number }): number | null {
    return slot.share ?? null;
  }
}
