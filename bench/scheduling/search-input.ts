import type { DataSource } from 'typeorm';
import type { ProductProcess, Resource } from '@bedside/network';
import { searchPlans, slotStreamId, type DesignatedUnit, type FreeSlot, type PlanSearchInput, type SlotRef, type VeinToVeinPlan } from '@bedside/pathways';
import { addDays, type LocalDate } from '@bedside/shared';

/**
 * The reads of PlanOptions.forPathway (libs/pathways/src/application/plan-options.ts), copied so the
 * benchmark can time the SQL and the pure search apart on the same inputs. The run checks the copy:
 * searchPlans over these inputs must give exactly the plans forPathway gave, or the figures say so.
 */
const CENTRE_RESOURCES = ['APHERESIS_CHAIR', 'CONDITIONING_CHAIR', 'INFUSION_BED', 'MONITORING_BED'];

interface SlotRow {
  readonly resource_key: string;
  readonly site_code: string;
  readonly unit_id: string | null;
  readonly resource: Resource;
  readonly day: string;
  readonly session: string;
  readonly starts_at: Date;
  readonly ends_at: Date;
  readonly free: number;
}

/** Everything but the free slots: what the product may use and how sites are connected. */
interface Basis {
  readonly process: ProductProcess;
  readonly units: readonly DesignatedUnit[];
  readonly centres: readonly string[];
  readonly travelHours: (from: string, to: string) => number | undefined;
  readonly freshCourier: (from: string, to: string) => boolean;
}

async function productBasis(dataSource: DataSource, productCode: string, version: number): Promise<Basis> {
  const [dmmf] = await dataSource.query('SELECT process, designated_site_codes, designated_unit_ids FROM dmmf_versions WHERE product_code = $1 AND version = $2', [productCode, version]);
  if (!dmmf) throw new Error(`no DMMF version ${productCode} v${version}`);
  const units: { unit_id: string; current_site_code: string }[] = await dataSource.query(
    `SELECT unit_id, current_site_code FROM modular_units
      WHERE kind = 'CELL_THERAPY' AND (unit_id = ANY($1) OR current_site_code = ANY($2))`,
    [dmmf.designated_unit_ids, dmmf.designated_site_codes],
  );
  const centres: { site_code: string }[] = await dataSource.query(
    `SELECT c.site_code FROM capacity_calendars c JOIN sites s ON s.code = c.site_code
      WHERE s.status = 'ACTIVE' AND c.resource = ANY($1)
      GROUP BY c.site_code HAVING count(DISTINCT c.resource) = $2`,
    [CENTRE_RESOURCES, CENTRE_RESOURCES.length],
  );
  const travel: { from_site_code: string; to_site_code: string; hours: number; fresh_courier: boolean }[] = await dataSource.query(
    'SELECT from_site_code, to_site_code, hours, fresh_courier FROM travel_times',
  );
  const routes = new Map(travel.map((t) => [`${t.from_site_code}>${t.to_site_code}`, t]));
  return {
    process: dmmf.process as ProductProcess,
    units: units.map((u) => ({ unitId: u.unit_id, siteCode: u.current_site_code })),
    centres: centres.map((c) => c.site_code),
    travelHours: (from, to) => routes.get(`${from}>${to}`)?.hours,
    freshCourier: (from, to) => routes.get(`${from}>${to}`)?.fresh_courier ?? false,
  };
}

async function freeSlots(dataSource: DataSource, basis: Basis, from: LocalDate, to: LocalDate): Promise<FreeSlot[]> {
  const rows: SlotRow[] = await dataSource.query(
    `SELECT s.resource_key, s.site_code, s.unit_id, s.resource, to_char(s.day, 'YYYY-MM-DD') AS day, s.session, s.starts_at, s.ends_at,
            greatest(0, s.capacity - coalesce(c.committed, 0) - coalesce(c.tentative, 0)) AS free
       FROM capacity_slots s LEFT JOIN capacity_commitments c USING (resource_key, day, session)
      WHERE s.day BETWEEN $1 AND $2
        AND ((s.unit_id IS NULL AND s.site_code = ANY($3) AND s.resource = ANY($4)) OR s.unit_id = ANY($5))`,
    [from, to, basis.centres, CENTRE_RESOURCES, basis.units.map((u) => u.unitId)],
  );
  return rows.map((s) => ({
    resourceKey: s.resource_key,
    siteCode: s.site_code,
    unitId: s.unit_id,
    resource: s.resource,
    day: s.day,
    session: s.session,
    startsAt: s.starts_at,
    endsAt: s.ends_at,
    free: s.free,
  }));
}

