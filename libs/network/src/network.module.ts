import { Module, type OnModuleInit } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventTypeRegistry } from '@bedside/event-store';
import { ProjectionRegistry } from '@bedside/read-model';
import {
  AddCalendarExceptionHandler,
  DeclareBankHolidaysHandler,
  SetResourceCalendarHandler,
  SetDistrictTravelTimesHandler,
  SetTravelTimeHandler,
  WithdrawCalendarExceptionHandler,
} from './application/calendar-commands';
import { PublishDmmfVersionHandler } from './application/dmmf-commands';
import { NetworkAsOf } from './application/network-as-of';
import { NetworkLookup } from './application/network-lookup';
import { NetworkReadModel } from './application/network-read-model';
import { ChangeSiteStatusHandler, RegisterSiteHandler, SetSiteRegionHandler } from './application/site-commands';
import { SiteDirectory } from './application/site-directory';
import { RegisterUnitHandler, SetUnitQualificationHandler } from './application/unit-commands';
import { DeployUnitHandler, RecallUnitHandler, UnitMoves } from './application/deployment-commands';
import { LiveDeployments } from './application/live-deployments';
import { DeploymentResolver, ModularUnitLocationResolver } from './graphql/deployment.resolver';
import { NETWORK_EVENT_CLASSES } from './domain';
import { NetworkModelFieldsResolver, NetworkModelResolver } from './graphql/network-model.resolver';
import { NetworkResolver } from './graphql/network.resolver';
import { SiteResolver } from './graphql/site.resolver';
import { DistrictTravelTimesProjection, DmmfVersionsProjection, ModularUnitsProjection, TravelTimesProjection } from './projections/network-model.projections';
import { SiteDirectoryProjection } from './projections/site-directory.projection';
import { SiteRecord } from './projections/site-record.entity';

/** The network bounded context: Control Site, sites, DMMFs, modular units, calendars and travel (live capacity is the capacity slice's). */
@Module({
  imports: [CqrsModule, TypeOrmModule.forFeature([SiteRecord])],
  providers: [
    RegisterSiteHandler,
    ChangeSiteStatusHandler,
    SetSiteRegionHandler,
    PublishDmmfVersionHandler,
    RegisterUnitHandler,
    SetUnitQualificationHandler,
    DeployUnitHandler,
    RecallUnitHandler,
    UnitMoves,
    SetResourceCalendarHandler,
    AddCalendarExceptionHandler,
    WithdrawCalendarExceptionHandler,
    SetTravelTimeHandler,
    SetDistrictTravelTimesHandler,
    DeclareBankHolidaysHandler,
    NetworkLookup,
    SiteDirectory,
    NetworkReadModel,
    NetworkAsOf,
    SiteResolver,
    NetworkResolver,
    NetworkModelResolver,
    NetworkModelFieldsResolver,
    DeploymentResolver,
    ModularUnitLocationResolver,
    LiveDeployments,
  ],
  exports: [NetworkReadModel, NetworkAsOf, UnitMoves],
})
export class NetworkModule implements OnModuleInit {
  constructor(
    private readonly events: EventTypeRegistry,
    private readonly projections: ProjectionRegistry,
  ) {}

  onModuleInit(): void {
    this.events.register(...NETWORK_EVENT_CLASSES);
    for (const projection of [
      new SiteDirectoryProjection(),
      new ModularUnitsProjection(),
      new DmmfVersionsProjection(),
      new TravelTimesProjection(),
      new DistrictTravelTimesProjection(),
    ]) {
      this.projections.register(projection);
    }
  }
}
