import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { addDays, daysBetween, parseLocalDate, trustScope, ValidationError, type Caller, type LocalDate } from '@bedside/shared';
import { normaliseOdsCode, normaliseProductCode, normaliseUnitId } from '../domain';
import type { DmmfRow, UnitRow } from '../projections/network-model.projections';

export type { DmmfRow, UnitRow } from '../projections/network-model.projections';

export interface CapacityRow {
  resource_key: string;
  day: string;
  session: string;
  site_code: string;
  unit_id: string | null;
  resource: string;
  starts_at: Date;
  ends_at: Date;
  nominal: number;
  capacity: number;
  /** null: another trust's capacity, shown to a scheduler as free or busy only. */
  committed: number | null;
  tentative: number | null;
  free: number;
  closed_reason: string | null;
  free_busy_only: boolean;
}

export interface CapacityQuery {
  readonly siteCodes?: readonly string[] | null;
  readonly unitIds?: readonly string[] | null;
  readonly resources?: readonly string[] | null;
  /** Only resources that can serve this product: its designated sites and units (latest DMMF). */
  readonly productCode?: string | null;
  readonly onlyFree?: boolean | null;
}

export interface UtilisationRow {
  site_code: string;
  unit_id: string | null;
  resource: string;
  capacity: number;
  committed: number;
  tentative: number;
}

/** Slots in a day range ($1, $2), of sites ($3), units ($4), resources ($5), and serving a product ($6 sites, $7 units). */
const SLOT_FILTER = `WHERE s.day BETWEEN $1 AND $2
          AND ($3::text[] IS NULL OR s.site_code = ANY($3))
          AND ($4::text[] IS NULL OR s.unit_id = ANY($4))
          AND ($5::text[] IS NULL OR s.resource = ANY($5))
          AND ($6::text[] IS NULL OR s.unit_id IS NULL OR s.unit_id = ANY($7) OR s.site_code = ANY($6))`;

/** A capacity query may span at most this many days (a year and a month, the calendar horizon). */
export const MAX_CAPACITY_RANGE_DAYS = 400;

/** Reads of the network model's tables. */
@Injectable()
export class NetworkReadModel {
  constructor(private readonly dataSource: DataSource) {}

  async unit(id: string): Promise<UnitRow | undefined> {
    const [row] = await this.dataSource.query('SELECT * FROM modular_units WHERE unit_id = $1', [normaliseUnitId('id', id)]);
    return row;
  }

  units(filter: { kind?: string | null; siteCode?: string | null }, limit: number, afterId?: string): Promise<UnitRow[]> {
    return this.dataSource.query(
      `SELECT * FROM modular_units
        WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR current_site_code = $2) AND ($3::text IS NULL OR unit_id > $3)
        ORDER BY unit_id LIMIT $4`,
      [filter.kind ?? null, filter.siteCode ? normaliseOdsCode('siteCode', filter.siteCode) : null, afterId ?? null, limit + 1],
    );
  }

