import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ProductProcess, Resource } from '@bedside/network';
import { addDays, CLOCK, daysBetween, localDateOf, NotFoundError, wholeNumber, type Clock, type LocalDate } from '@bedside/shared';
import { hasBegun, normaliseCoi, searchPlans, type DesignatedUnit, type FreeSlot, type PlanSearchInput, type PlanSearchResult } from '../domain';

/** The network's clinical calendars are kept in UK time (every demo and NHS site is Europe/London). */
const NETWORK_ZONE = 'Europe/London';

/** Treatment centres have every resource a pathway needs there. */
const CENTRE_RESOURCES = ['APHERESIS_CHAIR', 'CONDITIONING_CHAIR', 'INFUSION_BED', 'MONITORING_BED'];
const CENTRE_RESOURCE_SET: ReadonlySet<string> = new Set(CENTRE_RESOURCES);

/** Everything the search needs but the free slots: the process, where it may be made, and how sites connect. */
export interface PlanBasis {
  readonly process: ProductProcess;
  readonly units: readonly DesignatedUnit[];
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

export function searchInput(basis: PlanBasis, free: readonly FreeSlot[], request: SearchRequest): PlanSearchInput {
  return {
    process: basis.process,
    earliestCollectionDate: request.earliest,
    clinicalDeadline: request.deadline,
    preferredCentre: request.preferredCentre,
    horizonDays: request.horizonDays,
    count: request.count,
    free,
    designatedUnits: basis.units,
    treatmentCentres: basis.centres,
    travelHours: basis.travelHours,
    freshCourier: basis.freshCourier,
  };
}

/** Projections whose tables `basis` reads; their checkpoints say when a kept basis is out of date. */
const BASIS_PROJECTIONS = ['capacity', 'dmmf-versions', 'modular-units', 'site-directory', 'travel-times'];
/** The projection that lays out capacity_slots. */
const LAYOUT_PROJECTIONS = ['capacity'];

/**
 * What a read model has applied, as a key: `events_applied` only grows when the projection applied
 * an event it reads (its tables can only have changed then), and a rebuild resets it and stamps
 * `rebuilt_at`. Read in the statement that reads what depends on it, or before, never after.
 */
const appliedKey = (param: string) =>
  `(SELECT string_agg(name || ':' || events_applied || ':' || coalesce(rebuilt_at::text, '-'), ',' ORDER BY name) FROM projection_checkpoints WHERE name = ANY(${param}))`;

/**
 * Where the basis's and the layout's read models stand, as columns a caller may read in a statement it
 * runs anyway (HoldPlanHandler reads them with the slots' capacities): parameters JUDGEMENT_KEY_PARAMS.
 */
export const judgementKeysSql = (basisParam: string, layoutParam: string) => `${appliedKey(basisParam)} AS basis_key, ${appliedKey(layoutParam)} AS layout_key`;
export const JUDGEMENT_KEY_PARAMS = [BASIS_PROJECTIONS, LAYOUT_PROJECTIONS] as const;
export interface JudgementKeys {
  readonly basis_key: string | null;
  readonly layout_key: string | null;
}

/** Days since 1970-01-01: slot keys are built from these rather than formatted dates. */
const dayNumber = (day: LocalDate) => daysBetween('1970-01-01', day);
/** Capacity is laid out and kept in blocks of this many days. */
const BLOCK_DAYS = 64;

/** A capacity slot as laid out (no commitments), kept between searches. */
interface LaidOutSlot {
  readonly key: string;
  readonly dayNumber: number;
  readonly resourceKey: string;
  readonly siteCode: string;
  readonly unitId: string | null;
  readonly resource: Resource;
  readonly day: LocalDate;
  readonly session: string;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly capacity: number;
}

const slotKey = (resourceKey: string, day: number, session: string) => `${resourceKey}\n${day}\n${session}`;

/** A block's slots by resource key, worked out once per block kept. */
const blocksByResource = new WeakMap<readonly LaidOutSlot[], Map<string, LaidOutSlot[]>>();
function byResource(block: readonly LaidOutSlot[]): Map<string, LaidOutSlot[]> {
  let index = blocksByResource.get(block);
  if (!index) {
    index = new Map();
    for (const slot of block) {
      const list = index.get(slot.resourceKey);
      if (list) list.push(slot);
      else index.set(slot.resourceKey, [slot]);
    }
    blocksByResource.set(block, index);
  }
  return index;
}

/**
 * Gathers what the plan search needs from the read models (the pathway, its pinned DMMF version,
 * live capacity with what is free, travel times) and runs the pure search.
 *
 * Most of what a search reads changes rarely: the DMMF version, units, centres and travel times, and
 * the capacity layout (calendars, exceptions, closures). Reading and converting ~8,000 slot rows per
 * search cost more than the search itself, so these are kept in memory and read again only when the
 * projections that write them have applied something since (their checkpoints say so, in the same
 * statement that reads the commitments). What is held and booked is read afresh for every search.
 */
@Injectable()
export class PlanOptions {
  private readonly bases = new Map<string, { readonly key: string; readonly basis: Promise<PlanBasis> }>();
  private layout: { readonly key: string; readonly blocks: Map<number, Promise<LaidOutSlot[]>> } = { key: '', blocks: new Map() };

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async forPathway(coi: string, options: { count?: number | null; horizonDays?: number | null }): Promise<PlanSearchResult> {
    return searchPlans(await this.inputForPathway(coi, options));
  }

