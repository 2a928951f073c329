import { performance } from 'node:perf_hooks';
import type { CommandContext, GlobalPosition } from '@bedside/event-store';
import { ConfirmHoldCommand, HoldPlanCommand, normaliseCoi, type HoldChanged, type PlanSearchResult, type VeinToVeinPlan } from '@bedside/pathways';
import { addDays, BedsideError, daysBetween, type LocalDate } from '@bedside/shared';
import { demoHomeDistrict } from '@bedside/network';
// PlanOptions and the referral command are not part of the package's public surface: the resolver uses them in-package.
import { PlanOptions } from '../../libs/pathways/src/application/plan-options';
import { ReferPatientCommand, type PathwayChanged } from '../../libs/pathways/src/application/referral-commands';
import { COMMITMENT_READ_MODELS, PATHWAY_READ_MODELS, type BenchNetwork } from './network';
import type { SchedulingBenchSettings } from './settings';

export const PRODUCTS = ['POC-CAR19', 'CRYO-CAR19'] as const;
export type ProductCode = (typeof PRODUCTS)[number];

export interface ReferralRequest {
  readonly productCode: ProductCode;
  /** First day collection may happen; today or later. */
  readonly earliest: LocalDate;
  readonly treatmentCentre?: string | null;
  /** The patient's postcode district; by default the demo district nearest the preferred centre (or The Christie). */
  readonly homeDistrict?: string;
}

/** What one attempt to book a referred patient came to. */
export type BookingOutcome =
  | { readonly kind: 'booked'; readonly plan: VeinToVeinPlan; readonly holdConfirmMs: number; readonly attempts: number; readonly position: GlobalPosition }
  | { readonly kind: 'no-plan'; readonly reason: string; readonly attempts: number }
  | { readonly kind: 'gave-up'; readonly attempts: number };

/** Counters and latencies one or many schedulers add to as they book. */
export class BookingStats {
  booked = 0;
  noPlan = 0;
  gaveUp = 0;
  slotTaken = 0;
  /** ConflictError after the command's own retries on concurrent appends ran out. */
  conflicts = 0;
  /** Referrals sent again after the COI register stayed busy (CONFLICT naming the register; see isRegisterBusy). */
  registerBusy = 0;
  /** The referral command alone. */
  readonly referMs: number[] = [];
  /** Each wait for a read model to show a write the next step reads. */
  readonly readModelWaitMs: number[] = [];
  readonly planMs: number[] = [];
  /** Successful hold+confirm pairs: the two commands back to back. */
  readonly holdConfirmMs: number[] = [];
  /** Paced runs: from a booking's scheduled arrival to its confirmation (waiting for a free scheduler included). */
  readonly fromArrivalMs: number[] = [];
  /** Hold attempts refused with SLOT_TAKEN or CONFLICT: how fast a loser learns it lost. */
  readonly refusedHoldMs: number[] = [];
  /** Referral to confirmed booking, re-plans and read-model waits included. */
  readonly bookingMs: number[] = [];
  readonly bayDays: Record<ProductCode, number> = { 'POC-CAR19': 0, 'CRYO-CAR19': 0 };
}

/**
 * Every referral takes the next number on one COI register stream per facility and year; racing
 * referrals retry inside the command, and past its attempts it fails with a plain Error (no code)
 * that tells the client to try again: recognised by its message, as a client would have to.
 */
const isRegisterBusy = (error: unknown) => error instanceof BedsideError && error.code === 'CONFLICT' && 'register' in error.details;
const MAX_REFERRAL_ATTEMPTS = 10;

const isRaceLoss = (error: unknown): error is BedsideError => error instanceof BedsideError && (error.code === 'SLOT_TAKEN' || error.code === 'CONFLICT');

/**
 * One scheduler at a trust, driving the same commands and plan search the GraphQL resolvers call,
 * without HTTP: refer, search, hold the best plan, confirm; on a lost race, search again.
 */
export class Scheduler {
  private readonly planOptions: PlanOptions;
  private readonly acting: CommandContext;
  private sequence = 0;
  private commandsSent = 0;
  /** This scheduler's last booking: its next search must see it (read-your-writes). */
  private lastBooking?: GlobalPosition;

  constructor(
    private readonly network: BenchNetwork,
    private readonly name: string,
    private readonly stats: BookingStats,
    private readonly options: { readonly horizonDays: number; readonly maxAttempts: number },
  ) {
    this.planOptions = network.app.get(PlanOptions);
    this.acting = { actor: `${name}@rbv`, role: 'scheduler', trusts: ['RBV'], onBehalfOf: 'RBV', correlationId: name };
  }

  /**
   * Refers a patient; by default resolves once `pathways` shows the referral, since PlanOptions reads
   * it from there (holding a plan reads the pathway's own stream and needs no wait).
   */
  async refer(request: ReferralRequest, waitForReadModel = true): Promise<string> {
    const offset = daysBetween(this.network.today, request.earliest);
    // Earliest collection = last dose + washout days: a dose today and an N-day washout puts it N days out.
    const washout = offset <= 0 ? { drugClass: 'NONE' } : { drugClass: 'IMMUNOTHERAPY', lastDoseDate: this.network.today, days: offset };
    const input = { patientRef: `${this.name}-${++this.sequence}`, homeDistrict: request.homeDistrict ?? demoHomeDistrict(request.treatmentCentre ?? undefined), referringTrust: 'RBV', priority: 'ROUTINE', productCode: request.productCode, treatmentCentre: request.treatmentCentre ?? null, washout };
    const before = performance.now();
    let referred: PathwayChanged | undefined;
    for (let attempt = 1; !referred; attempt++) {
      try {
        referred = await this.network.commands.execute(new ReferPatientCommand(input, this.contextFor()));
      } catch (error) {
        if (!isRegisterBusy(error) || attempt >= MAX_REFERRAL_ATTEMPTS) throw error;
        this.stats.registerBusy++;
      }
    }
    const { coi, position } = referred;
    this.stats.referMs.push(performance.now() - before);
    if (waitForReadModel && position) await this.waitFor(PATHWAY_READ_MODELS, position);
    return coi;
  }

