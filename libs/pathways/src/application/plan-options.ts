import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CapacityReads, LAYOUT_PROJECTION, NO_SLOTS, SlotLayoutCache, unitOfKey, unitResourceKey, type ResourceDays, type UsableSlots } from '@bedside/capacity';
import { designatesUnitAt, presentStay, unitStays, type DeploymentData, type Designation, type ProductProcess, type Resource, type UnitStay } from '@bedside/network';
import { appliedKeySql } from '@bedside/read-model';
import { NETWORK_TIME_ZONE, addDays, CLOCK, daysBetween, localDateOf, NotFoundError, wholeNumber, type Clock, type LocalDate } from '@bedside/shared';
import { PatientStays } from './patient-stays';
import { daysBookedAfterInfusion, normaliseCoi, searchPlans, type DesignatedUnit, type FreeSlot, type PatientStay, type PlanSearchInput, type PlanSearchResult } from '../domain';

/** Treatment centres have every resource a pathway needs there. */
const CENTRE_RESOURCES: readonly Resource[] = ['APHERESIS_CHAIR', 'CONDITIONING_CHAIR', 'INFUSION_BED', 'MONITORING_BED'];
/** What a plan books at a centre: its chairs and beds, and ICU cover (plan-search.ts R10; a centre without ICU beds gives no cover). */
const CENTRE_RESOURCE_SET: ReadonlySet<Resource> = new Set([...CENTRE_RESOURCES, 'ICU_BED']);

/** A unit the basis may use, with its deployments: where it is on a day follows them. */
export interface BasisUnit extends DesignatedUnit {
  readonly deployments: readonly DeploymentData[];
}

/** Everything the search needs but the free slots: the process, where it may be made, and how sites connect. */
export interface PlanBasis {
  readonly process: ProductProcess;
  /**
   * Units that may be designated somewhere they stand: by id, at home, or deployed. `siteCode`: where the
   * unit was registered; where it is on a day follows its deployments (`designatedUnitsOn`).
   */
  readonly units: readonly BasisUnit[];
  /** Where the pinned DMMF version, and the product's latest, let the product be made (`designatesUnitAt`). */
  readonly designations: readonly Designation[];
  readonly centres: readonly string[];
  readonly travelHours: (from: string, to: string) => number | undefined;
  readonly freshCourier: (from: string, to: string) => boolean;
}

export interface SearchRequest {
  readonly earliest: LocalDate;
  readonly deadline: LocalDate | null;
  readonly preferredCentre: string | null;
  readonly horizonDays: number;
  readonly count: number;
}

/** A stay of a unit the search may plan on, and the name the search knows the unit by there. */
interface PlacedStay {
  readonly searchKey: string;
  readonly stay: UnitStay;
}

/**
 * Where the search may use each unit (docs/domain.md "Deployments"). The search takes one site per unit,
 * so a deployed unit is given to it once for each stay it may use, under a name of its own and with that
 * stay's days only: its present stay (`presentStay`: where it is today, or heading for) under its id and,
 * when capacity comes grouped by resource and day (a search for plans), each later stay that begins
 * within the days searched, as "<unit> at <site> from <day>". `onUnits` gives the plans back on the
 * unit's id. Each stay counts only where the DMMF designates the unit (`designatedUnitsOn`); units never
 * deployed are as they were. So a plan Bedside offers never puts a batch where the unit will not be.
 */
export function unitsWhereTheyAre(
  basis: PlanBasis,
  today: LocalDate,
  capacity: { free: readonly FreeSlot[] } | { freeByResource: readonly ResourceDays[] },
  earliest: LocalDate,
): { units: DesignatedUnit[]; capacity: { free: readonly FreeSlot[] } | { freeByResource: readonly ResourceDays[] } } {
  const through = 'free' in capacity ? null : addDays(earliest, Math.max(0, ...capacity.freeByResource.map((r) => r.days.length)) - 1);
  const placed = new Map<string, PlacedStay[]>();
  const units = placedUnits(basis, today, through).map(({ unit, stay, searchKey }) => {
    if (stay) placed.set(unitResourceKey(unit.unitId), [...(placed.get(unitResourceKey(unit.unitId)) ?? []), { searchKey, stay }]);
    return { unitId: searchKey, siteCode: unit.siteCode };
  });
  if (placed.size === 0) return { units, capacity };
  const within = (stay: UnitStay, day: LocalDate) => day >= stay.from && (stay.until === null || day < stay.until);
  if ('free' in capacity) {
    return { units, capacity: { free: capacity.free.filter((s) => placed.get(s.resourceKey)?.some(({ stay }) => within(stay, s.day)) ?? true) } };
  }
  const freeByResource = capacity.freeByResource.flatMap((r) => {
    const stays = placed.get(r.resourceKey);
    return stays ? stays.map(({ searchKey, stay }) => ({ ...r, unitId: searchKey, days: r.days.map((slots, i) => (within(stay, addDays(earliest, i)) ? slots : NO_SLOTS)) })) : [r];
  });
  return { units, capacity: { freeByResource } };
}

