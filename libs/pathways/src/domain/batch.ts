import { ConflictError, eventClass, optionalReason, ValidationError } from '@bedside/shared';
import type { Progress } from './lifecycle';

/**
 * Batches (issue 14 §1; docs/domain.md "Rules that come from regulation": safety reporting by site and
 * batch, traceability of product, batch and patient for 30 years). Manufacture starts a batch with its
 * own identifier; QC, release, failure and infusion name it, so a recall or a safety report can start
 * from a unit and a date range and reach every patient.
 */

/** A batch's own stream: its start, written once (a second batch with the same id is refused). */
export const batchStreamId = (batchId: string) => `batch-${batchId}`;

/** Issued batch numbers of one unit in one year: the register's version is the sequence, as for the Chain of Identity. */
export const batchRegisterStreamId = (unitId: string, year: number) => `batch-register-${unitId}-${year}`;

/** `<unit>-<year>-<sequence>`, e.g. MU-RBV01-COC1-2027-0001: unique across the network, since unit ids are. */
export const issueBatchId = (unitId: string, year: number, sequence: number) => `${unitId}-${year}-${String(sequence).padStart(4, '0')}`;

export class BatchNumberIssued extends eventClass<'BatchNumberIssued', { readonly batchId: string; readonly sequence: number }>('BatchNumberIssued') {}

/** What a lookback filters on, fixed when manufacture starts. */
export class BatchStarted extends eventClass<
  'BatchStarted',
  {
    readonly batchId: string;
    readonly coi: string;
    readonly productCode: string;
    readonly referringTrust: string;
    readonly unitId: string;
    readonly siteCode: string;
    /** When manufacture started (the step's occurredAt). */
    readonly at: string;
    /** Issued by Bedside, or given by the site's own system. */
    readonly issued: boolean;
  }
>('BatchStarted') {}

export type BatchEvent = BatchStarted | BatchNumberIssued;

/** A batch id the site's system assigned: letters, digits and dashes, as printed on the label. */
export function givenBatchId(raw: string): string {
  const batchId = raw.trim().toUpperCase();
  if (!/^[A-Z0-9][A-Z0-9-]{2,47}$/.test(batchId)) {
    throw new ValidationError('batchId', 'A batch id is 3 to 48 letters, digits and dashes, as on the label (e.g. "RBV-CAR19-27-0412"); leave it out for Bedside to issue one.');
  }
  return batchId;
}

export const ADVERSE_EVENT_SERIOUSNESS = ['SERIOUS', 'NON_SERIOUS'] as const;
export type AdverseEventSeriousness = (typeof ADVERSE_EVENT_SERIOUSNESS)[number];

/**
 * An adverse event reported for a patient, against the batch they received (or the batch under way):
 * the starting point of a safety report by site and batch (UK Blood Safety and Quality Regulations and
 * the MHRA Yellow Card scheme take the report itself; Bedside keeps the link to the batch).
 */
export class AdverseEventReported extends eventClass<
  'AdverseEventReported',
  {
    readonly coi: string;
    readonly batchId: string | null;
    /** When it happened (onset), not when it was typed. */
    readonly occurredAt: string;
    readonly seriousness: AdverseEventSeriousness;
    readonly description: string;
  }
>('AdverseEventReported') {}

export interface AdverseEventReport {
  readonly occurredAt: Date;
  readonly seriousness: AdverseEventSeriousness;
  readonly description: string;
}

/** The batch a report is against: the one infused, else the one made or under way for the patient. */
export function reportAdverseEvent(coi: string, p: Progress, input: AdverseEventReport, now: Date): AdverseEventReported[] {
  if (Number.isNaN(input.occurredAt.getTime())) throw new ValidationError('occurredAt', 'Give when it began as an ISO instant, e.g. 2027-03-01T13:00:00Z.');
  if (input.occurredAt.getTime() > now.getTime()) throw new ValidationError('occurredAt', `${input.occurredAt.toISOString()} is after now (${now.toISOString()}): report an event once it has begun.`);
  const description = optionalReason(input.description);
  if (!description) throw new ValidationError('description', 'Describe the adverse event (e.g. "Grade 2 cytokine release syndrome, tocilizumab given").');
  if (p.patient === 'WAITING' && p.product === 'NOT_COLLECTED') {
    throw new ConflictError(`Pathway ${coi} has no collection, conditioning or product yet: report the event under the treatment it followed.`, { coi });
  }
  return [new AdverseEventReported({ coi, batchId: p.infusedBatchId ?? p.batchId ?? null, occurredAt: input.occurredAt.toISOString(), seriousness: input.seriousness, description })];
}
