import { Args, Field, Float, ID, InputType, Int, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Connection, decodeCursor, encodeCursor, pageSize, toConnection } from '@bedside/graphql-common';
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

@InputType({ description: 'Which pathways the KPIs cover.' })
class KpiFilter {
  @Field(() => String, { nullable: true, description: 'Only this product.' }) productCode?: string | null;
  @Field(() => String, { nullable: true, description: 'Only this referring trust.' }) referringTrust?: string | null;
}

@ObjectType({ description: 'Vein-to-vein and referral-to-infusion times of infused patients, by product, trust and month of infusion.' })
class TimelineKpi {
  @Field({ description: 'Product.' }) productCode!: string;
  @Field({ description: 'Referring trust.' }) referringTrust!: string;
  @Field({ description: 'Month of infusion (yyyy-mm, UK time).' }) month!: string;
  @Field(() => Int, { description: 'Patients infused.' }) infused!: number;
  @Field(() => Float, { description: 'Median days from collection to infusion.' }) veinToVeinMedianDays!: number;
  @Field(() => Float, { description: '90th centile of days from collection to infusion.' }) veinToVeinP90Days!: number;
  @Field(() => Float, { description: 'Median days from referral to infusion.' }) referralToInfusionMedianDays!: number;
  @Field(() => Float, { description: '90th centile of days from referral to infusion.' }) referralToInfusionP90Days!: number;
}

@ObjectType({ description: 'How many pathways stand at one status.' })
class StatusCount {
  @Field(() => PathwayStatusEnum, { description: 'Status.' }) status!: string;
  @Field(() => Int, { description: 'Pathways.' }) count!: number;
}

@ObjectType({ description: 'The waitlist in figures.' })
class WaitlistKpi {
  @Field(() => Int, { description: 'Referrals waiting.' }) length!: number;
  @Field(() => Float, { nullable: true, description: 'Median days on the list so far.' }) medianDaysWaiting!: number | null;
  @Field(() => Float, { nullable: true, description: 'Longest wait so far, in days.' }) longestDaysWaiting!: number | null;
}

@ObjectType({ description: 'Key figures of vein-to-vein scheduling.' })
class Kpis {
  @Field(() => [TimelineKpi], { description: 'Timelines of infused patients.' }) timelines!: TimelineKpi[];
  @Field(() => [StatusCount], { description: 'Pathways by status.' }) pathwaysByStatus!: StatusCount[];
  @Field(() => WaitlistKpi, { description: 'Waitlist length and time on the list.' }) waitlist!: WaitlistKpi;
}

@Resolver()
export class PathwayListResolver {
  constructor(private readonly reads: PathwayReads) {}

  @Query(() => PathwayConnection, { description: 'Pathways, by Chain of Identity, filtered.' })
  async pathways(
    @Args('filter', { nullable: true, description: 'Which pathways.' }) filter?: PathwayFilter,
    @Args('first', { type: () => Int, nullable: true, description: 'Page size, 1 to 500 (default 50).' }) first?: number,
    @Args('after', { nullable: true, description: 'Cursor from a previous page.' }) after?: string,
  ): Promise<PathwayConnection> {
    const limit = pageSize(first);
    const [afterCoi] = decodeCursor('pathways', after, ['string']) ?? [];
    const rows = await this.reads.list(filter ?? {}, limit, afterCoi as string | undefined);
    return toConnection(rows, limit, (r) => encodeCursor('pathways', [r.coi]), toPathway);
  }

  @Query(() => Kpis, { description: 'Vein-to-vein and referral-to-infusion days (median, 90th centile) and pathways by status.' })
  async kpis(@Args('filter', { description: 'Which pathways.' }) filter: KpiFilter): Promise<Kpis> {
    const { timelines, byStatus, waitlist } = await this.reads.kpis(filter);
    return {
      timelines: timelines.map((t) => ({
        productCode: t.product_code,
        referringTrust: t.referring_trust,
        month: t.month,
        infused: t.infused,
        veinToVeinMedianDays: t.v2v_median,
        veinToVeinP90Days: t.v2v_p90,
        referralToInfusionMedianDays: t.r2i_median,
        referralToInfusionP90Days: t.r2i_p90,
      })),
      pathwaysByStatus: byStatus,
      waitlist: { length: waitlist.length, medianDaysWaiting: waitlist.median_days, longestDaysWaiting: waitlist.longest_days },
    };
  }
}
