import { keptRouteTables, routeTables, type RouteSites } from './plan-routes';

// Two centres and two units: MU-A at centre RBV, MU-B at a site of its own, with one fresh courier route.
const sites: RouteSites = {
  apheresis: ['RBV', 'RHM'],
  units: [
    { unitId: 'MU-A', siteCode: 'RBV' },
    { unitId: 'MU-B', siteCode: 'MFG' },
  ],
  treatment: ['RBV', 'RHM'],
};
const table: Record<string, number> = { 'RBV>MFG': 3, 'RHM>MFG': 1.5, 'MFG>RBV': 3, 'MFG>RHM': 1.5, 'RHM>RBV': 2, 'RBV>RHM': 2 };
const travel = (from: string, to: string) => table[`${from}>${to}`];
const onlyFromRhm = (from: string) => from === 'RHM';

describe('the routes a plan search uses', () => {
  it('gives same-site routes 0 h, and lets fresh starting material travel only where a fresh courier may take it', () => {
    const fresh = routeTables(sites, true, travel, onlyFromRhm);
    expect([...fresh.materialFrom.get('MU-B')!]).toEqual([['RBV', undefined], ['RHM', 1.5]]);
    expect(fresh.materialNearestFirst.get('MU-A')).toEqual([{ centre: 'RBV', hours: 0 }, { centre: 'RHM', hours: 2 }]);
    // Cryopreserved material may take any route with a known travel time.
    const cryo = routeTables(sites, false, travel, onlyFromRhm);
    expect(cryo.materialNearestFirst.get('MU-B')).toEqual([{ centre: 'RHM', hours: 1.5 }, { centre: 'RBV', hours: 3 }]);
  });

  it('lists the units that can send product to a centre nearest first, with the days until it is in stock there', () => {
    const { productNearestFirst } = routeTables(sites, false, travel, onlyFromRhm);
    expect(productNearestFirst.get('RHM')).toEqual([
      { unitId: 'MU-B', hours: 1.5, stockDelay: 1 },
      { unitId: 'MU-A', hours: 2, stockDelay: 1 },
    ]);
    expect(productNearestFirst.get('RBV')![0]).toEqual({ unitId: 'MU-A', hours: 0, stockDelay: 0 });
  });

  it('is worked out once for the same route functions and sites, and again when the travel times change', () => {
    const first = keptRouteTables(sites, false, travel, onlyFromRhm);
    expect(keptRouteTables({ ...sites }, false, travel, onlyFromRhm)).toBe(first);
    // New travel times come as new functions (PlanOptions reads them again): the old table is not used.
    const slower = (from: string, to: string) => (travel(from, to) === undefined ? undefined : travel(from, to)! * 2);
    expect(keptRouteTables(sites, false, slower, onlyFromRhm).productNearestFirst.get('RHM')![0]!.hours).toBe(3);
    // Other sites (a unit moved) are another table.
    const moved = keptRouteTables({ ...sites, units: [{ unitId: 'MU-A', siteCode: 'RHM' }, sites.units[1]!] }, false, travel, onlyFromRhm);
    expect(moved.productNearestFirst.get('RHM')![0]).toEqual({ unitId: 'MU-A', hours: 0, stockDelay: 0 });
  });
});
