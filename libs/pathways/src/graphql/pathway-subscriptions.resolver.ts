import { Args, Context, Field, ID, ObjectType, Resolver, Subscription } from '@nestjs/graphql';
import type { CommandContext } from '@bedside/event-store';
import { Acting, Allow } from '@bedside/graphql-common';
import type { Identity } from '@bedside/identity';
import { mayActFor, PATIENT_LEVEL_READERS, requireTrust } from '@bedside/shared';
import { AT_RISK_CHANGED, PATHWAY_CHANGED, type AtRiskChangePayload, type PathwayChangePayload } from '../application/live-pathways';
import { PathwayAccess } from '../application/pathway-access';
import { toPathway } from './pathway.mapper';
import { Pathway } from './pathway.types';

interface PubSub {
  subscribe(topic: string): Promise<AsyncIterable<unknown>>;
}

interface SubscriberContext {
  identity?: Identity;
}

@ObjectType({ description: 'A pathway changed: its state now, as the read model shows it, and what was recorded.' })
class PathwayChange {
  @Field(() => Pathway, { description: 'The pathway after the change.' }) pathway!: Pathway;
  @Field(() => [String], { description: 'The events recorded, e.g. ["CollectionRecorded"].' }) eventTypes!: string[];
  @Field({ description: 'When the last of them was recorded.' }) recordedAt!: Date;
}

@ObjectType({ description: 'A pathway was flagged at risk (or its reasons changed), or is no longer at risk.' })
class AtRiskChange {
  @Field(() => Pathway, { description: 'The pathway.' }) pathway!: Pathway;
  @Field({ description: 'True: at risk now (see atRiskPathways for the repair); false: no longer at risk.' }) flagged!: boolean;
  @Field(() => [String], { description: 'Why it is at risk, in words (empty when cleared).' }) reasons!: string[];
}

const visibleTo = (context: SubscriberContext, trust: string) => !!context.identity && mayActFor(context.identity, trust);

/** Pathway subscriptions (issue 5 §3), scoped like the queries: a scheduler hears of their own trusts' pathways only. */
@Resolver()
export class PathwaySubscriptionsResolver {
  constructor(private readonly access: PathwayAccess) {}

  @Allow(PATIENT_LEVEL_READERS)
  @Subscription(() => PathwayChange, {
    description: 'Each change to a pathway as the read model records it: one pathway (coi), one trust, or every pathway you may see.',
    filter: (payload: PathwayChangePayload, variables: { coi?: string | null; trust?: string | null }, context: SubscriberContext) =>
      visibleTo(context, payload.row.referring_trust) &&
      (!variables.coi || payload.row.coi === variables.coi.trim().toUpperCase()) &&
      (!variables.trust || payload.row.referring_trust === variables.trust.trim().toUpperCase()),
    resolve: (payload: PathwayChangePayload): PathwayChange => ({ pathway: toPathway(payload.row), eventTypes: [...payload.eventTypes], recordedAt: payload.recordedAt }),
  })
  async pathwayChanged(
    @Acting() acting: CommandContext,
    @Context('pubsub') pubsub: PubSub,
    @Args('coi', { type: () => ID, nullable: true, description: 'Only this pathway.' }) coi?: string,
    @Args('trust', { type: () => ID, nullable: true, description: 'Only this referring trust.' }) trust?: string,
  ): Promise<AsyncIterable<unknown>> {
    if (coi) await this.access.trustOf(coi, acting, 'follow pathways');
    if (trust) requireTrust(acting, trust, 'follow pathways');
    return pubsub.subscribe(PATHWAY_CHANGED);
  }

  @Allow(PATIENT_LEVEL_READERS)
  @Subscription(() => AtRiskChange, {
    description: 'Pathways flagged at risk, or cleared, as capacity, bookings and progress change (yours only, for a scheduler).',
    filter: (payload: AtRiskChangePayload, _variables: unknown, context: SubscriberContext) => visibleTo(context, payload.row.referring_trust),
    resolve: (payload: AtRiskChangePayload): AtRiskChange => ({ pathway: toPathway(payload.row), flagged: payload.flagged, reasons: [...payload.reasons] }),
  })
  atRiskChanged(@Context('pubsub') pubsub: PubSub): Promise<AsyncIterable<unknown>> {
    return pubsub.subscribe(AT_RISK_CHANGED);
  }
}
