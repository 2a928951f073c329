import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { mayActFor, PATIENT_LEVEL_READERS, requireRole, ForbiddenError, type Caller } from '@bedside/shared';
import { NOT_STARTED, type Progress } from '../domain';
import { timelineOf, type BookedSlot, type TimelineStep } from '../domain/timeline';

interface TimelineSlotRow {
  coi: string;
  referring_trust: string;
  progress: Partial<Progress> | null;
  resource_key: string | null;
  day: string | null;
  session: string | null;
  site_code: string | null;
  starts_at: Date | null;
  ends_at: Date | null;
}

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
    // A slot whose layout row is gone (a calendar shortened since) still shows, on its day in UK time.
    const rows: TimelineSlotRow[] = await this.dataSource.query(
      `SELECT p.coi, p.referring_trust, p.progress, hs."resourceKey" AS resource_key, to_char(hs.day, 'YYYY-MM-DD') AS day, hs.session,
              coalesce(s.site_code, u.current_site_code, CASE WHEN hs."resourceKey" LIKE 'site:%' THEN split_part(hs."resourceKey", ':', 2) END, '') AS site_code,
              coalesce(s.starts_at, hs.day::timestamp AT TIME ZONE 'Europe/London') AS starts_at,
              coalesce(s.ends_at, (hs.day + 1)::timestamp AT TIME ZONE 'Europe/London') AS ends_at
         FROM pathways p
         LEFT JOIN holds h ON h.hold_id = p.hold_id
         LEFT JOIN LATERAL jsonb_to_recordset(h.slots) AS hs("resourceKey" text, day date, session text) ON true
         LEFT JOIN capacity_slots s ON s.resource_key = hs."resourceKey" AND s.day = hs.day AND s.session = hs.session
         LEFT JOIN modular_units u ON hs."resourceKey" LIKE 'unit:%' AND u.unit_id = substr(hs."resourceKey", 6)
        WHERE p.coi = ANY($1)`,
      [[...new Set(cois)]],
    );
    const byCoi = new Map<string, { trust: string; progress: Progress; slots: BookedSlot[] }>();
    for (const row of rows) {
      const pathway = byCoi.get(row.coi) ?? { trust: row.referring_trust, progress: { ...NOT_STARTED, ...row.progress }, slots: [] };
      if (row.resource_key !== null) {
        pathway.slots.push({ resourceKey: row.resource_key, day: row.day!, session: row.session ?? '', siteCode: row.site_code!, startsAt: row.starts_at!, endsAt: row.ends_at! });
      }
      byCoi.set(row.coi, pathway);
    }
    return cois.map((coi) => {
      const pathway = byCoi.get(coi);
      if (!pathway) return [];
      if (!mayActFor(caller, pathway.trust)) return new ForbiddenError('You may see timelines only of your own trusts’ pathways.', { trusts: caller.trusts ?? [] });
      return timelineOf(pathway.slots, pathway.progress);
    });
  }
}