  async inputForPathway(rawCoi: string, options: { count?: number | null; horizonDays?: number | null }): Promise<PlanSearchInput> {
    const coi = normaliseCoi(rawCoi);
    const horizonDays = wholeNumber('horizonDays', options.horizonDays ?? 120, 7, 365);
    const [pathway] = await this.dataSource.query(
      `SELECT product_code, dmmf_version, treatment_centre, to_char(earliest_collection_date, 'YYYY-MM-DD') AS earliest,
              to_char(clinical_deadline, 'YYYY-MM-DD') AS deadline, ${appliedKey('$2')} AS basis_key FROM pathways WHERE coi = $1`,
      [coi, BASIS_PROJECTIONS],
    );
    if (!pathway) throw new NotFoundError('pathway', coi, 'Refer the patient first (referPatient).');
    // Plans start from the later of the earliest collection date and today: never in the past (issue 11 §3).
    const now = this.clock.now();
    const today = localDateOf(now, NETWORK_ZONE);
    const earliest: LocalDate = pathway.earliest > today ? pathway.earliest : today;
    const basis = await this.basisAt(pathway.product_code, pathway.dmmf_version, pathway.basis_key);
    const free = await this.freeSlots(basis, earliest, addDays(earliest, horizonDays + basis.process.monitoringInpatientDays), now);
    return searchInput(basis, free, { earliest, deadline: pathway.deadline, preferredCentre: pathway.treatment_centre, horizonDays, count: options.count ?? 3 });
  }