function inputFrom(basis: Basis, free: readonly FreeSlot[], search: { earliest: LocalDate; deadline: LocalDate | null; preferredCentre: string | null; horizonDays: number; count: number }): PlanSearchInput {
  return {
    process: basis.process,
    earliestCollectionDate: search.earliest,
    clinicalDeadline: search.deadline,
    preferredCentre: search.preferredCentre,
    horizonDays: search.horizonDays,
    count: search.count,
    free,
    designatedUnits: basis.units,
    treatmentCentres: basis.centres,
    travelHours: basis.travelHours,
    freshCourier: basis.freshCourier,
  };
}

/** The input PlanOptions.forPathway hands to searchPlans for this pathway, read the same way. */
export async function loadSearchInput(dataSource: DataSource, coi: string, horizonDays: number, count: number): Promise<PlanSearchInput> {
  const [pathway] = await dataSource.query(
    `SELECT product_code, dmmf_version, treatment_centre, to_char(earliest_collection_date, 'YYYY-MM-DD') AS earliest,
            to_char(clinical_deadline, 'YYYY-MM-DD') AS deadline FROM pathways WHERE coi = $1`,
    [coi],
  );
  if (!pathway) throw new Error(`pathway ${coi} is not in the read model`);
  const basis = await productBasis(dataSource, pathway.product_code, pathway.dmmf_version);
  const last = addDays(pathway.earliest, horizonDays + basis.process.monitoringInpatientDays);
  const free = await freeSlots(dataSource, basis, pathway.earliest, last);
  return inputFrom(basis, free, { earliest: pathway.earliest, deadline: pathway.deadline, preferredCentre: pathway.treatment_centre, horizonDays, count });
}

/**
 * Plans bookings ahead, without booking: each plan's slots are taken off an in-memory copy of live
 * capacity before the next search, so the plans never compete for a place. Used to measure hold and
 * confirm alone, with no search and no lost races in the timed loop.
 */
export class InMemoryPlanner {
  private constructor(
    private readonly basis: Basis,
    private readonly slots: readonly FreeSlot[],
    private readonly remaining: Map<string, number>,
  ) {}

  static async load(dataSource: DataSource, productCode: string, from: LocalDate, to: LocalDate): Promise<InMemoryPlanner> {
    const [{ version }] = await dataSource.query('SELECT max(version) AS version FROM dmmf_versions WHERE product_code = $1', [productCode]);
    const basis = await productBasis(dataSource, productCode, version);
    const slots = await freeSlots(dataSource, basis, from, to);
    return new InMemoryPlanner(basis, slots, new Map(slots.map((s) => [slotStreamId(s), s.free])));
  }

  /** The best plan from `earliest` on what is still free, its slots taken; undefined when none fits. */
  next(earliest: LocalDate, horizonDays: number): VeinToVeinPlan | undefined {
    const last = addDays(earliest, horizonDays + this.basis.process.monitoringInpatientDays);
    const free = this.slots.filter((s) => s.day >= earliest && s.day <= last).map((s) => ({ ...s, free: this.remaining.get(slotStreamId(s))! }));
    const [plan] = searchPlans(inputFrom(this.basis, free, { earliest, deadline: null, preferredCentre: null, horizonDays, count: 1 })).plans;
    if (plan) for (const slot of plan.slots) this.take(slot);
    return plan;
  }

  private take(slot: SlotRef): void {
    const key = slotStreamId(slot);
    this.remaining.set(key, this.remaining.get(key)! - 1);
  }
}
