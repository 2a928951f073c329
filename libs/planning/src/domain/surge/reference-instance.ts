import { dosesPerUnitDay, type FillRate, type SurgeInstance } from './surge-instance';

/**
 * The reference surge question of issue 13's benchmark: 8 mobile fill-finish units, the ten host regions
 * (the seven NHS England regions and the three devolved nations), 100 daily periods, and demand that
 * exceeds what the units can fill. The pandemic arrives as waves, region after region, so where a unit
 * stands matters over time; a wave's doses are of use until two weeks after it ends (their deadline). Populations (millions) set each region's share of the doses; a unit's output
 * follows docs/domain.md "Surge" (a mobile line fills far below a fixed line's 400 vials a minute).
 */
export const NHS_REGIONS = [
  { code: 'LON', name: 'London', population: 9.0, wave: 0, x: 53, y: 78 },
  { code: 'SE', name: 'South East', population: 9.3, wave: 6, x: 50, y: 85 },
  { code: 'EOE', name: 'East of England', population: 6.5, wave: 9, x: 60, y: 68 },
  { code: 'MID', name: 'Midlands', population: 11.0, wave: 14, x: 42, y: 62 },
  { code: 'SW', name: 'South West', population: 5.8, wave: 18, x: 30, y: 88 },
  { code: 'NW', name: 'North West', population: 7.4, wave: 22, x: 35, y: 45 },
  { code: 'NEY', name: 'North East and Yorkshire', population: 8.2, wave: 26, x: 48, y: 40 },
  { code: 'WAL', name: 'Wales', population: 3.1, wave: 30, x: 25, y: 65 },
  { code: 'SCO', name: 'Scotland', population: 5.5, wave: 36, x: 35, y: 15 },
  { code: 'NI', name: 'Northern Ireland', population: 1.9, wave: 40, x: 10, y: 35 },
] as const;

export interface ReferenceOptions {
  /**
   * Host areas: the ten regions (default), or more made by splitting each region into areas in proportion
   * to its population (42 stands for the integrated care boards; the areas are made up, not the real ICBs).
   */
  readonly areas?: number;
  readonly dosesPerVial?: number;
  readonly requalificationDays?: number;
  readonly units?: number;
  readonly days?: number;
  /**
   * Days after a region's wave ends that its doses are still of use (default 14); `null` for no deadline.
   * A dose that comes after the wave has passed is worth nothing (domain.md "Surge": demand curves and deadlines).
   */
  readonly deadlineAfterWave?: number | null;
}

export const REFERENCE_FILL_FINISH: Omit<FillRate, 'dosesPerVial'> = { vialsPerHour: 300, shiftsPerDay: 2, hoursPerShift: 8, effectiveOutputFactor: 0.7 };

export function referenceSurgeInstance(options: ReferenceOptions = {}): SurgeInstance {
  const days = options.days ?? 100;
  const units = options.units ?? 8;
  const areas = areasOf(options.areas ?? NHS_REGIONS.length);
  const regions = areas.map((a) => a.code);
  // A day on the road per 25 map units, at least one; a crossing to Northern Ireland takes a day more.
  const travelDays = areas.map((a) =>
    areas.map((b) => (a === b ? 0 : Math.max(1, Math.round(Math.hypot(a.x - b.x, a.y - b.y) / 25)) + ((a.parent === 'NI') !== (b.parent === 'NI') ? 1 : 0))),
  );
  // Forty million doses wanted in all, each area's share over a 30-day wave from its start.
  const totalDoses = 40_000_000;
  const population = areas.reduce((sum, r) => sum + r.population, 0);
  const grace = options.deadlineAfterWave === undefined ? 14 : options.deadlineAfterWave;
  const demand = areas.flatMap((r) =>
    Array.from({ length: 30 }, (_, i) => ({
      region: r.code,
      day: r.wave + i,
      doses: Math.round((totalDoses * r.population) / population / 30),
      ...(grace !== null && { deadline: Math.min(days - 1, r.wave + 29 + grace) }),
    })).filter((d) => d.day < days),
  );
  const london = areas.find((a) => a.parent === 'LON')!.code;
  const northWest = areas.find((a) => a.parent === 'NW')!.code;
  return {
    regions,
    days,
    travelDays,
    teardownDays: 1,
    setupDays: 2,
    requalificationDays: options.requalificationDays ?? 7,
    releaseDays: 3,
    dosesPerUnitDay: dosesPerUnitDay({ ...REFERENCE_FILL_FINISH, dosesPerVial: options.dosesPerVial ?? 10 }),
    // The units start where fill-finish capacity stands today: half in London, half in the North West.
    units: Array.from({ length: units }, (_, i) => ({ unitId: `FF-${String(i + 1).padStart(2, '0')}`, region: i % 2 === 0 ? london : northWest })),
    demand,
  };
}

interface Area {
  readonly code: string;
  readonly parent: string;
  readonly population: number;
  readonly wave: number;
  readonly x: number;
  readonly y: number;
}

/**
 * The ten regions as they are, or split into `count` areas: each region gets areas in proportion to its
 * population (at least one), set around it on the map a few units apart, its wave reaching them a day
 * apart. With the regions' codes when not split, `LON-2`-style codes when split.
 */
function areasOf(count: number): Area[] {
  if (!Number.isInteger(count) || count < NHS_REGIONS.length) throw new Error(`A surge question has at least ${NHS_REGIONS.length} areas (got ${count}).`);
  const total = NHS_REGIONS.reduce((sum, r) => sum + r.population, 0);
  const shares = NHS_REGIONS.map((r) => 1 + Math.floor(((count - NHS_REGIONS.length) * r.population) / total));
  // Areas left over by rounding go to the most populous regions.
  const byPopulation = NHS_REGIONS.map((_, i) => i).sort((a, b) => NHS_REGIONS[b]!.population - NHS_REGIONS[a]!.population);
  for (let k = 0; shares.reduce((a, b) => a + b, 0) < count; k++) shares[byPopulation[k % byPopulation.length]!]! += 1;
  return NHS_REGIONS.flatMap((r, i) => {
    const n = shares[i]!;
    if (count === NHS_REGIONS.length) return [{ code: r.code, parent: r.code, population: r.population, wave: r.wave, x: r.x, y: r.y }];
    return Array.from({ length: n }, (_, k) => ({
      code: `${r.code}-${k + 1}`,
      parent: r.code,
      population: r.population / n,
      wave: r.wave + k,
      x: r.x + 6 * Math.cos((2 * Math.PI * k) / n),
      y: r.y + 6 * Math.sin((2 * Math.PI * k) / n),
    }));
  });
}
