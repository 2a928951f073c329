/**
 * The routes the plan search needs, worked out once per network and kept between searches (issue 12
 * §7): on a national network a search asked the travel table some 25,000 times (every apheresis centre
 * to every unit, every unit to every centre) before it looked at a single slot. Pure: a table depends
 * only on the route functions and the sites, and the search's contract is that those functions give the
 * same answer for the same sites for as long as they are used (PlanOptions makes new ones whenever the
 * travel times change, so tables made from old ones are never asked for again).
 */

export type TravelHours = (fromSite: string, toSite: string) => number | undefined;
export type FreshCourier = (fromSite: string, toSite: string) => boolean;

export interface RouteSites {
  readonly apheresis: readonly string[];
  readonly units: readonly { readonly unitId: string; readonly siteCode: string }[];
  readonly treatment: readonly string[];
}

export interface ProductRoute {
  readonly unitId: string;
  readonly hours: number;
  /** Days until released product is in stock at the centre (R8: ships on the ready day, in stock from the next, same site the same day). */
  readonly stockDelay: number;
}

export interface RouteTables {
  /**
   * R3, per unit: hours from each apheresis centre (in the order given) whose starting material may
   * travel to it (fresh material only where a fresh courier may take it), undefined where it may not.
   */
  readonly materialFrom: ReadonlyMap<string, ReadonlyMap<string, number | undefined>>;
  /** R3, per unit: the same centres that have a route, nearest first (equal hours in the order given). */
  readonly materialNearestFirst: ReadonlyMap<string, readonly { readonly centre: string; readonly hours: number }[]>;
  /** R7, per treatment centre: the units with a product route to it. */
  readonly productTo: ReadonlyMap<string, ReadonlyMap<string, ProductRoute>>;
  /** R7, per treatment centre: the same, nearest first (equal hours in unit order). */
  readonly productNearestFirst: ReadonlyMap<string, readonly ProductRoute[]>;
}

/** Same site: 0 h, without asking. */
const hoursBetween = (travelHours: TravelHours, from: string, to: string) => (from === to ? 0 : travelHours(from, to));

export function routeTables(sites: RouteSites, fresh: boolean, travelHours: TravelHours, freshCourier: FreshCourier): RouteTables {
  const materialFrom = new Map<string, Map<string, number | undefined>>();
  const materialNearestFirst = new Map<string, { centre: string; hours: number }[]>();
  for (const unit of sites.units) {
    const from = new Map<string, number | undefined>();
    for (const centre of sites.apheresis) {
      const allowed = !fresh || centre === unit.siteCode || freshCourier(centre, unit.siteCode);
      from.set(centre, allowed ? hoursBetween(travelHours, centre, unit.siteCode) : undefined);
    }
    materialFrom.set(unit.unitId, from);
    materialNearestFirst.set(
      unit.unitId,
      [...from].flatMap(([centre, hours]) => (hours === undefined ? [] : [{ centre, hours }])).sort((a, b) => a.hours - b.hours),
    );
  }
  const productTo = new Map<string, Map<string, ProductRoute>>();
  const productNearestFirst = new Map<string, ProductRoute[]>();
  for (const centre of sites.treatment) {
    const routes = new Map<string, ProductRoute>();
    for (const unit of sites.units) {
      const hours = hoursBetween(travelHours, unit.siteCode, centre);
      if (hours !== undefined) routes.set(unit.unitId, { unitId: unit.unitId, hours, stockDelay: Math.ceil(hours / 24) });
    }
    productTo.set(centre, routes);
    productNearestFirst.set(centre, [...routes.values()].sort((a, b) => a.hours - b.hours));
  }
  return { materialFrom, materialNearestFirst, productTo, productNearestFirst };
}

/** Tables kept per pair of route functions, then per set of sites; a bounded number per pair (scoped searches ask for many small ones). */
const kept = new WeakMap<TravelHours, WeakMap<FreshCourier, Map<string, RouteTables>>>();
const KEPT_PER_FUNCTIONS = 512;

/** routeTables, kept between searches for the same route functions and sites. */
export function keptRouteTables(sites: RouteSites, fresh: boolean, travelHours: TravelHours, freshCourier: FreshCourier): RouteTables {
  let byFresh = kept.get(travelHours);
  if (!byFresh) kept.set(travelHours, (byFresh = new WeakMap()));
  let tables = byFresh.get(freshCourier);
  if (!tables) byFresh.set(freshCourier, (tables = new Map()));
  const key = `${fresh ? 'F' : 'C'}|${sites.apheresis.join(',')}|${sites.units.map((u) => `${u.unitId}@${u.siteCode}`).join(',')}|${sites.treatment.join(',')}`;
  let found = tables.get(key);
  if (!found) {
    if (tables.size >= KEPT_PER_FUNCTIONS) tables.clear();
    tables.set(key, (found = routeTables(sites, fresh, travelHours, freshCourier)));
  }
  return found;
}
