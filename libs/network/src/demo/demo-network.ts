import type { GeoLocation, ProductProcess, RegionCode, SiteKind, SiteResource, Weekday } from '../domain';

/**
 * The demo network: a Control Site, ten NHS CAR-T treatment centres with point-of-care units,
 * mobile units, and two products. Trust names, ODS trust codes and locations are public facts;
 * site codes (trust code + "01") and every capacity figure are illustrative (README, "Demo network").
 */
export interface DemoCentre {
  readonly code: string;
  readonly name: string;
  readonly trustCode: string;
  readonly location: GeoLocation;
  /** NHS England region (public fact: where the trust is). */
  readonly region: RegionCode;
  readonly apheresisChairs: number;
  readonly conditioningChairs: number;
  readonly monitoringBeds: number;
}

export const DEMO_CONTROL_SITE = {
  code: 'CTL01',
  name: 'Bedside Control Site (Stevenage)',
  kind: 'CONTROL_SITE' as SiteKind,
  location: { latitude: 51.889, longitude: -0.204 },
  region: 'EOE' as RegionCode,
};

export const DEMO_CENTRES: readonly DemoCentre[] = [
  { code: 'RBV01', name: 'The Christie, Manchester', trustCode: 'RBV', location: { latitude: 53.4293, longitude: -2.2306 }, region: 'NW', apheresisChairs: 3, conditioningChairs: 3, monitoringBeds: 10 },
  { code: 'RRV01', name: 'University College Hospital, London', trustCode: 'RRV', location: { latitude: 51.5246, longitude: -0.1357 }, region: 'LON', apheresisChairs: 3, conditioningChairs: 3, monitoringBeds: 10 },
  { code: 'RJZ01', name: "King's College Hospital, London", trustCode: 'RJZ', location: { latitude: 51.4682, longitude: -0.0938 }, region: 'LON', apheresisChairs: 2, conditioningChairs: 2, monitoringBeds: 8 },
  { code: 'RP401', name: 'Great Ormond Street Hospital, London', trustCode: 'RP4', location: { latitude: 51.5225, longitude: -0.1203 }, region: 'LON', apheresisChairs: 2, conditioningChairs: 2, monitoringBeds: 6 },
  { code: 'RTD01', name: 'Freeman Hospital, Newcastle', trustCode: 'RTD', location: { latitude: 55.0023, longitude: -1.5936 }, region: 'NEY', apheresisChairs: 2, conditioningChairs: 2, monitoringBeds: 8 },
  { code: 'RRK01', name: 'Queen Elizabeth Hospital Birmingham', trustCode: 'RRK', location: { latitude: 52.4531, longitude: -1.9385 }, region: 'MID', apheresisChairs: 3, conditioningChairs: 3, monitoringBeds: 10 },
  { code: 'RA701', name: 'Bristol Haematology and Oncology Centre', trustCode: 'RA7', location: { latitude: 51.4584, longitude: -2.5966 }, region: 'SW', apheresisChairs: 2, conditioningChairs: 2, monitoringBeds: 8 },
  { code: 'RR801', name: "St James's University Hospital, Leeds", trustCode: 'RR8', location: { latitude: 53.8069, longitude: -1.5211 }, region: 'NEY', apheresisChairs: 2, conditioningChairs: 2, monitoringBeds: 8 },
  { code: 'RPY01', name: 'The Royal Marsden, Sutton', trustCode: 'RPY', location: { latitude: 51.3443, longitude: -0.1889 }, region: 'LON', apheresisChairs: 2, conditioningChairs: 2, monitoringBeds: 8 },
  { code: 'RYJ01', name: 'Hammersmith Hospital, London', trustCode: 'RYJ', location: { latitude: 51.5166, longitude: -0.235 }, region: 'LON', apheresisChairs: 2, conditioningChairs: 2, monitoringBeds: 8 },
];

export interface DemoCalendar {
  readonly resource: SiteResource;
  readonly openingDays: readonly Weekday[];
  readonly sessions: readonly { name: string; start: string; end: string }[];
  readonly openOnBankHolidays: boolean;
}

const WEEKDAYS: readonly Weekday[] = ['MON', 'TUE', 'WED', 'THU', 'FRI'];
const EVERY_DAY: readonly Weekday[] = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

