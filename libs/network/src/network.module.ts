import { Module, type OnModuleInit } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventTypeRegistry } from '@bedside/event-store';
import { ProjectionRegistry } from '@bedside/read-model';
import { ChangeSiteStatusHandler, RegisterSiteHandler } from './application/site-commands';
import { SiteDirectory } from './application/site-directory';
import { SITE_EVENT_CLASSES } from './domain';
import { NetworkResolver } from './graphql/network.resolver';
import { SiteResolver } from './graphql/site.resolver';
import { SiteDirectoryProjection } from './projections/site-directory.projection';
import { SiteRecord } from './projections/site-record.entity';

/** The network bounded context: Control Site and sites (DMMFs, units and calendars follow). */
@Module({
  imports: [CqrsModule, TypeOrmModule.forFeature([SiteRecord])],
  providers: [RegisterSiteHandler, ChangeSiteStatusHandler, SiteDirectory, SiteResolver, NetworkResolver],
})
export class NetworkModule implements OnModuleInit {
  constructor(
    private readonly events: EventTypeRegistry,
    private readonly projections: ProjectionRegistry,
  ) {}

  onModuleInit(): void {
    this.events.register(...SITE_EVENT_CLASSES);
    this.projections.register(new SiteDirectoryProjection());
  }
}