/** Plans found on a unit's later stay (`unitsWhereTheyAre`) given back on the unit's id: the one its batch slots name. */
export function onUnits(result: PlanSearchResult): PlanSearchResult {
  const plans = result.plans.map((plan) => {
    const bay = plan.steps.find((s) => s.kind === 'MANUFACTURE')?.slots[0];
    const unitId = bay ? unitOfKey(bay.resourceKey) : plan.unitId;
    if (!unitId || unitId === plan.unitId) return plan;
    return { ...plan, unitId, steps: plan.steps.map((s) => (s.unitId === plan.unitId ? { ...s, unitId } : s)) };
  });
  return { ...result, plans };
}

/**
 * The basis's units that may make the product where they stand on `today` (or are heading for), each
 * placed there: the DMMF designation is judged at that site (`designatesUnitAt`, HMR regs 17A/17B), by
 * the pinned version and by the latest (a later version that no longer lists a unit withdraws it).
 */
export function designatedUnitsOn(basis: PlanBasis, today: LocalDate): { unit: DesignatedUnit; stay: UnitStay | null }[] {
  return placedUnits(basis, today, null).map(({ unit, stay }) => ({ unit, stay }));
}

interface PlacedUnit {
  readonly unit: DesignatedUnit;
  readonly stay: UnitStay | null;
  readonly searchKey: string;
}

/** `designatedUnitsOn`, and each deployed unit's later stays that begin by `through`, each under its search key. */
function placedUnits(basis: PlanBasis, today: LocalDate, through: LocalDate | null): PlacedUnit[] {
  const designated = (unitId: string, siteCode: string) => basis.designations.every((d) => designatesUnitAt(d, unitId, siteCode));
  return basis.units.flatMap((u): PlacedUnit[] => {
    if (u.deployments.length === 0) return designated(u.unitId, u.siteCode) ? [{ unit: { unitId: u.unitId, siteCode: u.siteCode }, stay: null, searchKey: u.unitId }] : [];
    const present = presentStay(u.siteCode, u.deployments, today);
    const later = through === null ? [] : unitStays(u.siteCode, present.from, u.deployments).filter((s) => !s.moving && s.from > present.from && s.from <= through);
    return [present, ...later]
      .filter((stay) => designated(u.unitId, stay.siteCode))
      .map((stay) => ({ unit: { unitId: u.unitId, siteCode: stay.siteCode }, stay, searchKey: stay === present ? u.unitId : `${u.unitId} at ${stay.siteCode} from ${stay.from}` }));
  });
}

/** The search's input: live capacity as a list of slots, or grouped by resource and day from `request.earliest` (SlotLayoutCache.resourceDays). */
export function searchInput(basis: PlanBasis, capacity: { free: readonly FreeSlot[] } | { freeByResource: readonly ResourceDays[] }, request: SearchRequest, today: LocalDate): PlanSearchInput {
  const placed = unitsWhereTheyAre(basis, today, capacity, request.earliest);
  capacity = placed.capacity;
  return {
    process: basis.process,
    earliestCollectionDate: request.earliest,
    clinicalDeadline: request.deadline,
    preferredCentre: request.preferredCentre,
    horizonDays: request.horizonDays,
    count: request.count,
    ...('free' in capacity ? { free: capacity.free } : { free: [], freeByResource: capacity.freeByResource }),
    designatedUnits: placed.units,
    treatmentCentres: basis.centres,
    travelHours: basis.travelHours,
    freshCourier: basis.freshCourier,
  };
}

/** Projections whose tables `basis` reads (the capacity layout's for the centres); their checkpoints say when a kept basis is out of date. */
export const BASIS_PROJECTIONS = [LAYOUT_PROJECTION, 'dmmf-versions', 'modular-units', 'site-directory', 'travel-times'];

/** Where the basis's and the capacity layout's read models stood when a plan's slots were read (CapacityReads.placed). */
export interface JudgementKeys {
  readonly basisKey: string | null;
  readonly layoutKey: string | null;
}

/** The slots a basis can use: its units' batch slots, and the centres' chairs and beds. */
const usableBy = (basis: PlanBasis): UsableSlots => ({
  unitIds: new Set(basis.units.map((u) => u.unitId)),
  siteCodes: new Set(basis.centres),
  siteResources: CENTRE_RESOURCE_SET,
});

