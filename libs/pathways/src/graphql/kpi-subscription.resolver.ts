import { Inject } from '@nestjs/common';
import { Context, Field, ObjectType, registerEnumType, Resolver, Subscription } from '@nestjs/graphql';
import { CAPACITY_CHANGED } from '@bedside/capacity';
import { Allow, asEnum } from '@bedside/graphql-common';
import { CLOCK, EVERYONE, type Clock } from '@bedside/shared';
import { AT_RISK_CHANGED, PATHWAY_CHANGED } from '../application/live-pathways';

interface PubSub {
  subscribe(topics: string | string[]): Promise<AsyncIterable<unknown>>;
}

/** What changed, in the figures `kpis` counts. */
const KPI_CHANGE_KINDS = ['PATHWAYS', 'AT_RISK', 'CAPACITY'] as const;
type KpiChangeKind = (typeof KPI_CHANGE_KINDS)[number];
const KpiChangeKindEnum = asEnum(KPI_CHANGE_KINDS);
registerEnumType(KpiChangeKindEnum, {
  name: 'KpiChangeKind',
  description: 'Which of the figures `kpis` counts changed.',
  valuesMap: {
    PATHWAYS: { description: 'A pathway moved: referred, booked, a step recorded, withdrawn, wait-listed (by status, timelines, waitlist).' },
    AT_RISK: { description: 'A booking was flagged at risk or cleared (atRisk).' },
    CAPACITY: { description: 'Capacity or what is booked on it changed (utilisation).' },
  },
});

@ObjectType({ description: 'Something the KPIs count changed. It names no patient: ask `kpis` again for the figures.' })
class KpisChange {
  @Field(() => KpiChangeKindEnum, { description: 'Which figures changed.' }) changed!: KpiChangeKind;
  @Field({ description: 'When Bedside told of it, by its clock.' }) toldAt!: Date;
}

/** The topics whose changes move the KPIs. */
const TOPICS = [PATHWAY_CHANGED, AT_RISK_CHANGED, CAPACITY_CHANGED];

/** Which figures a payload moves; the pubsub hands on the payload without its topic, so its shape tells. */
function kindOf(payload: object): KpiChangeKind {
  if ('touches' in payload) return 'CAPACITY'; // CapacityChangePayload
  if ('flagged' in payload) return 'AT_RISK'; // AtRiskChangePayload
  return 'PATHWAYS'; // PathwayChangePayload
}

/**
 * A wall screen's live feed (issue 15 §6): told whenever the figures `kpis` counts change, for every role
 * as `kpis` is. It carries no patient and no trust, so a dashboard, which may not follow pathways, may
 * follow this; the figures themselves come from `kpis`, under its own rules.
 */
@Resolver()
export class KpiSubscriptionResolver {
  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  @Allow(EVERYONE)
  @Subscription(() => KpisChange, {
    description: 'Each change to what the KPIs count (pathways, at-risk flags, capacity), naming no patient: ask `kpis` again for the figures.',
    resolve(this: KpiSubscriptionResolver, payload: object): KpisChange {
      return { changed: kindOf(payload), toldAt: this.clock.now() };
    },
  })
  kpisChanged(@Context('pubsub') pubsub: PubSub): Promise<AsyncIterable<unknown>> {
    return pubsub.subscribe(TOPICS);
  }
}
