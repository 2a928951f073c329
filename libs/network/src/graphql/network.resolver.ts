import { EVERYONE } from '@bedside/shared';
import { Args, ID, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { pageSize, Allow, decodeCursor, encodeCursor, toConnection } from '@bedside/graphql-common';
import { NetworkAsOf } from '../application/network-as-of';
import { SiteDirectory } from '../application/site-directory';
import type { SiteKind as SiteKindValue, SiteStatus as SiteStatusValue } from '../domain';
import { toSite } from './site.mapper';
import { Network, Site, SiteConnection, SiteKind, SiteStatus } from './site.types';
import { RegionEnum } from './enums';

@Resolver(() => Network)
export class NetworkResolver {
  constructor(
    private readonly directory: SiteDirectory,
    private readonly asOfReads: NetworkAsOf,
  ) {}

  @Allow(EVERYONE)
  @Query(() => Network, { description: 'The network: its Control Site, sites, units and products; with `asOf`, as it was recorded at that instant.' })
  network(
    @Args('asOf', { nullable: true, description: 'Show the network as recorded at this instant (UTC), rebuilt from the events; not in the future. Before anything was recorded the network is empty.' }) asOf?: Date,
  ): Network {
    return { controlSite: null, asOf: asOf ?? null };
  }

  @ResolveField(() => Site, { nullable: true, description: 'The licensed Control Site, once registered.' })
  async controlSite(@Parent() network: Network): Promise<Site | null> {
    const record = network.asOf ? await this.asOfReads.controlSite(network.asOf) : await this.directory.controlSite();
    return record && toSite(record);
  }

  @ResolveField(() => SiteConnection, { description: 'Registered sites, ordered by code.' })
  async sites(
    @Parent() network: Network,
    @Args('first', { type: () => Int, nullable: true, description: 'Page size, 1 to 500 (default 50).' }) first?: number,
    @Args('after', { nullable: true, description: 'Cursor from a previous page.' }) after?: string,
    @Args('kind', { type: () => SiteKind, nullable: true, description: 'Only sites of this kind.' }) kind?: SiteKindValue,
    @Args('status', { type: () => SiteStatus, nullable: true, description: 'Only sites in this status.' }) status?: SiteStatusValue,
    @Args('trustCode', { type: () => ID, nullable: true, description: 'Only sites run by this trust (ODS code).' }) trustCode?: string,
    @Args('region', { type: () => RegionEnum, nullable: true, description: 'Only sites in this region.' }) region?: string,
  ): Promise<SiteConnection> {
    const limit = pageSize(first);
    const [afterCode] = decodeCursor('sites', after, ['string']) ?? [];
    const filter = { kind, status, trustCode, region };
    const rows = network.asOf
      ? await this.asOfReads.sites(filter, limit, afterCode as string | undefined, network.asOf)
      : await this.directory.list(filter, limit, afterCode as string | undefined);
    return toConnection(rows, limit, (row) => encodeCursor('sites', [row.code]), toSite);
  }
}