/**
 * Gathers what the plan search needs from the read models (the pathway, its pinned DMMF version,
 * live capacity with what is free, travel times) and runs the pure search.
 *
 * Most of what a search reads changes rarely: the DMMF version, units, centres and travel times are
 * kept in memory and read again only when the projections that write them have applied something
 * since (their checkpoints say so). Live capacity comes from the capacity slice's SlotLayoutCache,
 * which keeps the layout the same way; what is held and booked is read afresh for every search.
 */
@Injectable()
export class PlanOptions {
  private readonly bases = new Map<string, { readonly key: string; readonly basis: Promise<PlanBasis> }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly capacity: CapacityReads,
    private readonly layout: SlotLayoutCache,
    private readonly stays: PatientStays,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Where the patient will stay after infusion, as plan-search.ts R9 judges it (PatientStays). */
  stayOf(district: string | null | undefined): Promise<PatientStay | null> {
    return this.stays.of(district);
  }

  async forPathway(coi: string, options: { count?: number | null; horizonDays?: number | null }): Promise<PlanSearchResult> {
    return onUnits(searchPlans(await this.inputForPathway(coi, options)));
  }

  async inputForPathway(rawCoi: string, options: { count?: number | null; horizonDays?: number | null }): Promise<PlanSearchInput> {
    const coi = normaliseCoi(rawCoi);
    const horizonDays = wholeNumber('horizonDays', options.horizonDays ?? 120, 7, 365);
    const [pathway] = await this.dataSource.query(
      `SELECT product_code, dmmf_version, treatment_centre, to_char(earliest_collection_date, 'YYYY-MM-DD') AS earliest,
              to_char(clinical_deadline, 'YYYY-MM-DD') AS deadline, stay_district, ${appliedKeySql('$2')} AS basis_key FROM pathways WHERE coi = $1`,
      [coi, BASIS_PROJECTIONS],
    );
    if (!pathway) throw new NotFoundError('pathway', coi, 'Refer the patient first (referPatient).');
    // Plans start from the later of the earliest collection date and today: never in the past (issue 11 §3).
    const now = this.clock.now();
    const today = localDateOf(now, NETWORK_TIME_ZONE);
    const earliest: LocalDate = pathway.earliest > today ? pathway.earliest : today;
    const basis = await this.basisAt(pathway.product_code, pathway.dmmf_version, pathway.basis_key);
    const range = { from: earliest, to: addDays(earliest, horizonDays + daysBookedAfterInfusion(basis.process)) };
    const [freeByResource, stay] = await Promise.all([this.layout.resourceDays(usableBy(basis), range, now), this.stayOf(pathway.stay_district)]);
    return { ...searchInput(basis, { freeByResource }, { earliest, deadline: pathway.deadline, preferredCentre: pathway.treatment_centre, horizonDays, count: options.count ?? 3 }, today), stay };
  }

  /**
   * The search's view of the network for judging a plan someone wants to hold (issue 11 §4): the
   * pathway's pinned process, over the days of the slots it names (from the later of its first day, the
   * earliest collection date and today).
   */
  async inputForPlan(
    pathway: { productCode: string; dmmfVersion: number; earliestCollectionDate: LocalDate; stayDistrict?: string | null },
    slots: readonly { resourceKey: string; day: LocalDate }[],
    keys: JudgementKeys,
  ): Promise<PlanSearchInput> {
    const now = this.clock.now();
    const today = localDateOf(now, NETWORK_TIME_ZONE);
    // Only the plan's own days matter: from its first slot (never before the washout or today) to its last.
    const first = slots.reduce((min, s) => (s.day < min ? s.day : min), slots[0]!.day);
    const earliest = [pathway.earliestCollectionDate, today, first].reduce((max, d) => (d > max ? d : max));
    const last = slots.reduce((max, s) => (s.day > max ? s.day : max), earliest);
    const days = Math.max(7, daysBetween(earliest, last) + 1);
    // The basis and the capacity layout as their read models stood when the slots were read (keys); what
    // is held and booked is not read: the judge looks at the plan's shape, and the slot streams at its capacity.
    const basis = await this.basisAt(pathway.productCode, pathway.dmmfVersion, keys.basisKey);
    // Only the resources the slots name: the judge looks at nothing else (plan-judgement.ts).
    const resources = new Set(slots.map((s) => s.resourceKey));
    const range = { from: earliest, to: addDays(earliest, days + daysBookedAfterInfusion(basis.process)) };
    const [free, stay] = await Promise.all([this.layout.laidOutSlots(usableBy(basis), keys.layoutKey, range, now, resources), this.stayOf(pathway.stayDistrict)]);
    // The batch is judged where its unit stands when it is made: the stay of its first bay day, which may
    // be a later stay than today's for a deployed unit (unitsWhereTheyAre).
    const firstBay = slots.filter((s) => unitOfKey(s.resourceKey) !== null).reduce<LocalDate | null>((min, s) => (min === null || s.day < min ? s.day : min), null);
    return { ...searchInput(basis, { free }, { earliest, deadline: null, preferredCentre: null, horizonDays: days, count: 1 }, firstBay !== null && firstBay > today ? firstBay : today), stay };
  }

