import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NetworkReadModel, type CapacityQuery } from '@bedside/network';
import { addDays, daysBetween, parseLocalDate, ValidationError, type Caller, type LocalDate } from '@bedside/shared';
import type { CapacityRow, DailyCapacityRow, UtilisationRow } from '../projections/capacity-rows';

/** Slots in a day range ($1, $2), of sites ($3), units ($4), resources ($5), and serving a product ($6 sites, $7 units). */
const SLOT_FILTER = `WHERE s.day BETWEEN $1 AND $2
          AND ($3::text[] IS NULL OR s.site_code = ANY($3))
          AND ($4::text[] IS NULL OR s.unit_id = ANY($4))
          AND ($5::text[] IS NULL OR s.resource = ANY($5))
          AND ($6::text[] IS NULL OR s.unit_id IS NULL OR s.unit_id = ANY($7) OR s.site_code = ANY($6))`;

/** A capacity query may span at most this many days (a year and a month, the calendar horizon). */
export const MAX_CAPACITY_RANGE_DAYS = 400;

/**
 * The `capacity` and `utilisation` queries: live capacity as people read it, filtered by sites,
 * units, resources or a product's designation (the network resolves those), masked for schedulers.
 */
@Injectable()
export class CapacityQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly network: NetworkReadModel,
  ) {}

  /** Slots with what is free on them, in day order, keyset-paged after (day, resource key, session). */
  async capacity(query: CapacityQuery, from: string, to: string, limit: number, after: [string, string, string] | undefined, caller: Caller): Promise<CapacityRow[]> {
    const range = checkRange(from, to);
    const filter = await this.network.resolveFilter(query);
    const rows: CapacityRow[] = await this.dataSource.query(
      `SELECT s.resource_key, to_char(s.day, 'YYYY-MM-DD') AS day, s.session, s.site_code, s.unit_id, s.resource, s.starts_at, s.ends_at,
              s.nominal, s.capacity, coalesce(c.committed, 0)::float8 AS committed, coalesce(c.tentative, 0)::float8 AS tentative,
              greatest(0, s.capacity - coalesce(c.committed, 0) - coalesce(c.tentative, 0))::float8 AS free, s.closed_reason
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
    return maskForCaller(rows, await this.network.ownSites(caller));
  }

  /**
   * Per site resource or unit and per day (issue 15 §4, the capacity heatmap): what the calendar gives,
   * what can be booked, what is free, and why any of it is closed. Another trust's days are free (1) or
   * busy (0) to a scheduler, as their slots are (maskForCaller).
   */
  async dailyCapacity(query: CapacityQuery, from: string, to: string, caller: Caller): Promise<DailyCapacityRow[]> {
    const range = checkRange(from, to);
    const filter = await this.network.resolveFilter(query);
    const rows: Omit<DailyCapacityRow, 'free_busy_only'>[] = await this.dataSource.query(
      `SELECT s.site_code, s.unit_id, s.resource, to_char(s.day, 'YYYY-MM-DD') AS day, sum(s.nominal)::int AS nominal, sum(s.capacity)::int AS capacity,
              sum(greatest(0, s.capacity - coalesce(c.committed, 0) - coalesce(c.tentative, 0)))::float8 AS free, min(s.closed_reason) AS closed_reason
         FROM capacity_slots s
         LEFT JOIN capacity_commitments c USING (resource_key, day, session)
        ${SLOT_FILTER}
        GROUP BY s.site_code, s.unit_id, s.resource, s.day
        ORDER BY s.site_code, s.resource, s.unit_id NULLS FIRST, s.day`,
      [range.from, range.to, filter.siteCodes, filter.unitIds, filter.resources, filter.productSites, filter.productUnits],
    );
    return masked(rows, await this.network.ownSites(caller), (r) => r);
  }

  /** Per site resource and unit; a scheduler gets their own trusts' sites only (others' bookings are not theirs to see). */
  async utilisation(query: CapacityQuery, from: string, to: string, caller: Caller): Promise<UtilisationRow[]> {
    const range = checkRange(from, to);
    const filter = await this.network.resolveFilter(query);
    const own = await this.network.ownSites(caller);
    const rows: UtilisationRow[] = await this.dataSource.query(
      `SELECT s.site_code, s.unit_id, s.resource, sum(s.capacity)::int AS capacity,
              coalesce(sum(c.committed), 0)::float8 AS committed, coalesce(sum(c.tentative), 0)::float8 AS tentative
         FROM capacity_slots s
         LEFT JOIN capacity_commitments c USING (resource_key, day, session)
        ${SLOT_FILTER}
        GROUP BY s.site_code, s.unit_id, s.resource
        ORDER BY s.site_code, s.resource, s.unit_id NULLS FIRST`,
      [range.from, range.to, filter.siteCodes, filter.unitIds, filter.resources, filter.productSites, filter.productUnits],
    );
    return own ? rows.filter((r) => own.has(r.site_code)) : rows;
  }
}

/**
 * Issue 5 §2: a scheduler sees other trusts' capacity as free or busy, not who booked how much.
 * `own`: the sites of the caller's trusts; null for network-wide roles, who see everything.
 */
export function maskForCaller(rows: readonly Omit<CapacityRow, 'free_busy_only'>[], own: ReadonlySet<string> | null): CapacityRow[] {
  return masked(rows, own, (r) => ({ ...r, committed: null, tentative: null }));
}

/** The one masking rule, for slots and for days: another trust's free places read as free (1) or busy (0). */
function masked<Row extends { site_code: string; free: number }, Shown extends Row>(rows: readonly Row[], own: ReadonlySet<string> | null, hide: (row: Row) => Shown): (Shown & { free_busy_only: boolean })[] {
  return rows.map((r) => (!own || own.has(r.site_code) ? { ...(r as Shown), free_busy_only: false } : { ...hide(r), free: Math.min(r.free, 1), free_busy_only: true }));
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
