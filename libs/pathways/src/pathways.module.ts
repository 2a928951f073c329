import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { EventTypeRegistry } from '@bedside/event-store';
import { CapacityModule, SLOT_COMMITMENTS_AS_OF } from '@bedside/capacity';
import { NetworkModule, UNIT_BOOKINGS } from '@bedside/network';
import { BookingsOnUnits } from './application/unit-bookings';
import { ProjectionRegistry, ReactorRegistry } from '@bedside/read-model';
import { ConfirmHoldHandler, HoldPlanHandler, KnownHolds, ReleaseHoldHandler } from './application/hold-commands';
import { HoldExpiry } from './application/hold-expiry';
import { AtRiskDetection } from './application/at-risk-detection';
import { PathwayAsOf, SlotCommitmentsHistory } from './application/pathway-as-of';
import { PathwayReads } from './application/pathway-reads';
import { PlanOptions } from './application/plan-options';
import { PATHWAYS_OPTIONS, type PathwaysOptions } from './application/pathways-options';
import { ReferPatientHandler } from './application/referral-commands';
import { PATHWAY_EVENT_CLASSES } from './domain';
import { PathwayResolver } from './graphql/pathway.resolver';
import { LifecycleResolver } from './graphql/lifecycle.resolver';
import { WaitlistResolver } from './graphql/waitlist.resolver';
import { PathwayListResolver } from './graphql/pathway-list.resolver';
import { RepairResolver } from './graphql/repair.resolver';
import { SlotResolver } from './graphql/slot.resolver';
import { KpiResolver } from './graphql/kpi.resolver';
import { KpiSubscriptionResolver } from './graphql/kpi-subscription.resolver';
import { PathwayTimelineResolver } from './graphql/pathway-timeline.resolver';
import { StepsOpenResolver } from './graphql/steps-open.resolver';
import { PathwayTimelines } from './application/pathway-timelines';
import { AcceptRepairHandler, AtRiskPathways } from './application/repair';
import { JoinWaitlistHandler, WaitlistReads } from './application/waitlist';
import { WaitlistOffers } from './application/waitlist-offers';
import { RecordStepHandler } from './application/lifecycle-commands';
import { CorrectStepHandler, MarkEnteredInErrorHandler } from './application/correction-commands';
import { PinnedDmmfs } from './application/pinned-dmmfs';
import { CorrectionResolver } from './graphql/correction.resolver';
import { BatchReads } from './application/batch-reads';
import { ReportAdverseEventHandler } from './application/adverse-events';
import { BatchResolver } from './graphql/batch.resolver';
import { ArrangeMonitoringStayHandler, PostponePatientHandler } from './application/postponement';
import { PatientStays } from './application/patient-stays';
import { RepairPlanning } from './application/repair-planning';
import { PathwayAccess } from './application/pathway-access';
import { LivePathways } from './application/live-pathways';
import { PathwaySubscriptionsResolver } from './graphql/pathway-subscriptions.resolver';
import { HoldsProjection, PathwaysProjection } from './projections/pathway.projections';
import { AtRiskFlagsProjection } from './projections/at-risk-flags.projection';
import { BatchesProjection } from './projections/batches.projection';

/** Vein-to-vein scheduling: referrals, holds and bookings (plan search and the clinical lifecycle follow). */
@Module({})
export class PathwaysModule implements OnModuleInit {
  constructor(
    private readonly events: EventTypeRegistry,
    private readonly projections: ProjectionRegistry,
    private readonly reactors: ReactorRegistry,
    private readonly waitlistOffers: WaitlistOffers,
    private readonly holdExpiry: HoldExpiry,
    private readonly atRiskDetection: AtRiskDetection,
  ) {}

  static forRoot(options: PathwaysOptions): DynamicModule {
    return {
      module: PathwaysModule,
      imports: [CqrsModule, CapacityModule, NetworkModule],
      providers: [
        { provide: PATHWAYS_OPTIONS, useValue: options },
        ReferPatientHandler,
        HoldPlanHandler,
        KnownHolds,
        ConfirmHoldHandler,
        ReleaseHoldHandler,
        PathwayReads,
        PathwayAsOf,
        SlotCommitmentsHistory,
        // Capacity as of an instant (capacity slice) adds up the holds and bookings this context records.
        { provide: SLOT_COMMITMENTS_AS_OF, useExisting: SlotCommitmentsHistory },
        // A deployment asks which pathways it would strand (network slice) of the holds this context records.
        BookingsOnUnits,
        { provide: UNIT_BOOKINGS, useExisting: BookingsOnUnits },
        PlanOptions,
        HoldExpiry,
        PathwayResolver,
        LifecycleResolver,
        WaitlistResolver,
        PathwayListResolver,
        RepairResolver,
        SlotResolver,
        KpiResolver,
        KpiSubscriptionResolver,
        AtRiskPathways,
        RepairPlanning,
        PathwayAccess,
        LivePathways,
        PathwaySubscriptionsResolver,
        PostponePatientHandler,
        ArrangeMonitoringStayHandler,
        AcceptRepairHandler,
        WaitlistReads,
        JoinWaitlistHandler,
        WaitlistOffers,
        AtRiskDetection,
        RecordStepHandler,
        PinnedDmmfs,
        PatientStays,
        CorrectStepHandler,
        MarkEnteredInErrorHandler,
        CorrectionResolver,
        BatchReads,
        ReportAdverseEventHandler,
        BatchResolver,
        PathwayTimelines,
        PathwayTimelineResolver,
        StepsOpenResolver,
      ],
      exports: [HoldExpiry, WaitlistOffers, AtRiskDetection, PathwayAccess],
    };
  }

  onModuleInit(): void {
    this.events.register(...PATHWAY_EVENT_CLASSES);
    for (const projection of [new PathwaysProjection(), new HoldsProjection(), new AtRiskFlagsProjection(), new BatchesProjection()]) this.projections.register(projection);
    this.reactors.register(this.waitlistOffers);
    this.reactors.register(this.holdExpiry);
    this.reactors.register(this.atRiskDetection);
  }
}
