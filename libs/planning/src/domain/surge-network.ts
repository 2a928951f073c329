import { REGION_CODES, siteOn, travelDaysFor, type DeploymentData, type RegionCode } from '@bedside/network';
import type { LocalDate } from '@bedside/shared';
import type { SurgeNetwork } from './scenario';

/** The live network as a run reads it: units with their deployments, where sites are, and the travel table. */
export interface LiveNetworkFacts {
  /** The scenario's day: where each unit is on it. */
  readonly asOf: LocalDate;
  /** Days the scenario plans: a region no site can be reached in is further away than that. */
  readonly days: number;
  readonly units: readonly {
    readonly unitId: string;
    readonly kind: string;
    readonly mobility: string;
    readonly qualification: string;
    readonly homeSiteCode: string;
    readonly deployments: readonly DeploymentData[];
  }[];
  /** Each site's region (null: registered before regions were recorded and not yet given one). */
  readonly siteRegions: ReadonlyMap<string, RegionCode | null>;
  readonly travel: readonly { readonly fromSiteCode: string; readonly toSiteCode: string; readonly hours: number }[];
}

/**
 * The surge question's network (issue 13 §3): the qualified mobile fill-finish units, each in the region of
 * the site it is at (or heading to) on the scenario's day, and whole days between regions from the travel
 * table: the quickest road between a site of one and a site of the other, in days as a move counts them
 * (travelDaysFor). Two regions with no road recorded between their sites are never joined within the
 * question (a region with no site cannot host a unit).
 */
export function surgeNetworkOf(facts: LiveNetworkFacts): SurgeNetwork & { readonly leftOut: readonly string[] } {
  const leftOut: string[] = [];
  const fillFinishUnits: { unitId: string; region: RegionCode }[] = [];
  for (const unit of facts.units) {
    if (unit.kind !== 'FILL_FINISH' || unit.mobility !== 'MOBILE') continue;
    if (unit.qualification !== 'QUALIFIED') {
      leftOut.push(`${unit.unitId} is ${unit.qualification}`);
      continue;
    }
    const site = siteOn(unit.homeSiteCode, unit.deployments, facts.asOf);
    const region = facts.siteRegions.get(site);
    if (!region) {
      leftOut.push(`${unit.unitId} is at ${site}, which has no region (setSiteRegion)`);
      continue;
    }
    fillFinishUnits.push({ unitId: unit.unitId, region });
  }
  const quickest = new Map<string, number>();
  for (const { fromSiteCode, toSiteCode, hours } of facts.travel) {
    const a = facts.siteRegions.get(fromSiteCode);
    const b = facts.siteRegions.get(toSiteCode);
    if (!a || !b) continue;
    for (const key of [`${a}>${b}`, `${b}>${a}`]) quickest.set(key, Math.min(quickest.get(key) ?? Infinity, hours));
  }
  const travelDays = REGION_CODES.map((a) =>
    REGION_CODES.map((b) => {
      if (a === b) return 0;
      const hours = quickest.get(`${a}>${b}`);
      // No road recorded between their sites (or a region with no site): never reached within the question.
      return hours === undefined ? facts.days : travelDaysFor(hours);
    }),
  );
  return { fillFinishUnits, travelDays, leftOut };
}
