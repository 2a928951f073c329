import { EVERYONE } from '@bedside/shared';
import { Args, ID, Int, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { pageSize, Allow, decodeCursor, encodeCursor, toConnection } from '@bedside/graphql-common';
import { SiteDirectory } from '../application/site-directory';
import type { SiteKind as SiteKindValue, SiteStatus as SiteStatusValue } from '../domain';
import { toSite } from './site.mapper';
import { Network, Site, SiteConnection, SiteKind, SiteStatus } from './site.types';

@Resolver(() => Network)
export class NetworkResolver {
  constructor(private readonly directory: SiteDirectory) {}

  @Allow(EVERYONE)
  @Query(() => Network, { description: 'The network: its Control Site and sites.' })
  network(): Network {
    return { controlSite: null };
  }

  @ResolveField(() => Site, { nullable: true, description: 'The licensed Control Site, once registered.' })
  async controlSite(): Promise<Site | null> {
    const record = await this.directory.controlSite();
    return record && toSite(record);
  }

  @ResolveField(() => SiteConnection, { description: 'Registered sites, ordered by code.' })
  async sites(
    @Args('first', { type: () => Int, nullable: true, description: 'Page size, 1 to 500 (default 50).' }) first?: number,
    @Args('after', { nullable: true, description: 'Cursor from a previous page.' }) after?: string,
    @Args('kind', { type: () => SiteKind, nullable: true, description: 'Only sites of this kind.' }) kind?: SiteKindValue,
    @Args('status', { type: () => SiteStatus, nullable: true, description: 'Only sites in this status.' }) status?: SiteStatusValue,
    @Args('trustCode', { type: () => ID, nullable: true, description: 'Only sites run by this trust (ODS code).' }) trustCode?: string,
  ): Promise<SiteConnection> {
    const limit = pageSize(first);
    const [afterCode] = decodeCursor('sites', after, ['string']) ?? [];
    const rows = await this.directory.list({ kind, status, trustCode }, limit, afterCode as string | undefined);
    return toConnection(rows, limit, (row) => encodeCursor('sites', [row.code]), toSite);
  }
}
