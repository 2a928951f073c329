import { NETWORK_TIME_ZONE, localDateOf, type LocalDate } from '@bedside/shared';
import { reconditioningFrom } from './clinical-rules';
import type { HandoverKind, LifecycleProcess, Progress, ProductState } from './lifecycle';
import type { LifecycleStep } from './lifecycle-steps';

export type StepKind = LifecycleStep['step'];
export const STEP_KINDS = [
  'COLLECTION',
  'HANDOVER',
  'MANUFACTURE_STARTED',
  'MANUFACTURE_COMPLETED',
  'MANUFACTURE_FAILED',
  'PRODUCT_RELEASED',
  'QC_FAILED',
  'AVAILABILITY_CONFIRMED',
  'CONDITIONING_STARTED',
  'CONDITIONING_DOSE',
  'THAWED',
  'INFUSED',
  'DISCHARGED',
  'WITHDRAWN',
] as const satisfies readonly StepKind[];
/** Every kind of step is named above (a kind added to LifecycleStep and not here fails to compile). */
const everyKind: Exclude<StepKind, (typeof STEP_KINDS)[number]> extends never ? true : never = true;
void everyKind;

/** A step the order of the lifecycle lets a scheduler record now, with what that order fixes about it. */
export interface OpenStep {
  readonly step: StepKind;
  /** The step the pathway waits for: the first open one in the vein-to-vein order. */
  readonly due: boolean;
  /** HANDOVER: which end of the chain of custody is open. */
  readonly handover?: HandoverKind;
  /** CONDITIONING_DOSE: the regimen's day the dose due has (e.g. -5). */
  readonly conditioningDay?: number;
  /** CONDITIONING_STARTED after a course lapsed: the course it starts (2 and on). */
  readonly course?: number;
}

/** The part of the pinned process the order of the steps depends on. */
export type StepOrderProcess = Pick<LifecycleProcess, 'conditioningGate' | 'conditioningDays' | 'thawedShelfLifeMinutes' | 'reconditionAfterDays'>;

/**
 * The steps the lifecycle's order lets be recorded on a pathway where it stands, the due one first
 * (issue 15 §3: the console offers these and no other). The order is the one lifecycle.ts's decide
 * functions enforce (StepOutOfOrderError); steps-open.spec proves the two agree from every state a
 * pathway can reach. Rules that depend on when and where a step happens (the washout, the fresh hold,
 * the infusion window, the booked unit, reach, ICU cover) are judged as the step is recorded, in the
 * API's words: an open step may still be refused for them.
 *
 * `booked`: the plan is booked (collection needs it). `today`: the network's day, for a second
 * conditioning course, which opens only once the first has lapsed (reconditioningFrom).
 */
export function stepsOpen(progress: Progress, process: StepOrderProcess, booked: boolean, today: LocalDate): OpenStep[] {
  const p = progress;
  if (p.patient === 'WITHDRAWN' || p.patient === 'DISCHARGED') return [];
  const open: Omit<OpenStep, 'due'>[] = [];
  const product = (...states: ProductState[]) => states.includes(p.product);
  const allDosesGiven = p.patient === 'CONDITIONING' && p.dosesGiven.length >= process.conditioningDays.length;
  const frozen = process.thawedShelfLifeMinutes !== null && process.thawedShelfLifeMinutes !== undefined;
  const releaseFirst = process.conditioningGate === 'RELEASE_BEFORE_CONDITIONING';

  const collection = () => product('NOT_COLLECTED') && booked && open.push({ step: 'COLLECTION' });
  const handovers = () => {
    if (product('COLLECTED')) open.push({ step: 'HANDOVER', handover: 'SHIPPED' });
    if (product('COLLECTED', 'IN_TRANSIT')) open.push({ step: 'HANDOVER', handover: 'RECEIVED' });
  };
  const manufactureStart = () => product('RECEIVED') && open.push({ step: 'MANUFACTURE_STARTED' });
  const manufactureEnd = () => product('IN_MANUFACTURE') && open.push({ step: 'MANUFACTURE_COMPLETED' });
  const release = () => product('MANUFACTURED') && open.push({ step: 'PRODUCT_RELEASED' });
  const availability = () => !p.availabilityConfirmed && product(...(releaseFirst ? (['RELEASED'] as const) : (['IN_MANUFACTURE', 'MANUFACTURED', 'RELEASED'] as const))) && open.push({ step: 'AVAILABILITY_CONFIRMED' });
  const conditioning = () => {
    if (!p.availabilityConfirmed || product('FAILED')) return;
    if (p.patient === 'WAITING') open.push({ step: 'CONDITIONING_STARTED' });
    else if (p.patient === 'CONDITIONING') {
      const lastDoseAt = p.doseTimes?.at(-1);
      const from = lastDoseAt === undefined ? null : reconditioningFrom(process, localDateOf(new Date(lastDoseAt), NETWORK_TIME_ZONE));
      if (from !== null && today >= from) open.push({ step: 'CONDITIONING_STARTED', course: (p.conditioningCourse ?? 1) + 1 });
    }
  };
  const dose = () => {
    const due = p.patient === 'CONDITIONING' ? process.conditioningDays[p.dosesGiven.length] : undefined;
    if (due !== undefined) open.push({ step: 'CONDITIONING_DOSE', conditioningDay: due });
  };
  const thaw = () => frozen && allDosesGiven && product('RELEASED') && !p.thawedAt && open.push({ step: 'THAWED' });
  const infusion = () => allDosesGiven && product(...(releaseFirst ? (['RELEASED'] as const) : (['MANUFACTURED', 'RELEASED'] as const))) && (!frozen || !!p.thawedAt) && open.push({ step: 'INFUSED' });
  const discharge = () => p.patient === 'INFUSED' && open.push({ step: 'DISCHARGED' });

  // The vein-to-vein order (docs/domain.md steps 2-9): with the release gate the product is released
  // before conditioning; with conditioning during manufacture the patient is conditioned while it is
  // made, and the release is due once the batch is made, as the plan has it (plan-search.ts), though the
  // fresh product may be infused first, as some release results arrive after infusion (domain.md step 7).
  const order = releaseFirst
    ? [collection, handovers, manufactureStart, manufactureEnd, release, availability, conditioning, dose, thaw, infusion, discharge]
    : [collection, handovers, manufactureStart, availability, conditioning, dose, manufactureEnd, release, thaw, infusion, discharge];
  for (const add of order) add();
  // Corrective steps are open where they can happen, and never the one due.
  if (product('IN_MANUFACTURE')) open.push({ step: 'MANUFACTURE_FAILED' });
  if (product('MANUFACTURED')) open.push({ step: 'QC_FAILED' });
  const dueFound = open.length > 0;
  open.push({ step: 'WITHDRAWN' });
  return open.map((step, i) => ({ ...step, due: dueFound && i === 0 }));
}