/** Apheresis runs weekday sessions; conditioning also on Saturdays; beds every day, bank holidays too. */
export function demoCalendars(centre: DemoCentre): (DemoCalendar & { count: number })[] {
  return [
    { resource: 'APHERESIS_CHAIR', count: centre.apheresisChairs, openingDays: WEEKDAYS, sessions: [{ name: 'AM', start: '08:00', end: '13:00' }, { name: 'PM', start: '13:30', end: '18:00' }], openOnBankHolidays: false },
    { resource: 'CONDITIONING_CHAIR', count: centre.conditioningChairs, openingDays: [...WEEKDAYS, 'SAT'], sessions: [{ name: 'AM', start: '09:00', end: '13:00' }, { name: 'PM', start: '13:30', end: '17:30' }], openOnBankHolidays: false },
    { resource: 'INFUSION_BED', count: 2, openingDays: EVERY_DAY, sessions: [], openOnBankHolidays: true },
    { resource: 'MONITORING_BED', count: centre.monitoringBeds, openingDays: EVERY_DAY, sessions: [], openOnBankHolidays: true },
    { resource: 'ICU_BED', count: 2, openingDays: EVERY_DAY, sessions: [], openOnBankHolidays: true },
  ];
}

export interface DemoUnit {
  readonly unitId: string;
  readonly name: string;
  readonly kind: 'CELL_THERAPY' | 'FILL_FINISH';
  readonly mobility: 'FIXED' | 'MOBILE';
  readonly batchCapacity: number;
  readonly homeSiteCode: string;
  readonly qualified: boolean;
}

const cocoon = (code: string, n = 1): DemoUnit => ({
  unitId: `MU-${code}-COC${n}`,
  name: `Cocoon-class unit ${n}, ${code}`,
  kind: 'CELL_THERAPY',
  mobility: 'FIXED',
  batchCapacity: 1,
  homeSiteCode: code,
  qualified: true,
});

/** 11 Cocoon-class boxes (one batch each), one Cell Shuttle-class system (16), 3 mobile cell-therapy and 4 mobile fill-finish units. */
export const DEMO_UNITS: readonly DemoUnit[] = [
  ...DEMO_CENTRES.map((c) => cocoon(c.code)),
  cocoon('RBV01', 2),
  { unitId: 'MU-RRK01-SHU1', name: 'Cell Shuttle-class system, Birmingham', kind: 'CELL_THERAPY', mobility: 'FIXED', batchCapacity: 16, homeSiteCode: 'RRK01', qualified: true },
  ...[1, 2, 3].map((n) => ({ unitId: `MCT-0${n}`, name: `Mobile cell-therapy unit ${n}`, kind: 'CELL_THERAPY' as const, mobility: 'MOBILE' as const, batchCapacity: 1, homeSiteCode: 'CTL01', qualified: n !== 3 })),
  ...[1, 2, 3, 4].map((n) => ({ unitId: `MFF-0${n}`, name: `Mobile fill-finish unit ${n}`, kind: 'FILL_FINISH' as const, mobility: 'MOBILE' as const, batchCapacity: 1, homeSiteCode: 'CTL01', qualified: true })),
];

/** Planner-set fill-finish figures (domain.md "Surge"): far below a fixed line's 400 vials a minute. */
export const DEMO_FILL_FINISH = { vialsPerHour: 1500, dosesPerVial: 10, effectiveOutputFactor: 0.7, shiftsPerDay: 2, hoursPerShift: 8, setupDays: 5, batchReleaseDays: 10 };

const common = {
  apheresisSessions: 1,
  apheresisHoursPerSession: 4,
  conditioningRegimen: 'Fludarabine + cyclophosphamide',
  conditioningDays: [-5, -4, -3],
  reconditionAfterDays: 14,
  monitoringInpatientDays: 7,
  stayWithinReachDays: 28,
  stayWithinReachMinutes: 120,
  icuReserveProbability: 0.3,
};

/** Two products with different processes (domain.md steps 4-8); figures are defaults a user changes. */
export const DEMO_PRODUCTS: readonly { process: ProductProcess; siteCodes: readonly string[]; unitIds: readonly string[]; reason: string }[] = [
  {
    process: {
      ...common,
      productCode: 'POC-CAR19',
      name: 'Point-of-care anti-CD19 CAR-T (fresh, 7-day)',
      startingMaterial: 'FRESH',
      maxFreshHoldHours: 36,
      manufactureDays: 7,
      qcMethod: 'RAPID',
      qcReleaseDays: 0,
      shelfLifeHours: 6,
      infusionWindowMinDays: 3,
      infusionWindowMaxDays: 3,
      conditioningGate: 'CONDITIONING_DURING_MANUFACTURE',
    },
    siteCodes: DEMO_CENTRES.map((c) => c.code),
    unitIds: DEMO_UNITS.filter((u) => u.kind === 'CELL_THERAPY' && u.batchCapacity === 1).map((u) => u.unitId),
    reason: 'Demo network: decentralised fresh CAR-T at the treatment centres',
  },
  {
    process: {
      ...common,
      productCode: 'CRYO-CAR19',
      name: 'Centrally manufactured anti-CD19 CAR-T (cryopreserved comparator)',
      startingMaterial: 'CRYOPRESERVED',
      maxFreshHoldHours: null,
      manufactureDays: 17,
      qcMethod: 'COMPENDIAL',
      qcReleaseDays: 14,
      shelfLifeHours: 24 * 365,
      infusionWindowMinDays: 2,
      infusionWindowMaxDays: 14,
      conditioningGate: 'RELEASE_BEFORE_CONDITIONING',
      // Thawed at the bedside and infused within about 30 minutes (docs/domain.md step 8).
      thawedShelfLifeMinutes: 30,
    },
    siteCodes: [],
    unitIds: ['MU-RRK01-SHU1'],
    reason: 'Demo network: cryopreserved comparator made on the Birmingham Cell Shuttle-class system',
  },
];

