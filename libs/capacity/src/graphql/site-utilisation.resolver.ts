import { Args, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { CommandContext } from '@bedside/event-store';
import { Acting, Loaders, type RequestLoaders, GraphQLLocalDate } from '@bedside/graphql-common';
import { Site } from '@bedside/network';
import { CapacityQueries } from '../application/capacity-queries';
import type { UtilisationRow as UtilisationRecord } from '../projections/capacity-rows';
import { toUtilisation } from './capacity.mappers';
import { UtilisationRow } from './capacity.types';

/**
 * `Site.utilisation`, for dashboards listing many sites: every site of a list is answered by one
 * utilisation read (per range asked for), whatever the list's length.
 */
@Resolver(() => Site)
export class SiteUtilisationResolver {
  constructor(private readonly queries: CapacityQueries) {}

  @ResolveField(() => [UtilisationRow], {
    description:
      'Capacity, bookings and utilisation of this site’s resources and units over a range (as the `utilisation` query gives them). ' +
      'Empty for a scheduler when the site is another trust’s: its bookings are not theirs to see (`capacity` shows it as free or busy). Always as recorded now, also under `asOf`.',
  })
  utilisation(
    @Parent() site: Site,
    @Args('from', { type: () => GraphQLLocalDate, description: 'First day.' }) from: string,
    @Args('to', { type: () => GraphQLLocalDate, description: 'Last day (inclusive).' }) to: string,
    @Acting() acting: CommandContext,
    @Loaders() loaders: RequestLoaders,
  ): Promise<UtilisationRow[]> {
    // CapacityQueries applies the caller's trust scope, as it does for the `utilisation` query.
    return loaders
      .get<string, UtilisationRow[]>(`site-utilisation:${from}:${to}`, async (codes) => {
        const rows = await this.queries.utilisation({ siteCodes: [...new Set(codes)] }, from, to, acting);
        const bySite = new Map<string, UtilisationRecord[]>();
        for (const row of rows) {
          const list = bySite.get(row.site_code) ?? [];
          list.push(row);
          bySite.set(row.site_code, list);
        }
        return codes.map((code) => (bySite.get(code) ?? []).map(toUtilisation));
      })
      .load(site.code);
  }
}
