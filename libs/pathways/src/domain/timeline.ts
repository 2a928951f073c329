import type { Progress } from './lifecycle';
import type { SlotRef } from './slot';

/**
 * A pathway's vein-to-vein timeline as its scheduler follows it: the steps of the plan in place (the
 * capacity its hold or booking occupies), each planned, under way or done according to the lifecycle
 * steps recorded so far. Transport and QC release occupy no capacity, so a booking does not record
 * them and they are not steps here (the pathway's productState says where the material is).
 */
/** In pathway order. */
export const TIMELINE_STEP_KINDS = ['APHERESIS', 'MANUFACTURE', 'CONDITIONING', 'INFUSION', 'MONITORING', 'ICU'] as const;
export type TimelineStepKind = (typeof TIMELINE_STEP_KINDS)[number];

export const TIMELINE_STEP_STATUSES = ['PLANNED', 'IN_PROGRESS', 'DONE', 'FAILED', 'CANCELLED'] as const;
export type TimelineStepStatus = (typeof TIMELINE_STEP_STATUSES)[number];

/** A slot of the plan in place, where and when it is (from the capacity layout). */
export interface BookedSlot extends SlotRef {
  readonly siteCode: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
}

export interface TimelineStep {
  readonly kind: TimelineStepKind;
  readonly status: TimelineStepStatus;
  readonly siteCode: string;
  /** The modular unit, for MANUFACTURE. */
  readonly unitId: string | null;
  readonly start: Date;
  readonly end: Date;
  /** When the step was recorded as done, where the record keeps that instant (collection, manufacture, infusion). */
  readonly doneAt: string | null;
  readonly slots: readonly SlotRef[];
}

const SITE_RESOURCE_STEPS: Readonly<Record<string, TimelineStepKind>> = {
  APHERESIS_CHAIR: 'APHERESIS',
  CONDITIONING_CHAIR: 'CONDITIONING',
  INFUSION_BED: 'INFUSION',
  MONITORING_BED: 'MONITORING',
  ICU_BED: 'ICU',
};

/** "unit:<id>" is a unit's batch slot (manufacture); "site:<code>:<RESOURCE>" a chair or bed. */
function stepOf(resourceKey: string): { kind: TimelineStepKind; unitId: string | null } | undefined {
  if (resourceKey.startsWith('unit:')) return { kind: 'MANUFACTURE', unitId: resourceKey.slice('unit:'.length) };
  const kind = SITE_RESOURCE_STEPS[resourceKey.split(':')[2] ?? ''];
  return kind && { kind, unitId: null };
}

const PRODUCT_MADE = new Set(['MANUFACTURED', 'RELEASED']);
const PATIENT_INFUSED = new Set(['INFUSED', 'DISCHARGED']);

function statusOf(kind: TimelineStepKind, days: number, p: Progress): { status: TimelineStepStatus; doneAt: string | null } {
  const done = (doneAt: string | null = null) => ({ status: 'DONE' as const, doneAt });
  const is = (status: TimelineStepStatus) => ({ status, doneAt: null });
  switch (kind) {
    case 'APHERESIS':
      if (p.product !== 'NOT_COLLECTED') return done(p.collectedAt);
      break;
    case 'MANUFACTURE':
      if (p.manufacturedAt !== null || PRODUCT_MADE.has(p.product)) return done(p.manufacturedAt);
      if (p.product === 'IN_MANUFACTURE') return is('IN_PROGRESS');
      // A batch that started and failed; a QC failure comes after manufacture, which is then done.
      if (p.product === 'FAILED' && p.manufactureStartedAt !== null) return is('FAILED');
      break;
    case 'CONDITIONING':
      if (PATIENT_INFUSED.has(p.patient)) return done();
      if (p.patient === 'CONDITIONING') return p.dosesGiven.length >= days ? done() : is('IN_PROGRESS');
      break;
    case 'INFUSION':
      if (p.infusedAt !== null || PATIENT_INFUSED.has(p.patient)) return done(p.infusedAt);
      break;
    case 'MONITORING':
    case 'ICU':
      if (p.patient === 'DISCHARGED') return done();
      if (p.patient === 'INFUSED') return is('IN_PROGRESS');
      break;
  }
  return is(p.patient === 'WITHDRAWN' ? 'CANCELLED' : 'PLANNED');
}

/**
 * The steps of a plan in place, in pathway order: one per step kind and resource, spanning its slots.
 * Not by start: a unit's batch slots are whole days, so manufacture "starts" at midnight of the
 * collection day, before the apheresis session that feeds it.
 */
export function timelineOf(slots: readonly BookedSlot[], progress: Progress): TimelineStep[] {
  const groups = new Map<string, { kind: TimelineStepKind; unitId: string | null; slots: BookedSlot[] }>();
  for (const slot of [...slots].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime())) {
    const step = stepOf(slot.resourceKey);
    if (!step) continue; // a resource this timeline does not know yet: shown by no step rather than guessed
    const group = groups.get(slot.resourceKey) ?? { ...step, slots: [] };
    group.slots.push(slot);
    groups.set(slot.resourceKey, group);
  }
  return [...groups.values()]
    .map(({ kind, unitId, slots: own }) => {
      const days = new Set(own.map((s) => s.day)).size;
      return {
        kind,
        ...statusOf(kind, days, progress),
        siteCode: own[0]!.siteCode,
        unitId,
        start: own[0]!.startsAt,
        end: new Date(Math.max(...own.map((s) => s.endsAt.getTime()))),
        slots: own.map(({ resourceKey, day, session }) => ({ resourceKey, day, session })),
      };
    })
    .sort((a, b) => TIMELINE_STEP_KINDS.indexOf(a.kind) - TIMELINE_STEP_KINDS.indexOf(b.kind) || a.start.getTime() - b.start.getTime());
}
