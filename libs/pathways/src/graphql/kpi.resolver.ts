import { Inject } from '@nestjs/common';
import { Args, Field, Float, InputType, Int, ObjectType, Query, registerEnumType, Resolver } from '@nestjs/graphql';
import { CapacityReads } from '@bedside/capacity';
import { Allow, asEnum, GraphQLLocalDate } from '@bedside/graphql-common';
import { NETWORK_TIME_ZONE, addDays, CLOCK, EVERYONE, type Clock, localDateOf, parseLocalDate, ValidationError } from '@bedside/shared';
import { KPI_DIMENSIONS, PathwayReads, type KpiDimension } from '../application/pathway-reads';
import { AtRiskPathways } from '../application/repair';
import { PathwayStatusEnum } from './pathway.types';

const KpiDimensionEnum = asEnum(KPI_DIMENSIONS);
registerEnumType(KpiDimensionEnum, {
  name: 'KpiDimension',
  description: 'A dimension the timeline KPIs can be broken down by.',
  valuesMap: {
    PRODUCT: { description: 'Product code.' },
    TRUST: { description: 'Referring trust.' },
    SITE: { description: 'Treatment centre where the patient was infused.' },
    MONTH: { description: 'Month of infusion (UK time).' },
  },
});

@InputType({ description: 'Which pathways the KPIs cover.' })
class KpiFilter {
  @Field(() => String, { nullable: true, description: 'Only this product.' }) productCode?: string | null;
  @Field(() => String, { nullable: true, description: 'Only this referring trust.' }) referringTrust?: string | null;
  @Field(() => String, { nullable: true, description: 'Timelines: only patients infused at this treatment centre.' }) treatmentSite?: string | null;
  @Field(() => GraphQLLocalDate, { nullable: true, description: 'Timelines: infusions from this day (UK date); utilisation: from this day (default today).' }) from?: string | null;
  @Field(() => GraphQLLocalDate, { nullable: true, description: 'Timelines: infusions up to this day; utilisation: up to this day (default 27 days after `from`).' }) to?: string | null;
}

@ObjectType({ description: 'Vein-to-vein and referral-to-infusion times of infused patients, for one group (a dimension not grouped by is empty).' })
class TimelineKpi {
  @Field(() => String, { nullable: true, description: 'Product (when grouped by PRODUCT).' }) productCode!: string | null;
  @Field(() => String, { nullable: true, description: 'Referring trust (when grouped by TRUST).' }) referringTrust!: string | null;
  @Field(() => String, { nullable: true, description: 'Treatment centre of infusion (when grouped by SITE).' }) treatmentSite!: string | null;
  @Field(() => String, { nullable: true, description: 'Month of infusion, yyyy-mm in UK time (when grouped by MONTH).' }) month!: string | null;
  @Field(() => Int, { description: 'Patients infused.' }) infused!: number;
  @Field(() => Float, { description: 'Median days from the end of collection to infusion.' }) veinToVeinMedianDays!: number;
  @Field(() => Float, { description: '90th centile of days from the end of collection to infusion (linear interpolation).' }) veinToVeinP90Days!: number;
  @Field(() => Float, { description: 'Median days from referral to infusion.' }) referralToInfusionMedianDays!: number;
  @Field(() => Float, { description: '90th centile of days from referral to infusion (linear interpolation).' }) referralToInfusionP90Days!: number;
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

@ObjectType({ description: 'Booked and held share of one kind of capacity across the network.' })
class ResourceUtilisation {
  @Field({ description: 'APHERESIS_CHAIR, MANUFACTURING_BAY, CONDITIONING_CHAIR, INFUSION_BED, MONITORING_BED or ICU_BED.' }) resource!: string;
  @Field(() => Int, { description: 'Places of capacity in the window (session-chairs, bed-days, batch-days).' }) capacity!: number;
  @Field(() => Float, { description: 'Places booked (ICU cover counts as shares of a bed).' }) committed!: number;
  @Field(() => Float, { description: 'Places held, not yet confirmed (ICU cover as shares of a bed).' }) tentative!: number;
  @Field(() => Float, { description: 'Booked share of capacity, 0 to 1 (0 when there is no capacity).' }) utilisation!: number;
}

@ObjectType({ description: 'Key figures of vein-to-vein scheduling.' })
class Kpis {
  @Field(() => [TimelineKpi], { description: 'Timelines of infused patients, one row per group.' }) timelines!: TimelineKpi[];
  @Field(() => [StatusCount], { description: 'Pathways by status (product and trust filters apply).' }) pathwaysByStatus!: StatusCount[];
  @Field(() => Int, { description: 'Pathways at risk now (see atRiskPathways for the list and repairs).' }) atRisk!: number;
  @Field(() => WaitlistKpi, { description: 'Waitlist length and time on the list.' }) waitlist!: WaitlistKpi;
  @Field(() => [ResourceUtilisation], { description: 'Network-wide utilisation by kind of capacity over the window `from`..`to`.' }) utilisation!: ResourceUtilisation[];
}

@Resolver()
export class KpiResolver {
  constructor(
    private readonly reads: PathwayReads,
    private readonly capacity: CapacityReads,
    private readonly atRisk: AtRiskPathways,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Allow(EVERYONE)
  @Query(() => Kpis, { description: 'Vein-to-vein and referral-to-infusion days (median, 90th centile) by product, trust, site and month; pathways by status; at risk; waitlist; utilisation.' })
  async kpis(
    @Args('filter', { description: 'Which pathways.' }) filter: KpiFilter,
    @Args('groupBy', { type: () => [KpiDimensionEnum], nullable: true, description: 'Break timelines down by these (default: all four). An empty list gives one overall row.' })
    groupBy?: KpiDimension[] | null,
  ): Promise<Kpis> {
    const from = filter.from ? parseLocalDate('from', filter.from) : null;
    const to = filter.to ? parseLocalDate('to', filter.to) : null;
    if (from && to && to < from) throw new ValidationError('to', `The window ends (${to}) before it starts (${from}).`);
    const now = this.clock.now();
    const { timelines, byStatus, waitlist } = await this.reads.kpis({ ...filter, from, to }, groupBy ?? KPI_DIMENSIONS, now);
    const windowFrom = from ?? localDateOf(now, NETWORK_TIME_ZONE);
    const utilisation = await this.capacity.utilisationByResource(windowFrom, to ?? addDays(windowFrom, 27));
    const product = filter.productCode?.toUpperCase();
    const trust = filter.referringTrust?.toUpperCase();
    const atRisk = (await this.atRisk.all()).filter((e) => (!product || e.pathway.product_code === product) && (!trust || e.pathway.referring_trust === trust)).length;
    return {
      timelines: timelines.map((t) => ({
        productCode: t.product_code,
        referringTrust: t.referring_trust,
        treatmentSite: t.infusion_site,
        month: t.month,
        infused: t.infused,
        veinToVeinMedianDays: t.v2v_median,
        veinToVeinP90Days: t.v2v_p90,
        referralToInfusionMedianDays: t.r2i_median,
        referralToInfusionP90Days: t.r2i_p90,
      })),
      pathwaysByStatus: byStatus,
      atRisk,
      waitlist: { length: waitlist.length, medianDaysWaiting: waitlist.median_days, longestDaysWaiting: waitlist.longest_days },
      utilisation: utilisation.map((u) => ({ ...u, utilisation: u.capacity > 0 ? u.committed / u.capacity : 0 })),
    };
  }
}