  async dmmf(productCode: string, version?: number | null): Promise<DmmfRow | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT * FROM dmmf_versions WHERE product_code = $1 AND ($2::int IS NULL OR version = $2) ORDER BY version DESC LIMIT 1`,
      [normaliseProductCode('productCode', productCode), version ?? null],
    );
    return row;
  }

  /** A product's versions, oldest first, after a version; `limit + 1` of them. */
  dmmfVersions(productCode: string, limit: number, afterVersion = 0): Promise<DmmfRow[]> {
    return this.dataSource.query('SELECT * FROM dmmf_versions WHERE product_code = $1 AND version > $2 ORDER BY version LIMIT $3', [
      normaliseProductCode('productCode', productCode),
      afterVersion,
      limit + 1,
    ]);
  }

  /** The latest version of every product. */
  products(): Promise<DmmfRow[]> {
    return this.dataSource.query('SELECT DISTINCT ON (product_code) * FROM dmmf_versions ORDER BY product_code, version DESC');
  }

  /** Slots with what is free on them, in day order, keyset-paged after (day, resource key, session). */
  async capacity(query: CapacityQuery, from: string, to: string, limit: number, after: [string, string, string] | undefined, caller: Caller): Promise<CapacityRow[]> {
    const range = checkRange(from, to);
    const filter = await this.resolveFilter(query);
    const rows: CapacityRow[] = await this.dataSource.query(
      `SELECT s.resource_key, to_char(s.day, 'YYYY-MM-DD') AS day, s.session, s.site_code, s.unit_id, s.resource, s.starts_at, s.ends_at,
              s.nominal, s.capacity, coalesce(c.committed, 0) AS committed, coalesce(c.tentative, 0) AS tentative,
              greatest(0, s.capacity - coalesce(c.committed, 0) - coalesce(c.tentative, 0)) AS free, s.closed_reason
         FROM capacity_slots s
         LEFT JOIN capacity_commitments c USING (resource_key, day, session)
        ${SLOT_FILTER}
          AND (NOT $8 OR s.capacity - coalesce(c.committed, 0) - coalesce(c.tentative, 0) > 0)
          AND ($9::date IS NULL OR (s.day, s.resource_key, s.session) > ($9::date, $10::text, $11::text))
        ORDER BY s.day, s.resource_key, s.session
        LIMIT $12`,
      [
        range.from,
        range.to,
        filter.siteCodes,
        filter.unitIds,
        filter.resources,
        filter.productSites,
        filter.productUnits,
        query.onlyFree ?? false,
        after?.[0] ?? null,
        after?.[1] ?? null,
        after?.[2] ?? null,
        limit + 1,
      ],
    );
    return maskForCaller(rows, await this.ownSites(caller));
  }

  /** Sites of a scheduler's trusts; null for network-wide roles. */
  async ownSites(caller: Caller): Promise<Set<string> | null> {
    const trusts = trustScope(caller);
    if (!trusts) return null;
    const rows: { code: string }[] = await this.dataSource.query('SELECT code FROM sites WHERE trust_code = ANY($1)', [trusts]);
    return new Set(rows.map((r) => r.code));
  }

  /** Capacity and commitments summed per site resource and per unit over a range. */
  /** Per site resource and unit; a scheduler gets their own trusts' sites only (others' bookings are not theirs to see). */
  async utilisation(query: CapacityQuery, from: string, to: string, caller: Caller): Promise<UtilisationRow[]> {
    const range = checkRange(from, to);
    const filter = await this.resolveFilter(query);
    const own = await this.ownSites(caller);
    const rows: UtilisationRow[] = await this.dataSource.query(
      `SELECT s.site_code, s.unit_id, s.resource, sum(s.capacity)::int AS capacity,
              coalesce(sum(c.committed), 0)::int AS committed, coalesce(sum(c.tentative), 0)::int AS tentative
         FROM capacity_slots s
         LEFT JOIN capacity_commitments c USING (resource_key, day, session)
        ${SLOT_FILTER}
        GROUP BY s.site_code, s.unit_id, s.resource
        ORDER BY s.site_code, s.resource, s.unit_id NULLS FIRST`,
      [range.from, range.to, filter.siteCodes, filter.unitIds, filter.resources, filter.productSites, filter.productUnits],
    );
    return own ? rows.filter((r) => own.has(r.site_code)) : rows;
  }

  async calendars(owner: { siteCode?: string; unitId?: string }): Promise<{ calendars: Record<string, unknown>[]; exceptions: Record<string, unknown>[] }> {
    const calendars = owner.siteCode
      ? await this.dataSource.query('SELECT calendar FROM capacity_calendars WHERE site_code = $1 ORDER BY resource', [owner.siteCode])
      : [];
    const exceptions = await this.dataSource.query(
      `SELECT exception FROM capacity_exceptions WHERE ($1::text IS NOT NULL AND site_code = $1) OR ($2::text IS NOT NULL AND unit_id = $2)
        ORDER BY exception->>'from'`,
      [owner.siteCode ?? null, owner.unitId ?? null],
    );
    return { calendars: calendars.map((r: { calendar: Record<string, unknown> }) => r.calendar), exceptions: exceptions.map((r: { exception: Record<string, unknown> }) => r.exception) };
  }

  /** Travel times from each site, nearest first, after a (from, hours, to) key; `limit + 1` of them. */
  travelTimes(siteCode: string | null | undefined, limit: number, after?: [string, number, string]): Promise<{ from_site_code: string; to_site_code: string; hours: number; fresh_courier: boolean }[]> {
    return this.dataSource.query(
      `SELECT from_site_code, to_site_code, hours, fresh_courier FROM travel_times
        WHERE ($1::text IS NULL OR from_site_code = $1) AND ($2::text IS NULL OR (from_site_code, hours, to_site_code) > ($2, $3::float8, $4))
        ORDER BY from_site_code, hours, to_site_code LIMIT $5`,
      [siteCode ? normaliseOdsCode('siteCode', siteCode) : null, after?.[0] ?? null, after?.[1] ?? null, after?.[2] ?? null, limit + 1],
    );
  }

  /** The filter's codes normalised, and a product's designation (its latest DMMF, or the one `latestDmmf` finds). */
  async resolveFilter(query: CapacityQuery, latestDmmf: (productCode: string) => Promise<DmmfRow | undefined> = (code) => this.dmmf(code)): Promise<ResolvedCapacityFilter> {
    const list = (values: readonly string[] | null | undefined, normalise: (v: string) => string) => (values && values.length > 0 ? values.map(normalise) : null);
    let productSites: string[] | null = null;
    let productUnits: string[] | null = null;
    if (query.productCode) {
      const dmmf = await latestDmmf(query.productCode);
      if (!dmmf) throw new ValidationError('filter.productCode', `No DMMF is published for product ${query.productCode}.`);
      // Manufacture only on units the DMMF designates, or units at sites it designates (regs 17A/17B).
      // Chairs and beds are not manufacture: a product filter leaves them in.
      productSites = dmmf.designated_site_codes;
      productUnits = dmmf.designated_unit_ids;
    }
    return {
      siteCodes: list(query.siteCodes, (c) => normaliseOdsCode('filter.siteCodes', c)),
      unitIds: list(query.unitIds, (u) => normaliseUnitId('filter.unitIds', u)),
      resources: list(query.resources, (r) => r),
      productSites,
      productUnits,
    };
  }
}

export interface ResolvedCapacityFilter {
  readonly siteCodes: string[] | null;
  readonly unitIds: string[] | null;
  readonly resources: string[] | null;
  readonly productSites: string[] | null;
  readonly productUnits: string[] | null;
}

/** SLOT_FILTER without the days, for slots laid out in memory (reads as of an instant). */
export function slotMatches(filter: ResolvedCapacityFilter, slot: { siteCode: string; unitId: string | null; resource: string }): boolean {
  return (
    (!filter.siteCodes || filter.siteCodes.includes(slot.siteCode)) &&
    (!filter.unitIds || (slot.unitId !== null && filter.unitIds.includes(slot.unitId))) &&
    (!filter.resources || filter.resources.includes(slot.resource)) &&
    (!filter.productSites || slot.unitId === null || (filter.productUnits ?? []).includes(slot.unitId) || filter.productSites.includes(slot.siteCode))
  );
}

/**
 * Issue 5 §2: a scheduler sees other trusts' capacity as free or busy, not who booked how much.
 * `own`: the sites of the caller's trusts; null for network-wide roles, who see everything.
 */
export function maskForCaller(rows: readonly Omit<CapacityRow, 'free_busy_only'>[], own: ReadonlySet<string> | null): CapacityRow[] {
  if (!own) return rows.map((r) => ({ ...r, free_busy_only: false }));
  return rows.map((r) => (own.has(r.site_code) ? { ...r, free_busy_only: false } : { ...r, committed: null, tentative: null, free: Math.min(r.free, 1), free_busy_only: true }));
}

export function checkRange(rawFrom: string, rawTo: string): { from: LocalDate; to: LocalDate } {
  const from = parseLocalDate('from', rawFrom);
  const to = parseLocalDate('to', rawTo);
  if (to < from) throw new ValidationError('to', `The range ends (${to}) before it starts (${from}).`);
  if (daysBetween(from, to) >= MAX_CAPACITY_RANGE_DAYS) {
    throw new ValidationError('to', `Ask for at most ${MAX_CAPACITY_RANGE_DAYS} days at a time (e.g. ${from} to ${addDays(from, MAX_CAPACITY_RANGE_DAYS - 1)}).`);
  }
  return { from, to };
}
