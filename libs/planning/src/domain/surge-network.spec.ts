import type { DeploymentData, RegionCode } from '@bedside/network';
import type { LocalDate } from '@bedside/shared';
import { REGION_CODES } from '@bedside/network';
import { surgeNetworkOf, type LiveNetworkFacts } from './surge-network';

const unit = (unitId: string, over: Partial<LiveNetworkFacts['units'][number]> = {}): LiveNetworkFacts['units'][number] => ({
  unitId,
  kind: 'FILL_FINISH',
  mobility: 'MOBILE',
  qualification: 'QUALIFIED',
  homeSiteCode: 'CTL01',
  deployments: [],
  ...over,
});

const toLeeds: DeploymentData = {
  deploymentId: 'MFF-02-D1',
  unitId: 'MFF-02',
  fromSiteCode: 'CTL01',
  toSiteCode: 'RR801',
  leavesOn: '2027-01-10' as LocalDate,
  availableFrom: '2027-01-20' as LocalDate,
  move: { tearDownDays: 1, travelDays: 1, setUpDays: 1, requalificationDays: 7 },
  travelHours: 3,
  reason: 'wave',
  strandedCois: [],
  cancels: [],
};

const facts = (over: Partial<LiveNetworkFacts> = {}): LiveNetworkFacts => ({
  asOf: '2027-01-04' as LocalDate,
  days: 60,
  units: [unit('MFF-01'), unit('MFF-02', { deployments: [toLeeds] }), unit('MFF-03', { qualification: 'REQUALIFYING' }), unit('MCT-01', { kind: 'CELL_THERAPY' }), unit('FF-FIXED', { mobility: 'FIXED' })],
  siteRegions: new Map<string, RegionCode | null>([
    ['CTL01', 'EOE'],
    ['RR801', 'NEY'],
    ['RTD01', 'NEY'],
    ['RRV01', 'LON'],
    ['OLD01', null],
  ]),
  travel: [
    { fromSiteCode: 'CTL01', toSiteCode: 'RRV01', hours: 1 },
    { fromSiteCode: 'CTL01', toSiteCode: 'RR801', hours: 30 },
    { fromSiteCode: 'CTL01', toSiteCode: 'RTD01', hours: 26 },
  ],
  ...over,
});

const days = (network: ReturnType<typeof surgeNetworkOf>, a: RegionCode, b: RegionCode) => network.travelDays[REGION_CODES.indexOf(a)]![REGION_CODES.indexOf(b)]!;

describe('the live network as a surge question sees it', () => {
  it('takes the qualified mobile fill-finish units, each in the region of the site it is at on the scenario’s day', () => {
    const network = surgeNetworkOf(facts());
    expect(network.fillFinishUnits).toEqual([
      { unitId: 'MFF-01', region: 'EOE' },
      { unitId: 'MFF-02', region: 'EOE' },
    ]);
    expect(network.leftOut).toEqual(['MFF-03 is REQUALIFYING']);
    // On the day it has left for Leeds it counts where it is heading.
    expect(surgeNetworkOf(facts({ asOf: '2027-01-12' as LocalDate })).fillFinishUnits).toContainEqual({ unitId: 'MFF-02', region: 'NEY' });
  });

  it('says which unit it leaves out because its site has no region', () => {
    const network = surgeNetworkOf(facts({ units: [unit('MFF-09', { homeSiteCode: 'OLD01' })] }));
    expect(network.fillFinishUnits).toEqual([]);
    expect(network.leftOut).toEqual(['MFF-09 is at OLD01, which has no region (setSiteRegion)']);
  });

  it('counts days between regions by the quickest road between their sites, both ways, and never joins regions with no road', () => {
    const network = surgeNetworkOf(facts());
    expect(days(network, 'EOE', 'LON')).toBe(1);
    expect(days(network, 'LON', 'EOE')).toBe(1);
    // 26 hours to Newcastle beats 30 to Leeds: two days on the road.
    expect(days(network, 'EOE', 'NEY')).toBe(2);
    expect(days(network, 'EOE', 'EOE')).toBe(0);
    expect(days(network, 'LON', 'NEY')).toBe(60);
    expect(days(network, 'EOE', 'SCO')).toBe(60);
  });
});
