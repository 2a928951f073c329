import { Module, type OnModuleInit } from '@nestjs/common';
import { NetworkModule } from '@bedside/network';
import { ProjectionRegistry } from '@bedside/read-model';
import { CapacityAsOf } from './application/capacity-as-of';
import { CapacityQueries } from './application/capacity-queries';
import { CapacityReads } from './application/capacity-reads';
import { LiveCapacity } from './application/live-capacity';
import { SlotLayoutCache } from './application/slot-layout-cache';
import { CapacitySubscriptionResolver } from './graphql/capacity-subscription.resolver';
import { CapacityResolver } from './graphql/capacity.resolver';
import { SiteUtilisationResolver } from './graphql/site-utilisation.resolver';
import { CapacityProjection } from './projections/capacity-layout.projection';
import { CapacityCommitmentsProjection } from './projections/commitments.projection';

/**
 * The capacity slice (issue 12 §1): live capacity, laid out from the network's calendars, exceptions,
 * sites and units, and the places held and booked on it. It owns their tables; the network and
 * pathways slices ask it (CapacityReads, SlotLayoutCache) and never read them.
 */
@Module({
  imports: [NetworkModule],
  providers: [CapacityReads, SlotLayoutCache, CapacityQueries, CapacityAsOf, LiveCapacity, CapacityResolver, CapacitySubscriptionResolver, SiteUtilisationResolver],
  exports: [CapacityReads, SlotLayoutCache],
})
export class CapacityModule implements OnModuleInit {
  constructor(private readonly projections: ProjectionRegistry) {}

  onModuleInit(): void {
    this.projections.register(new CapacityProjection());
    this.projections.register(new CapacityCommitmentsProjection());
  }
}
