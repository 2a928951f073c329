import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CommandContext } from '@bedside/event-store';
import { ForbiddenError, isTrustBound, NotFoundError, requireTrust, type Caller } from '@bedside/shared';
import { normaliseCoi } from '../domain';

/** The caller acts for the pathway's trust: checked, and named as the trust acted for in the record. */
export function actingForTrust(context: CommandContext, trust: string, what: string): CommandContext {
  requireTrust(context, trust, what);
  return { ...context, onBehalfOf: trust };
}

/**
 * Trust scoping of everything patient-level (issue 5 §2): a scheduler reads and changes only their
 * own trusts' pathways. Roles are checked where each operation is declared; this is the finer rule.
 */
@Injectable()
export class PathwayAccess {
  constructor(private readonly dataSource: DataSource) {}

  /** The pathway's referring trust, once the caller may act on it; NOT_FOUND when there is none. */
  async trustOf(rawCoi: string, caller: Caller, what: string): Promise<string> {
    const coi = normaliseCoi(rawCoi);
    const [row] = await this.dataSource.query('SELECT referring_trust FROM pathways WHERE coi = $1', [coi]);
    if (!row) throw new NotFoundError('pathway', coi, 'Refer the patient first (referPatient), or check the Chain of Identity.');
    requireTrust(caller, row.referring_trust, what);
    return row.referring_trust as string;
  }

  /** The context of a command on a pathway: its trust checked, and recorded as the trust acted for. */
  async actingOn(rawCoi: string, context: CommandContext, what: string): Promise<CommandContext> {
    return actingForTrust(context, await this.trustOf(rawCoi, context, what), what);
  }

  /** Same for a hold, through the pathway it is for. */
  async trustOfHold(holdId: string, caller: Caller, what: string): Promise<string> {
    const [row] = await this.dataSource.query('SELECT p.referring_trust FROM holds h JOIN pathways p USING (coi) WHERE h.hold_id = $1', [holdId]);
    if (!row) throw new NotFoundError('hold', holdId, 'Check the hold id from holdPlan.');
    requireTrust(caller, row.referring_trust, what);
    return row.referring_trust as string;
  }

  /**
   * Who may read a stream's audit trail. Network streams (sites, units, DMMFs, calendars): everyone.
   * Patient streams: never dashboards; a scheduler only their own trusts' pathways and holds. Slot
   * streams and the COI register name other trusts' patients, so they are for network-wide roles. A
   * pathway's at-risk flags (`at-risk-<coi>`, issue 12 §5) are read as the pathway is.
   */
  async requireStreamReadable(streamId: string, caller: Caller): Promise<void> {
    const kind = /^(pathway|hold|slot|coi-register|at-risk)-(.+)$/.exec(streamId);
    if (!kind) return;
    if (caller.role === 'dashboard') throw new ForbiddenError('Dashboards see aggregates only, not patient records: use kpis.', { streamId });
    if (!isTrustBound(caller)) return;
    if (kind[1] === 'pathway' || kind[1] === 'at-risk') await this.trustOf(kind[2]!, caller, 'read the audit trail');
    else if (kind[1] === 'hold') await this.trustOfHold(kind[2]!, caller, 'read the audit trail');
    else throw new ForbiddenError('Slot and register streams name other trusts’ patients: read your pathway’s own trail ("pathway-<coi>") or ask Control Site QA.', { streamId });
  }
}