  async basis(productCode: string, version: number): Promise<PlanBasis> {
    const [{ key }] = await this.dataSource.query(`SELECT ${appliedKeySql('$1')} AS key`, [BASIS_PROJECTIONS]);
    return this.basisAt(productCode, version, key);
  }

  /** The basis as of read models at `key` (read before this is called): kept while the key stands. */
  private basisAt(productCode: string, version: number, key: string | null): Promise<PlanBasis> {
    const id = `${productCode}\n${version}`;
    const kept = this.bases.get(id);
    if (key !== null && kept?.key === key) return kept.basis;
    const basis = this.readBasis(productCode, version);
    // Only a basis that was found is kept (a failed read, e.g. an unknown version, is asked again).
    if (key !== null) this.bases.set(id, { key, basis });
    basis.catch(() => this.bases.get(id)?.basis === basis && this.bases.delete(id));
    return basis;
  }

  private async readBasis(productCode: string, version: number): Promise<PlanBasis> {
    const [dmmf] = await this.dataSource.query(
      'SELECT process, designated_site_codes, designated_unit_ids FROM dmmf_versions WHERE product_code = $1 AND version = $2',
      [productCode, version],
    );
    if (!dmmf) throw new NotFoundError('DMMF version', `${productCode} v${version}`);
    // Manufacture only on designated units, or units standing at designated sites (regs 17A/17B). The pinned
    // version says where the pathway may be made; a later version that no longer lists a unit (nor its site)
    // withdraws it, pinned or not (issue 11 §5: the pathway is then at risk, and its repair looks elsewhere).
    // Units the pinned version could designate anywhere they stand are read; where they stand on the day
    // decides (designatedUnitsOn).
    const [latest] = await this.dataSource.query('SELECT designated_site_codes, designated_unit_ids FROM dmmf_versions WHERE product_code = $1 ORDER BY version DESC LIMIT 1', [productCode]);
    const units: { unit_id: string; home_site_code: string; deployments: DeploymentData[] }[] = await this.dataSource.query(
      `SELECT u.unit_id, u.home_site_code, u.deployments FROM modular_units u
        WHERE u.kind = 'CELL_THERAPY'
          AND (u.unit_id = ANY($1) OR u.home_site_code = ANY($2) OR EXISTS (SELECT 1 FROM jsonb_array_elements(u.deployments) d WHERE d->>'toSiteCode' = ANY($2)))
        ORDER BY u.unit_id`,
      [dmmf.designated_unit_ids, dmmf.designated_site_codes],
    );
    // Treatment centres: active sites with every resource a pathway needs there.
    const centres = await this.capacity.sitesWithEvery(CENTRE_RESOURCES);
    const travel: { from_site_code: string; to_site_code: string; hours: number; fresh_courier: boolean }[] = await this.dataSource.query(
      'SELECT from_site_code, to_site_code, hours, fresh_courier FROM travel_times',
    );
    const routes = new Map(travel.map((t) => [`${t.from_site_code}>${t.to_site_code}`, t]));
    return {
      process: dmmf.process as ProductProcess,
      units: units.map((u) => ({ unitId: u.unit_id, siteCode: u.home_site_code, deployments: u.deployments })),
      designations: [dmmf, latest].map((d: { designated_site_codes: string[]; designated_unit_ids: string[] }) => ({ siteCodes: d.designated_site_codes, unitIds: d.designated_unit_ids })),
      centres,
      travelHours: (from, to) => routes.get(`${from}>${to}`)?.hours,
      freshCourier: (from, to) => routes.get(`${from}>${to}`)?.fresh_courier ?? false,
    };
  }

  /**
   * Every slot the basis could use in the range, full ones too (a full day still breaks a run of
   * opening days). A slot that has begun by `now` is listed with nothing free: it is the past.
   */
  freeSlots(basis: PlanBasis, from: LocalDate, to: LocalDate, now: Date = this.clock.now()): Promise<FreeSlot[]> {
    return this.layout.freeSlots(usableBy(basis), { from, to }, now);
  }
}