  async plans(coi: string): Promise<PlanSearchResult> {
    if (this.lastBooking) await this.waitFor(COMMITMENT_READ_MODELS, this.lastBooking);
    const before = performance.now();
    const result = await this.planOptions.forPathway(coi, { count: 3, horizonDays: this.options.horizonDays });
    this.stats.planMs.push(performance.now() - before);
    return result;
  }

  private async waitFor(names: readonly string[], position?: GlobalPosition): Promise<void> {
    const before = performance.now();
    await this.network.caughtUp(names, position);
    this.stats.readModelWaitMs.push(performance.now() - before);
  }

  /** Refer, then search, hold the best plan and confirm it, searching again after each lost race. */
  async referAndBook(request: ReferralRequest): Promise<BookingOutcome> {
    const started = performance.now();
    const coi = await this.refer(request);
    const outcome = await this.book(coi, request.productCode);
    if (outcome.kind === 'booked') this.stats.bookingMs.push(performance.now() - started);
    return outcome;
  }

  async book(coi: string, productCode: ProductCode): Promise<BookingOutcome> {
    for (let attempt = 1; attempt <= this.options.maxAttempts; attempt++) {
      const { plans, reasonNone } = await this.plans(coi);
      const plan = plans[0];
      if (!plan) {
        this.stats.noPlan++;
        return { kind: 'no-plan', reason: reasonNone ?? 'no plan', attempts: attempt };
      }
      const booked = await this.tryToBook(coi, productCode, plan, attempt);
      if (booked) return { kind: 'booked', plan, attempts: attempt, ...booked };
      // Search again only once the read model shows what beat us; else the same plan comes back.
      await this.waitFor(COMMITMENT_READ_MODELS);
    }
    this.stats.gaveUp++;
    return { kind: 'gave-up', attempts: this.options.maxAttempts };
  }

  /** Holds the plan and confirms it, back to back; undefined when another scheduler got a slot first. */
  async tryToBook(coi: string, productCode: ProductCode, plan: VeinToVeinPlan, attempt: number): Promise<{ holdConfirmMs: number; position: GlobalPosition } | undefined> {
    const key = `${coi}-plan-${attempt}`;
    const before = performance.now();
    let held: HoldChanged;
    try {
      held = await this.network.commands.execute(new HoldPlanCommand({ coi: normaliseCoi(coi), slots: plan.slots, idempotencyKey: key }, this.contextFor()));
    } catch (error) {
      if (!isRaceLoss(error)) throw error;
      this.stats.refusedHoldMs.push(performance.now() - before);
      this.count(error);
      return undefined;
    }
    const position = await this.confirm(held, `${key}-confirm`);
    const holdConfirmMs = performance.now() - before;
    this.stats.holdConfirmMs.push(holdConfirmMs);
    this.stats.booked++;
    this.stats.bayDays[productCode] += plan.slots.filter((s) => s.resourceKey.startsWith('unit:')).length;
    this.lastBooking = position;
    return { holdConfirmMs, position };
  }

  /**
   * The hold is ours: confirming can only lose to appends racing on the same slot streams, after the
   * command's own retries (CONFLICT). A client retries with the same key, which books nothing twice.
   */
  private async confirm(held: HoldChanged, key: string): Promise<GlobalPosition> {
    for (let attempt = 1; ; attempt++) {
      try {
        const confirmed: HoldChanged = await this.network.commands.execute(new ConfirmHoldCommand(held.holdId, key, this.contextFor()));
        const position = confirmed.position ?? held.position;
        if (!position) throw new Error(`confirming hold ${held.holdId} recorded nothing`);
        return position;
      } catch (error) {
        if (!(error instanceof BedsideError && error.code === 'CONFLICT') || attempt >= this.options.maxAttempts) throw error;
        this.count(error);
      }
    }
  }

  private count(error: BedsideError): void {
    if (error.code === 'SLOT_TAKEN') this.stats.slotTaken++;
    else this.stats.conflicts++;
  }

  private contextFor(): CommandContext {
    return { ...this.acting, correlationId: `${this.name}-${++this.commandsSent}` };
  }
}

/** Day `n` after today. */
export const dayAfter = (network: BenchNetwork, n: number): LocalDate => addDays(network.today, n);

/** A scheduler with the run's search horizon that tries again after a lost race as often as the settings allow. */
export const schedulerFor = (network: BenchNetwork, name: string, stats: BookingStats, settings: Pick<SchedulingBenchSettings, 'horizonDays' | 'retries'>) =>
  new Scheduler(network, name, stats, { horizonDays: settings.horizonDays, maxAttempts: settings.retries + 1 });
