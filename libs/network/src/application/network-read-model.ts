import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AggregateRepository } from '@bedside/event-store';
import { postcodeDistrict, trustScope, ValidationError, type Caller, type LocalDate } from '@bedside/shared';
import {
  calendarEvolver,
  calendarStreamId,
  normaliseOdsCode,
  normaliseProductCode,
  normaliseUnitId,
  siteOn,
  type CalendarException,
  type CalendarOwner,
  type RegionCode,
  type ResourceCalendar,
} from '../domain';
import type { DmmfRow, UnitRow } from '../projections/network-model.projections';

export type { DmmfRow, UnitRow } from '../projections/network-model.projections';

export interface CapacityQuery {
  readonly siteCodes?: readonly string[] | null;
  readonly unitIds?: readonly string[] | null;
  readonly resources?: readonly string[] | null;
  /** Only resources that can serve this product: its designated sites and units (latest DMMF). */
  readonly productCode?: string | null;
  readonly onlyFree?: boolean | null;
}

/** Code-point order, as the tables sort under the C collation. */
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Reads of the network model's tables. */
@Injectable()
export class NetworkReadModel {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: AggregateRepository,
  ) {}

  async unit(id: string): Promise<UnitRow | undefined> {
    const [row] = await this.dataSource.query('SELECT * FROM modular_units WHERE unit_id = $1', [normaliseUnitId('id', id)]);
    return row;
  }

  /**
   * `siteCode`: units there (or on their way there) on `today`, as their deployments say (`siteOn`, the one
   * rule; the network's units are few enough to judge each one here).
   */
  async units(filter: { kind?: string | null; siteCode?: string | null }, limit: number, afterId: string | undefined, today: LocalDate): Promise<UnitRow[]> {
    const siteCode = filter.siteCode ? normaliseOdsCode('siteCode', filter.siteCode) : null;
    const rows: UnitRow[] = await this.dataSource.query(
      `SELECT * FROM modular_units WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR unit_id > $2) ORDER BY unit_id ${siteCode ? '' : 'LIMIT $3'}`,
      siteCode ? [filter.kind ?? null, afterId ?? null] : [filter.kind ?? null, afterId ?? null, limit + 1],
    );
    return siteCode ? rows.filter((u) => siteOn(u.home_site_code, u.deployments, today) === siteCode).slice(0, limit + 1) : rows;
  }

  /** Units with deployments in force (or the one asked for, if it has any), by id. */
  deployedUnits(unitId: string | null): Promise<Pick<UnitRow, 'unit_id' | 'deployments'>[]> {
    return this.dataSource.query(
      `SELECT unit_id, deployments FROM modular_units WHERE jsonb_array_length(deployments) > 0 AND ($1::text IS NULL OR unit_id = $1) ORDER BY unit_id`,
      [unitId],
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

  /** Sites of a scheduler's trusts; null for network-wide roles. */
  async ownSites(caller: Caller): Promise<Set<string> | null> {
    const trusts = trustScope(caller);
    if (!trusts) return null;
    const rows: { code: string }[] = await this.dataSource.query('SELECT code FROM sites WHERE trust_code = ANY($1)', [trusts]);
    return new Set(rows.map((r) => r.code));
  }

  /**
   * A site's (or unit's) calendars, by resource, and its exceptions in force, by first day: from its
   * calendar stream, as the calendar aggregate folds it (the capacity slice keeps its own copy to lay
   * capacity out from).
   */
  async calendars(owner: CalendarOwner): Promise<{ calendars: ResourceCalendar[]; exceptions: CalendarException[] }> {
    const { state } = await this.repository.load(calendarStreamId(owner), calendarEvolver);
    return {
      calendars: owner.siteCode ? [...state.resources.values()].sort((a, b) => compare(a.resource, b.resource)) : [],
      exceptions: [...state.exceptions.values()].sort((a, b) => compare(a.from, b.from)),
    };
  }

  /**
   * What surge planning reads of the live network (issue 13 §3, §5): every unit with its deployments,
   * each site's region (and which are active), and the travel table. Three reads, whatever the network's size.
   */
  async forSurgePlanning(): Promise<{
    units: Pick<UnitRow, 'unit_id' | 'kind' | 'mobility' | 'qualification' | 'home_site_code' | 'deployments'>[];
    siteRegions: Map<string, RegionCode | null>;
    activeSites: { code: string; region: RegionCode | null }[];
    travel: { fromSiteCode: string; toSiteCode: string; hours: number }[];
  }> {
    const [units, sites, travel] = await Promise.all([
      this.dataSource.query('SELECT unit_id, kind, mobility, qualification, home_site_code, deployments FROM modular_units ORDER BY unit_id'),
      this.dataSource.query('SELECT code, region, status FROM sites ORDER BY code') as Promise<{ code: string; region: RegionCode | null; status: string }[]>,
      this.dataSource.query('SELECT from_site_code AS "fromSiteCode", to_site_code AS "toSiteCode", hours FROM travel_times'),
    ]);
    return {
      units,
      siteRegions: new Map(sites.map((s) => [s.code, s.region])),
      activeSites: sites.filter((s) => s.status === 'ACTIVE').map(({ code, region }) => ({ code, region })),
      travel,
    };
  }

  /**
   * Minutes from postcode districts to sites (issue 14 §4), nearest first: for one district (what the
   * stay-within-reach rule judges a patient by), one site, or both.
   */
  districtTravelTimes(filter: { district?: string | null; siteCode?: string | null }): Promise<{ district: string; siteCode: string; minutes: number }[]> {
    return this.dataSource.query(
      `SELECT district, site_code AS "siteCode", minutes FROM district_travel_times
        WHERE ($1::text IS NULL OR district = $1) AND ($2::text IS NULL OR site_code = $2)
        ORDER BY district, minutes, site_code LIMIT 5000`,
      [filter.district ? postcodeDistrict('district', filter.district) : null, filter.siteCode ? normaliseOdsCode('siteCode', filter.siteCode) : null],
    );
  }

  /** Minutes from one district to each site a time is recorded for: the stay the rule judges (clinical-rules.ts staysWithinReach). */
  async minutesFromDistrict(district: string): Promise<ReadonlyMap<string, number>> {
    return (await this.minutesFromDistricts([district])).get(district) ?? new Map();
  }

  /** The same for several districts in one read, by district. */
  async minutesFromDistricts(districts: readonly string[]): Promise<ReadonlyMap<string, ReadonlyMap<string, number>>> {
    const rows: { district: string; site_code: string; minutes: number }[] =
      districts.length === 0 ? [] : await this.dataSource.query('SELECT district, site_code, minutes FROM district_travel_times WHERE district = ANY($1)', [[...new Set(districts)]]);
    const byDistrict = new Map<string, Map<string, number>>();
    for (const r of rows) byDistrict.set(r.district, (byDistrict.get(r.district) ?? new Map()).set(r.site_code, r.minutes));
    return byDistrict;
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


/** SLOT_FILTER's conditions without the days, for slots laid out in memory (reads as of an instant). */
export function slotMatches(filter: ResolvedCapacityFilter, slot: { siteCode: string; unitId: string | null; resource: string }): boolean {
  return (
    (!filter.siteCodes || filter.siteCodes.includes(slot.siteCode)) &&
    (!filter.unitIds || (slot.unitId !== null && filter.unitIds.includes(slot.unitId))) &&
    (!filter.resources || filter.resources.includes(slot.resource)) &&
    (!filter.productSites || slot.unitId === null || (filter.productUnits ?? []).includes(slot.unitId) || filter.productSites.includes(slot.siteCode))
  );
}
