import { EVERYONE } from '@bedside/shared';
import { Allow } from '@bedside/graphql-common';
import { Field, Float, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { ProjectionEngine } from '../projection-engine';
import { ProjectionRegistry } from '../projection-registry';

@ObjectType({ description: 'How current one read model is, against the event log.' })
export class ProjectionStatusView {
  @Field({ description: 'Projection name (argument of `npm run projections:rebuild`).' })
  name!: string;

  @Field({ description: 'True when it has applied every event readers can see.' })
  caughtUp!: boolean;

  @Field(() => Float, { description: 'About how many events of the log it has still to read (0 when caught up).' })
  behindBy!: number;

  @Field(() => Float, { description: 'Events it has applied since it was last rebuilt.' })
  eventsApplied!: number;

  @Field({ description: 'Global position of the last event it read, as "transactionId/position".' })
  checkpoint!: string;

  @Field(() => Date, { nullable: true, description: 'When the last event it read was recorded; compare with now for its lag in time.' })
  lastEventRecordedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was last rebuilt from zero.' })
  rebuiltAt!: Date | null;
}

@Resolver()
export class ProjectionsResolver {
  constructor(
    private readonly engine: ProjectionEngine,
    private readonly registry: ProjectionRegistry,
  ) {}

  @Allow(EVERYONE)
  @Query(() => [ProjectionStatusView], { description: 'Lag of every read model behind the event log (for operators and dashboards).' })
  async projections(): Promise<ProjectionStatusView[]> {
    const statuses = await this.engine.status(this.registry.all());
    return statuses.map((s) => ({
      name: s.name,
      caughtUp: s.caughtUp,
      behindBy: s.behindBy,
      eventsApplied: s.eventsApplied,
      checkpoint: `${s.position.transactionId}/${s.position.position}`,
      lastEventRecordedAt: s.lastEventRecordedAt,
      rebuiltAt: s.rebuiltAt,
    }));
  }
}