  /**
   * The search's view of the network for judging a plan someone wants to hold (issue 11 §4): the
   * pathway's pinned process, over the days of the slots it names (from the later of its first day, the
   * earliest collection date and today).
   */
  async inputForPlan(
    pathway: { productCode: string; dmmfVersion: number; earliestCollectionDate: LocalDate },
    slots: readonly { resourceKey: string; day: LocalDate }[],
    keys?: JudgementKeys,
  ): Promise<PlanSearchInput> {
    const now = this.clock.now();
    const today = localDateOf(now, NETWORK_ZONE);
    // Only the plan's own days matter: from its first slot (never before the washout or today) to its last.
    const first = slots.reduce((min, s) => (s.day < min ? s.day : min), slots[0]!.day);
    const earliest = [pathway.earliestCollectionDate, today, first].reduce((max, d) => (d > max ? d : max));
    const last = slots.reduce((max, s) => (s.day > max ? s.day : max), earliest);
    const days = Math.max(7, daysBetween(earliest, last) + 1);
    // The basis and the capacity layout as their read models stand, in one statement; what is held and
    // booked is not read: the judge looks at the plan's shape, and the slot streams at its capacity.
    const { basis_key: basisKey, layout_key: layoutKey }: JudgementKeys =
      keys ?? (await this.dataSource.query(`SELECT ${judgementKeysSql('$1', '$2')}`, [...JUDGEMENT_KEY_PARAMS]))[0];
    const basis = await this.basisAt(pathway.productCode, pathway.dmmfVersion, basisKey);
    // Only the resources the slots name: the judge looks at nothing else (plan-judgement.ts).
    const resources = new Set(slots.map((s) => s.resourceKey));
    const free = await this.layoutSlots(basis, layoutKey, earliest, addDays(earliest, days + basis.process.monitoringInpatientDays), now, new Map(), resources);
    return searchInput(basis, free, { earliest, deadline: null, preferredCentre: null, horizonDays: days, count: 1 });
  }

