import { type CommandContext } from '@bedside/event-store';
import { PATIENT_LEVEL_READERS } from '@bedside/shared';
import { Args, Field, InputType, Int, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { pageSize, Allow, Connection, decodeCursor, encodeCursor, toConnection, Acting } from '@bedside/graphql-common';
import { PathwayReads } from '../application/pathway-reads';
import { toPathway } from './pathway.mapper';
import { Pathway, PathwayStatusEnum } from './pathway.types';

@ObjectType({ description: 'A page of pathways.' })
class PathwayConnection extends Connection(Pathway, 'Pathway', 'pathway') {}

@InputType({ description: 'Which pathways to list.' })
class PathwayFilter {
  @Field(() => PathwayStatusEnum, { nullable: true, description: 'Only pathways in this status.' }) status?: string | null;
  @Field(() => String, { nullable: true, description: 'Only this referring trust (ODS code).' }) referringTrust?: string | null;
  @Field(() => String, { nullable: true, description: 'Only this product.' }) productCode?: string | null;
}

@Resolver()
export class PathwayListResolver {
  constructor(private readonly reads: PathwayReads) {}

  @Allow(PATIENT_LEVEL_READERS)
  @Query(() => PathwayConnection, { description: 'Pathways, by Chain of Identity, filtered.' })
  async pathways(
    @Acting() acting: CommandContext,
    @Args('filter', { nullable: true, description: 'Which pathways.' }) filter?: PathwayFilter,
    @Args('first', { type: () => Int, nullable: true, description: 'Page size, 1 to 500 (default 50).' }) first?: number,
    @Args('after', { nullable: true, description: 'Cursor from a previous page.' }) after?: string,
  ): Promise<PathwayConnection> {
    const limit = pageSize(first);
    const [afterCoi] = decodeCursor('pathways', after, ['string']) ?? [];
    const rows = await this.reads.list(filter ?? {}, limit, afterCoi as string | undefined, acting);
    return toConnection(rows, limit, (r) => encodeCursor('pathways', [r.coi]), toPathway);
  }
}
