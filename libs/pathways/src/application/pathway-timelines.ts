import { Injectable } from '@nestjs/common';
import { preparedQuery } from '@bedside/database';
import { DataSource } from 'typeorm';
import { mayActFor, PATIENT_LEVEL_READERS, requireRole, ForbiddenError, type Caller } from '@bedside/shared';
import { NOT_STARTED, type Progress } from '../domain';
import { pathwayRowFromJson, pathwayRowJson, type PathwayRow } from './pathway-reads';
import { timelineOf, type BookedSlot, type TimelineStep } from '../domain/timeline';

interface TimelineRow {
  coi: string;
  referring_trust: string;
  progress: Partial<Progress> | null;
  /** The plan's slots placed by the capacity layout, as one JSON array (one row per pathway, not per slot). */
  slots: { resourceKey: string; day: string; session: string; siteCode: string; startsAt: string; endsAt: string }[];
}

// A slot whose layout row is gone (a calendar shortened since) still shows, on its day in UK time.
const SLOTS = `coalesce((
    SELECT json_agg(json_build_object(
             'resourceKey', hs."resourceKey", 'day', hs.day, 'session', hs.session,
             'siteCode', coalesce(s.site_code, u.current_site_code, CASE WHEN hs."resourceKey" LIKE 'site:%' THEN split_part(hs."resourceKey", ':', 2) END, ''),
             'startsAt', coalesce(s.starts_at, hs.day::timestamp AT TIME ZONE 'Europe/London'),
             'endsAt', coalesce(s.ends_at, (hs.day::date + 1)::timestamp AT TIME ZONE 'Europe/London')))
      FROM jsonb_to_recordset(h.slots) AS hs("resourceKey" text, day text, session text)
      LEFT JOIN capacity_slots s ON s.resource_key = hs."resourceKey" AND s.day = hs.day::date AND s.session = hs.session
      LEFT JOIN modular_units u ON hs."resourceKey" LIKE 'unit:%' AND u.unit_id = substr(hs."resourceKey", 6)), '[]') AS slots`;

// Two statement texts only, each prepared once per connection: a list's timelines, and one pathway's
// whole row (as one JSON value) with its timeline.
const LIST_SQL = `SELECT p.coi, p.referring_trust, p.progress, ${SLOTS} FROM pathways p LEFT JOIN holds h ON h.hold_id = p.hold_id WHERE p.coi = ANY($1)`;
const PATHWAY_SQL = `SELECT ${pathwayRowJson('p')} AS pathway, ${SLOTS} FROM pathways p LEFT JOIN holds h ON h.hold_id = p.hold_id WHERE p.coi = $1`;

/**
 * Timelines of many pathways in one read: each pathway's plan in place (the slots of its current
 * hold or booking, placed by the capacity layout) with its recorded progress.
 */
@Injectable()
export class PathwayTimelines {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * One answer per COI asked for, in order (repeats allowed): its steps, [] when no plan is in place,
   * an Error for a pathway the caller may not read. Resolvers reach pathways only through reads that
   * have checked the caller already; the rule is checked again here so it holds for any caller.
   */
  async forPathways(cois: readonly string[], caller: Caller): Promise<(TimelineStep[] | Error)[]> {
    requireRole(caller.role, PATIENT_LEVEL_READERS, 'see pathway timelines');
    const rows = await preparedQuery<TimelineRow>(this.dataSource, 'pathway-timelines-list', LIST_SQL, [[...new Set(cois)]]);
    const byCoi = new Map(rows.map((row) => [row.coi, row]));
    return cois.map((coi) => {
      const row = byCoi.get(coi);
      return row ? this.stepsOf(row, caller) : [];
    });
  }

  /**
   * One pathway's row and its timeline in one statement, for a `pathway` query that asks for both
   * (the row's own read would otherwise be a second round trip).
   */
  async pathwayWithTimeline(coi: string, caller: Caller): Promise<{ row: PathwayRow; steps: TimelineStep[] | Error } | undefined> {
    requireRole(caller.role, PATIENT_LEVEL_READERS, 'see pathway timelines');
    const [found] = await preparedQuery<{ pathway: Parameters<typeof pathwayRowFromJson>[0]; slots: TimelineRow['slots'] }>(this.dataSource, 'pathway-timelines-pathway', PATHWAY_SQL, [coi]);
    if (!found) return undefined;
    const row = pathwayRowFromJson(found.pathway);
    return { row, steps: this.stepsOf({ coi: row.coi, referring_trust: row.referring_trust, progress: row.progress, slots: found.slots }, caller) };
  }

  private stepsOf(row: TimelineRow, caller: Caller): TimelineStep[] | Error {
    if (!mayActFor(caller, row.referring_trust)) return new ForbiddenError('You may see timelines only of your own trusts’ pathways.', { trusts: caller.trusts ?? [] });
    const slots: BookedSlot[] = row.slots.map((s) => ({ ...s, startsAt: new Date(s.startsAt), endsAt: new Date(s.endsAt) }));
    return timelineOf(slots, { ...NOT_STARTED, ...row.progress });
  }
}
