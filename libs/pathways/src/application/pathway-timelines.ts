import { Injectable } from '@nestjs/common';
import { preparedQuery } from '@bedside/database';
import { DataSource } from 'typeorm';
import { LAYOUT_PROJECTION, resourceOwner, SlotLayoutCache, slotKey, unitOfKey } from '@bedside/capacity';
import { appliedKeySql } from '@bedside/read-model';
import { NETWORK_TIME_ZONE, addDays, instantAt, mayActFor, PATIENT_LEVEL_READERS, requireRole, ForbiddenError, type Caller, type LocalDate } from '@bedside/shared';
import { siteOn, type DeploymentData } from '@bedside/network';
import { NOT_STARTED, type Progress, type SlotRef } from '../domain';
import { pathwayRowFromJson, pathwayRowJson, type PathwayRow } from './pathway-reads';
import { timelineOf, type BookedSlot, type TimelineStep } from '../domain/timeline';

interface TimelineRow {
  coi: string;
  referring_trust: string;
  progress: Partial<Progress> | null;
  /** The slots of the pathway's current hold or booking (none without a plan). */
  slots: SlotRef[] | null;
}

// Two statement texts only, each prepared once per connection: a list's plans, and one pathway's
// whole row (as one JSON value) with its plan.
// Each with where the capacity layout stands ($2), so the slots are placed from SlotLayoutCache's memory.
const LIST_SQL = `SELECT p.coi, p.referring_trust, p.progress, h.slots, ${appliedKeySql('$2')} AS layout_key FROM pathways p LEFT JOIN holds h ON h.hold_id = p.hold_id WHERE p.coi = ANY($1)`;
const PATHWAY_SQL = `SELECT ${pathwayRowJson('p')} AS pathway, h.slots, ${appliedKeySql('$2')} AS layout_key FROM pathways p LEFT JOIN holds h ON h.hold_id = p.hold_id WHERE p.coi = $1`;

/**
 * Timelines of many pathways in one read: each pathway's plan in place (the slots of its current
 * hold or booking, placed by the capacity layout) with its recorded progress.
 */
@Injectable()
export class PathwayTimelines {
  constructor(
    private readonly dataSource: DataSource,
    private readonly layout: SlotLayoutCache,
  ) {}

  /**
   * One answer per COI asked for, in order (repeats allowed): its steps, [] when no plan is in place,
   * an Error for a pathway the caller may not read. Resolvers reach pathways only through reads that
   * have checked the caller already; the rule is checked again here so it holds for any caller.
   */
  async forPathways(cois: readonly string[], caller: Caller): Promise<(TimelineStep[] | Error)[]> {
    requireRole(caller.role, PATIENT_LEVEL_READERS, 'see pathway timelines');
    const rows = await preparedQuery<TimelineRow & { layout_key: string | null }>(this.dataSource, 'pathway-timelines-list-v3', LIST_SQL, [[...new Set(cois)], [LAYOUT_PROJECTION]]);
    const placed = await this.placed(rows[0]?.layout_key ?? null, rows.flatMap((row) => row.slots ?? []));
    const byCoi = new Map(rows.map((row) => [row.coi, row]));
    return cois.map((coi) => {
      const row = byCoi.get(coi);
      return row ? this.stepsOf(row, placed, caller) : [];
    });
  }

  /**
   * One pathway's row and its timeline in one statement, for a `pathway` query that asks for both
   * (the row's own read would otherwise be a second round trip).
   */
  async pathwayWithTimeline(coi: string, caller: Caller): Promise<{ row: PathwayRow; steps: TimelineStep[] | Error } | undefined> {
    requireRole(caller.role, PATIENT_LEVEL_READERS, 'see pathway timelines');
    const [found] = await preparedQuery<{ pathway: Parameters<typeof pathwayRowFromJson>[0]; slots: TimelineRow['slots']; layout_key: string | null }>(
      this.dataSource,
      'pathway-timelines-pathway-v3',
      PATHWAY_SQL,
      [coi, [LAYOUT_PROJECTION]],
    );
    if (!found) return undefined;
    const row = pathwayRowFromJson(found.pathway);
    const placed = mayActFor(caller, row.referring_trust) ? await this.placed(found.layout_key, found.slots ?? []) : new Map<string, BookedSlot>();
    return { row, steps: this.stepsOf({ coi: row.coi, referring_trust: row.referring_trust, progress: row.progress, slots: found.slots }, placed, caller) };
  }

  /**
   * The slots placed by live capacity: where and when each is. A slot whose layout is gone (a calendar
   * shortened since) still shows, at its site (a unit's: where the unit is), over its whole day in UK time.
   */
  private async placed(layoutKey: string | null, slots: readonly SlotRef[]): Promise<Map<string, BookedSlot>> {
    if (slots.length === 0) return new Map();
    const laidOut = await this.layout.placedAt(layoutKey, slots);
    const gone = slots.filter((slot) => !laidOut.has(slotKey(slot)));
    const goneUnits = [...new Set(gone.flatMap((slot) => unitOfKey(slot.resourceKey) ?? []))];
    // Where each unit was on the slot's day: its deployments say (siteOn).
    const units = new Map<string, { home_site_code: string; deployments: DeploymentData[] }>(
      goneUnits.length === 0
        ? []
        : ((await this.dataSource.query('SELECT unit_id, home_site_code, deployments FROM modular_units WHERE unit_id = ANY($1)', [goneUnits])) as { unit_id: string; home_site_code: string; deployments: DeploymentData[] }[]).map(
            (u) => [u.unit_id, u],
          ),
    );
    const unitSiteOn = (unitId: string, day: LocalDate) => {
      const unit = units.get(unitId);
      return unit ? siteOn(unit.home_site_code, unit.deployments, day) : '';
    };
    const placed = new Map<string, BookedSlot>();
    for (const slot of slots) {
      const found = laidOut.get(slotKey(slot));
      const owner = resourceOwner(slot.resourceKey);
      placed.set(
        slotKey(slot),
        found
          ? { resourceKey: slot.resourceKey, day: slot.day, session: slot.session, siteCode: found.siteCode, startsAt: found.startsAt, endsAt: found.endsAt }
          : {
              resourceKey: slot.resourceKey,
              day: slot.day,
              session: slot.session,
              siteCode: owner.kind === 'site' ? owner.siteCode : unitSiteOn(owner.unitId, slot.day),
              startsAt: instantAt(slot.day, '00:00', NETWORK_TIME_ZONE),
              endsAt: instantAt(addDays(slot.day, 1), '00:00', NETWORK_TIME_ZONE),
            },
      );
    }
    return placed;
  }

  private stepsOf(row: TimelineRow, placed: ReadonlyMap<string, BookedSlot>, caller: Caller): TimelineStep[] | Error {
    if (!mayActFor(caller, row.referring_trust)) return new ForbiddenError('You may see timelines only of your own trusts’ pathways.', { trusts: caller.trusts ?? [] });
    const slots = (row.slots ?? []).map((slot) => placed.get(slotKey(slot))!);
    return timelineOf(slots, { ...NOT_STARTED, ...row.progress });
  }
}