  async basis(productCode: string, version: number): Promise<PlanBasis> {
    const [{ key }] = await this.dataSource.query(`SELECT ${appliedKey('$1')} AS key`, [BASIS_PROJECTIONS]);
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
    // Manufacture only on designated units, or units at designated sites (regs 17A/17B). The pinned version
    // says where the pathway may be made; a later version that no longer lists a unit (nor its site)
    // withdraws it, pinned or not (issue 11 §5: the pathway is then at risk, and its repair looks elsewhere).
    const units: { unit_id: string; current_site_code: string }[] = await this.dataSource.query(
      `SELECT u.unit_id, u.current_site_code FROM modular_units u
         JOIN LATERAL (SELECT designated_unit_ids, designated_site_codes FROM dmmf_versions WHERE product_code = $3 ORDER BY version DESC LIMIT 1) l ON true
        WHERE u.kind = 'CELL_THERAPY' AND (u.unit_id = ANY($1) OR u.current_site_code = ANY($2))
          AND (u.unit_id = ANY(l.designated_unit_ids) OR u.current_site_code = ANY(l.designated_site_codes))`,
      [dmmf.designated_unit_ids, dmmf.designated_site_codes, productCode],
    );
    const centres: { site_code: string }[] = await this.dataSource.query(
      `SELECT c.site_code FROM capacity_calendars c JOIN sites s ON s.code = c.site_code
        WHERE s.status = 'ACTIVE' AND c.resource = ANY($1)
        GROUP BY c.site_code HAVING count(DISTINCT c.resource) = $2`,
      [CENTRE_RESOURCES, CENTRE_RESOURCES.length],
    );
    const travel: { from_site_code: string; to_site_code: string; hours: number; fresh_courier: boolean }[] = await this.dataSource.query(
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

  /**
   * Every slot the basis could use in the range, full ones too (a full day still breaks a run of
   * opening days). A slot that has begun by `now` is listed with nothing free: it is the past.
   */
  async freeSlots(basis: PlanBasis, from: LocalDate, to: LocalDate, now: Date = this.clock.now()): Promise<FreeSlot[]> {
    // Places held or booked, and the layout's key, in one statement: both as of the same moment.
    const [{ layout_key: key, used }]: { layout_key: string | null; used: [string, number, string, number][] }[] = await this.dataSource.query(
      `SELECT ${appliedKey('$3')} AS layout_key,
              coalesce((SELECT json_agg(json_build_array(resource_key, day - DATE '1970-01-01', session, committed + tentative))
                          FROM capacity_commitments WHERE day BETWEEN $1 AND $2 AND committed + tentative > 0), '[]') AS used`,
      [from, to, LAYOUT_PROJECTIONS],
    );
    const taken = new Map<string, number>();
    for (const [resourceKey, day, session, places] of used) taken.set(slotKey(resourceKey, day, session), places);
    return this.layoutSlots(basis, key, from, to, now, taken);
  }

  /** The laid-out slots the basis could use in the range, with what `taken` leaves free (begun: nothing). */
  private async layoutSlots(
    basis: PlanBasis,
    key: string | null,
    from: LocalDate,
    to: LocalDate,
    now: Date,
    taken: ReadonlyMap<string, number>,
    onlyResources?: ReadonlySet<string>,
  ): Promise<FreeSlot[]> {
    const first = dayNumber(from);
    const last = dayNumber(to);
    const units = new Set(basis.units.map((u) => u.unitId));
    const centres = new Set(basis.centres);
    const free: FreeSlot[] = [];
    for (let block = Math.floor(first / BLOCK_DAYS); block <= Math.floor(last / BLOCK_DAYS); block++) {
      const laidOut = await this.laidOut(key, block);
      const slots = onlyResources ? [...onlyResources].flatMap((resourceKey) => byResource(laidOut).get(resourceKey) ?? []) : laidOut;
      for (const slot of slots) {
        if (slot.dayNumber < first || slot.dayNumber > last) continue;
        if (slot.unitId === null ? !(centres.has(slot.siteCode) && CENTRE_RESOURCE_SET.has(slot.resource)) : !units.has(slot.unitId)) continue;
        const startsAt = new Date(slot.startsAt);
        free.push({
          resourceKey: slot.resourceKey,
          siteCode: slot.siteCode,
          unitId: slot.unitId,
          resource: slot.resource,
          day: slot.day,
          session: slot.session,
          startsAt,
          endsAt: new Date(slot.endsAt),
          free: hasBegun({ startsAt }, now) ? 0 : Math.max(0, slot.capacity - (taken.get(slot.key) ?? 0)),
        });
      }
    }
    return free;
  }

  /** The slots of one block of days as laid out when the layout's read model stood at `key` (or later). */
  private laidOut(key: string | null, block: number): Promise<LaidOutSlot[]> {
    if (key === null || this.layout.key !== key) this.layout = { key: key ?? '', blocks: new Map() };
    const kept = this.layout.blocks.get(block);
    if (kept && key !== null) return kept;
    const slots = this.readBlock(block);
    this.layout.blocks.set(block, slots);
    slots.catch(() => this.layout.blocks.get(block) === slots && this.layout.blocks.delete(block));
    return slots;
  }

  private async readBlock(block: number): Promise<LaidOutSlot[]> {
    const from = addDays('1970-01-01', block * BLOCK_DAYS);
    const rows: [string, string, string | null, Resource, number, string, number, number, number][] = (
      await this.dataSource.query(
        `SELECT json_build_array(resource_key, site_code, unit_id, resource, day - DATE '1970-01-01', session,
                                 extract(epoch FROM starts_at) * 1000, extract(epoch FROM ends_at) * 1000, capacity) AS slot
           FROM capacity_slots
          WHERE day BETWEEN $1 AND $2 AND (unit_id IS NOT NULL OR resource = ANY($3))
          ORDER BY day, resource_key, session`,
        [from, addDays(from, BLOCK_DAYS - 1), CENTRE_RESOURCES],
      )
    ).map((r: { slot: [string, string, string | null, Resource, number, string, number, number, number] }) => r.slot);
    const days = new Map<number, LocalDate>();
    return rows.map(([resourceKey, siteCode, unitId, resource, day, session, startsAt, endsAt, capacity]) => {
      let date = days.get(day);
      if (!date) days.set(day, (date = addDays('1970-01-01', day)));
      return { key: slotKey(resourceKey, day, session), dayNumber: day, resourceKey, siteCode, unitId, resource, day: date, session, startsAt, endsAt, capacity };
    });
  }
}
