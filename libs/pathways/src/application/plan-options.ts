import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ProductProcess, Resource } from '@bedside/network';
import { addDays, NotFoundError, wholeNumber, type LocalDate } from '@bedside/shared';
import { normaliseCoi, searchPlans, type DesignatedUnit, type FreeSlot, type PlanSearchInput, type PlanSearchResult } from '../domain';

/** Treatment centres have every resource a pathway needs there. */
const CENTRE_RESOURCES = ['APHERESIS_CHAIR', 'CONDITIONING_CHAIR', 'INFUSION_BED', 'MONITORING_BED'];

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

/**
 * Gathers what the plan search needs from the read models (the pathway, its pinned DMMF version,
 * live capacity with what is free, travel times) and runs the pure search.
 */
@Injectable()
export class PlanOptions {
  constructor(private readonly dataSource: DataSource) {}

  async forPathway(coi: string, options: { count?: number | null; horizonDays?: number | null }): Promise<PlanSearchResult> {
    return searchPlans(await this.inputForPathway(coi, options));
  }

  async inputForPathway(rawCoi: string, options: { count?: number | null; horizonDays?: number | null }): Promise<PlanSearchInput> {
    const coi = normaliseCoi(rawCoi);
    const horizonDays = wholeNumber('horizonDays', options.horizonDays ?? 120, 7, 365);
    const [pathway] = await this.dataSource.query(
      `SELECT product_code, dmmf_version, treatment_centre, to_char(earliest_collection_date, 'YYYY-MM-DD') AS earliest,
              to_char(clinical_deadline, 'YYYY-MM-DD') AS deadline FROM pathways WHERE coi = $1`,
      [coi],
    );
    if (!pathway) throw new NotFoundError('pathway', coi, 'Refer the patient first (referPatient).');
    const basis = await this.basis(pathway.product_code, pathway.dmmf_version);
    const free = await this.freeSlots(basis, pathway.earliest, addDays(pathway.earliest, horizonDays + basis.process.monitoringInpatientDays));
    return searchInput(basis, free, { earliest: pathway.earliest, deadline: pathway.deadline, preferredCentre: pathway.treatment_centre, horizonDays, count: options.count ?? 3 });
  }

  async basis(productCode: string, version: number): Promise<PlanBasis> {
    const [dmmf] = await this.dataSource.query(
      'SELECT process, designated_site_codes, designated_unit_ids FROM dmmf_versions WHERE product_code = $1 AND version = $2',
      [productCode, version],
    );
    if (!dmmf) throw new NotFoundError('DMMF version', `${productCode} v${version}`);
    // Manufacture only on designated units, or units at designated sites (regs 17A/17B).
    const units: { unit_id: string; current_site_code: string }[] = await this.dataSource.query(
      `SELECT unit_id, current_site_code FROM modular_units
        WHERE kind = 'CELL_THERAPY' AND (unit_id = ANY($1) OR current_site_code = ANY($2))`,
      [dmmf.designated_unit_ids, dmmf.designated_site_codes],
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

  /** Every slot the basis could use in the range, full ones too (a full day still breaks a run of opening days). */
  async freeSlots(basis: PlanBasis, from: LocalDate, to: LocalDate): Promise<FreeSlot[]> {
    const slots: { resource_key: string; site_code: string; unit_id: string | null; resource: Resource; day: string; session: string; starts_at: Date; ends_at: Date; free: number }[] =
      await this.dataSource.query(
        `SELECT s.resource_key, s.site_code, s.unit_id, s.resource, to_char(s.day, 'YYYY-MM-DD') AS day, s.session, s.starts_at, s.ends_at,
                greatest(0, s.capacity - coalesce(c.committed, 0) - coalesce(c.tentative, 0)) AS free
           FROM capacity_slots s LEFT JOIN capacity_commitments c USING (resource_key, day, session)
          WHERE s.day BETWEEN $1 AND $2
            AND ((s.unit_id IS NULL AND s.site_code = ANY($3) AND s.resource = ANY($4)) OR s.unit_id = ANY($5))`,
        [from, to, basis.centres, CENTRE_RESOURCES, basis.units.map((u) => u.unitId)],
      );
    return slots.map((s) => ({
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
}