/** Bank holidays in England and Wales (gov.uk), 2026 to 2028. */
export const ENGLAND_AND_WALES_BANK_HOLIDAYS = [
  '2026-01-01', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-08-31', '2026-12-25', '2026-12-28',
  '2027-01-01', '2027-03-26', '2027-03-29', '2027-05-03', '2027-05-31', '2027-08-30', '2027-12-27', '2027-12-28',
  '2028-01-03', '2028-04-14', '2028-04-17', '2028-05-01', '2028-05-29', '2028-08-28', '2028-12-25', '2028-12-26',
];

/** Road hours between two points: great-circle km × 1.3 road factor at 65 km/h, plus 15 minutes, to the quarter hour. */
/**
 * Postcode districts the demo's patients live in (issue 14 §4), at rough centres: the seed records minutes
 * from each to every centre within four hours (roadHours), so the stay-within-reach rule has figures to
 * judge by. TR1 (Truro) is beyond reach of every demo centre: its patients need a stay arranged.
 */
export const DEMO_DISTRICTS: readonly { readonly district: string; readonly location: GeoLocation }[] = [
  { district: 'M20', location: { latitude: 53.42, longitude: -2.23 } },
  { district: 'M1', location: { latitude: 53.48, longitude: -2.24 } },
  { district: 'SK8', location: { latitude: 53.38, longitude: -2.21 } },
  { district: 'L1', location: { latitude: 53.4, longitude: -2.98 } },
  { district: 'LS9', location: { latitude: 53.8, longitude: -1.51 } },
  { district: 'S10', location: { latitude: 53.38, longitude: -1.51 } },
  { district: 'NE7', location: { latitude: 55.0, longitude: -1.58 } },
  { district: 'CA1', location: { latitude: 54.89, longitude: -2.93 } },
  { district: 'B15', location: { latitude: 52.45, longitude: -1.93 } },
  { district: 'CV1', location: { latitude: 52.41, longitude: -1.51 } },
  { district: 'NG7', location: { latitude: 52.94, longitude: -1.18 } },
  { district: 'BS2', location: { latitude: 51.46, longitude: -2.58 } },
  { district: 'EX1', location: { latitude: 50.72, longitude: -3.51 } },
  { district: 'TR1', location: { latitude: 50.26, longitude: -5.05 } },
  { district: 'WC1E', location: { latitude: 51.52, longitude: -0.13 } },
  { district: 'SE5', location: { latitude: 51.47, longitude: -0.09 } },
  { district: 'SM2', location: { latitude: 51.35, longitude: -0.19 } },
  { district: 'W12', location: { latitude: 51.51, longitude: -0.23 } },
  { district: 'CB2', location: { latitude: 52.19, longitude: 0.13 } },
  { district: 'OX3', location: { latitude: 51.76, longitude: -1.22 } },
  { district: 'SO16', location: { latitude: 50.93, longitude: -1.43 } },
];

/**
 * The demo district nearest a demo centre (or a scaled copy of one: RBV02 stands beside RBV01): a home
 * for a demo or test patient treated there, so the stay-within-reach rule lets them be (issue 14 §4).
 */
export function demoHomeDistrict(centreCode = 'RBV01'): string {
  const centre = DEMO_CENTRES.find((c) => c.code.slice(0, 3) === centreCode.slice(0, 3)) ?? DEMO_CENTRES[0]!;
  const hours = (d: (typeof DEMO_DISTRICTS)[number]) => roadHours(d.location, centre.location);
  return [...DEMO_DISTRICTS].sort((a, b) => hours(a) - hours(b))[0]!.district;
}

/** Minutes the demo records from a district to a centre: beyond four hours none is recorded. */
export const DEMO_DISTRICT_REACH_MINUTES = 240;

export function roadHours(a: GeoLocation, b: GeoLocation): number {
  const rad = (deg: number) => (deg * Math.PI) / 180;
  const h = Math.sin(rad(b.latitude - a.latitude) / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(rad(b.longitude - a.longitude) / 2) ** 2;
  const km = 2 * 6371 * Math.asin(Math.sqrt(h));
  return Math.max(0.25, Math.round(((km * 1.3) / 65 + 0.25) * 4) / 4);
}
