import type { ChainOfIdentity } from '../domain';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CapacityReads, resourceOwner, unitOfKey } from '@bedside/capacity';
import { AggregateRepository, ConcurrencyError, EVENT_STORE, retryOnConflict, type AlsoAppend, type CommandContext, type EventStore } from '@bedside/event-store';
import { designatesUnitAt, siteEvolver, siteStreamId, stayOnDay, unitEvolver, unitStreamId, type Designation, type ProductProcess } from '@bedside/network';
import {
  NETWORK_TIME_ZONE,
  CLINICAL,
  CLOCK,
  ConflictError,
  localDateOf,
  requireRole,
  SIGNATURE_POLICY,
  signatureOf,
  type Clock,
  type LocalDate,
  type ElectronicSignature,
  type SignaturePolicy,
} from '@bedside/shared';
import {
  BatchNumberIssued,
  BatchStarted,
  batchRegisterStreamId,
  batchStreamId,
  givenBatchId,
  issueBatchId,
  holdEvolver,
  holdStreamId,
  normaliseCoi,
  pathwayEvolver,
  pathwayStreamId,
  requirePathway,
  type Booking,
  decideStep,
  stepNeeds,
  stepReason,
  type LifecycleContext,
  type LifecycleStep,
  type Pathway,
  type SlotRef,
  type UnitFacts,
  type When,
  type PatientStay,
} from '../domain';
import { PatientStays } from './patient-stays';
import { actingForTrust } from './pathway-access';
import { PATHWAYS_OPTIONS, type PathwaysOptions } from './pathways-options';
import { PinnedDmmfs } from './pinned-dmmfs';
import type { PathwayChanged } from './referral-commands';

/** When the step happened, if not now, and why it is recorded late (issue 11 §2). */
export interface StepTiming {
  readonly occurredAt?: Date | null;
  readonly lateReason?: string | null;
}

/** A batch id for a start of manufacture, and the register entry that issued it (null when the site gave it). */
interface BatchNumber {
  readonly batchId: string;
  readonly register: AlsoAppend | null;
}

/** What the step's rules need, read before deciding. */
interface Known {
  readonly booking: Booking | null;
  readonly units: Map<string, UnitFacts>;
  readonly signature?: ElectronicSignature;
  readonly batch: BatchNumber | null;
  readonly process: ProductProcess;
  /** Where the patient will stay after infusion, for the steps that judge reach (start of conditioning, infusion). */
  readonly stay: PatientStay | null;
}

/** Records one step of a pathway's lifecycle, decided by the pure rules in domain/lifecycle-steps.ts. */
export class RecordStepCommand {
  constructor(
    readonly coi: ChainOfIdentity,
    readonly step: LifecycleStep,
    readonly context: CommandContext,
    readonly timing: StepTiming = {},
  ) {}
}

const unitOf = (slot: SlotRef) => unitOfKey(slot.resourceKey);
const isApheresis = (slot: SlotRef) => {
  const owner = resourceOwner(slot.resourceKey);
  return owner.kind === 'site' && owner.resource === 'APHERESIS_CHAIR';
};

@CommandHandler(RecordStepCommand)
export class RecordStepHandler implements ICommandHandler<RecordStepCommand, PathwayChanged> {
  constructor(
    private readonly repository: AggregateRepository,
    private readonly capacity: CapacityReads,
    private readonly dmmfs: PinnedDmmfs,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PATHWAYS_OPTIONS) private readonly options: PathwaysOptions,
    @Inject(SIGNATURE_POLICY) private readonly signatures: SignaturePolicy,
    private readonly stays: PatientStays,
  ) {}

  async execute({ coi: raw, step, context, timing }: RecordStepCommand): Promise<PathwayChanged> {
    requireRole(context.role, CLINICAL, 'record a clinical step');
    const coi = raw;
    const now = this.clock.now();
    // The rules need the process of the DMMF version this pathway was planned under.
    const { state } = await this.repository.load(pathwayStreamId(coi), pathwayEvolver);
    const pathway = requirePathway(state, coi);
    const trusted = actingForTrust(context, pathway.referringTrust, 'record clinical steps');
    // A QC release is signed by the person who releases, recently signed in (issue 14 §2).
    const signature = step.step === 'PRODUCT_RELEASED' ? signatureOf(context, 'APPROVED', `the QC release of pathway ${coi}`, now, this.signatures) : undefined;
    const stepWhy = stepReason(step);
    const acting = stepWhy ? { ...trusted, reason: stepWhy } : trusted;
    const needs = stepNeeds(step);
    const dmmf = await this.dmmfs.of(pathway.productCode, pathway.dmmfVersion);
    const slots = await this.bookedSlots(pathway);
    const booking = slots && (await this.booking(slots, needs.sessions));
    const unitIds = [...new Set([...(needs.bookedUnits ? (booking?.unitIds ?? []) : []), ...needs.units])];
    const when: When = { at: timing.occurredAt ?? now, now, lateReason: timing.lateReason };
    const units = await this.units(unitIds, dmmf.designation, localDateOf(when.at, NETWORK_TIME_ZONE));
    // Reach is judged where the course starts and at the bedside (issue 14 §4; clinical-rules.ts staysWithinReach).
    const stay = step.step === 'CONDITIONING_STARTED' || step.step === 'INFUSED' ? await this.stays.of(pathway.stayDistrict) : null;
    const record = async () => {
      const batch = step.step === 'MANUFACTURE_STARTED' ? await this.batchNumber(step.batchId, step.unitId, when.at) : null;
      try {
        return await this.recordOn(pathway, step, when, acting, timing, { booking, units, signature, batch, process: dmmf.process, stay });
      } catch (error) {
        // A site's own id already used is refused; an issued one lost a race for the register's next number, and is retried.
        if (batch && !batch.register && error instanceof ConcurrencyError && error.streamId === batchStreamId(batch.batchId)) {
          throw new ConflictError(`Batch ${batch.batchId} is already recorded for another start of manufacture. Check the id on the label, or leave batchId out for Bedside to issue one.`, { batchId: batch.batchId });
        }
        throw error;
      }
    };
    // Racing starts of manufacture on one unit take the next number in its register in turn (batches.e2e races two).
    const { position } = await retryOnConflict(record, { retries: (error) => error.streamId.startsWith('batch-') });
    return { coi, position };
  }

  /**
   * The batch a start of manufacture starts (issue 14 §1): the site's own id, or the next in the unit's
   * register for the year, written in the same transaction as the step, so a refused step uses no number.
   */
  private async batchNumber(given: string | null | undefined, rawUnitId: string, at: Date): Promise<BatchNumber> {
    if (given?.trim()) return { batchId: givenBatchId(given), register: null };
    const unitId = rawUnitId.trim().toUpperCase() || 'UNIT';
    const year = Number(localDateOf(at, NETWORK_TIME_ZONE).slice(0, 4));
    const streamId = batchRegisterStreamId(unitId, year);
    const [last] = await this.store.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    const sequence = (last?.streamPosition ?? 0) + 1;
    const batchId = issueBatchId(unitId, year, sequence);
    return { batchId, register: { streamId, expectedVersion: sequence - 1, events: [new BatchNumberIssued({ batchId, sequence })] } };
  }

  private recordOn(pathway: Pathway, step: LifecycleStep, when: When, acting: CommandContext, timing: StepTiming, known: Known) {
    const { coi } = pathway;
    const { booking, units, signature, batch } = known;
    return this.repository.execute(
      pathwayStreamId(coi),
      pathwayEvolver,
      (current) => {
        const latest = requirePathway(current, coi);
        if (latest.stayDistrict !== pathway.stayDistrict) {
          throw new ConflictError(`Where the patient of pathway ${coi} will stay changed while this step was being recorded: record it again.`, { coi });
        }
        if (latest.holdId !== pathway.holdId) {
          throw new ConflictError(`The booking of pathway ${coi} changed while this step was being recorded (a repair was accepted): record it again.`, { coi });
        }
        const ctx: LifecycleContext = {
          coi,
          booked: latest.status === 'BOOKED',
          process: known.process,
          earliestCollectionDate: latest.earliestCollectionDate,
          postponedUntil: latest.postponedUntil,
          lateAfterMinutes: this.options.lateRecordingMinutes,
          booking,
          units,
          ...(signature && { signature }),
          ...(batch && { batchId: batch.batchId }),
          stay: known.stay,
        };
        return decideStep(ctx, latest.progress, step, when);
      },
      // A late step says why in the audit trail too, unless the step has its own reason.
      timing.lateReason?.trim() && !acting.reason ? { ...acting, reason: timing.lateReason.trim() } : acting,
      {
        // The batch's own stream, written once: a second start with the same batch id is refused.
        alsoAppend: (events) =>
          events.flatMap((event) =>
            event.type === 'ManufactureStarted' && batch
              ? [
                  ...(batch.register ? [batch.register] : []),
                  {
                    streamId: batchStreamId(batch.batchId),
                    expectedVersion: 'no_stream' as const,
                    events: [
                      new BatchStarted({
                        batchId: batch.batchId,
                        coi,
                        productCode: pathway.productCode,
                        referringTrust: pathway.referringTrust,
                        unitId: event.data.unitId,
                        siteCode: event.data.siteCode,
                        at: event.data.at,
                        issued: batch.register !== null,
                      }),
                    ],
                  },
                ]
              : [],
          ),
      },
    );
  }

  /** The slots of the booking in place: its hold's (an accepted repair places a new hold listing the whole booking). */
  private async bookedSlots(pathway: Pathway): Promise<readonly SlotRef[] | null> {
    if (pathway.status !== 'BOOKED' || !pathway.holdId) return null;
    const { state: hold } = await this.repository.load(holdStreamId(pathway.holdId), holdEvolver);
    return hold?.slots ?? null;
  }

  private async booking(slots: readonly SlotRef[], withSessions: boolean): Promise<Booking> {
    const chairs = slots.filter(isApheresis);
    const bed = slots.find((s) => s.resourceKey.endsWith(':INFUSION_BED'));
    const centre = bed && resourceOwner(bed.resourceKey);
    return {
      unitIds: [...new Set(slots.map(unitOf).filter((id): id is string => id !== null))],
      apheresisDays: [...new Set(chairs.map((s) => s.day))].sort(),
      firstSessionStartsAt: withSessions ? await this.firstStart(chairs) : null,
      infusion: bed && centre?.kind === 'site' ? { centre: centre.siteCode, day: bed.day } : null,
      icuCoverDays: centre?.kind === 'site' ? slots.filter((s) => s.resourceKey === `site:${centre.siteCode}:ICU_BED`).map((s) => s.day) : [],
    };
  }

  /** When the first booked apheresis session begins, from the calendars' slots. */
  private async firstStart(chairs: readonly SlotRef[]): Promise<Date | null> {
    if (chairs.length === 0) return null;
    const { slots } = await this.capacity.placed(chairs);
    const starts = [...slots.values()].map((slot) => slot.startsAt.getTime());
    return starts.length > 0 ? new Date(Math.min(...starts)) : null;
  }

  /**
   * Each unit as its stream tells it now, the site it stands at, or is on its way to, on the step's day (its deployments followed),
   * that site's status from the site's stream, and whether the pinned DMMF designates the unit there.
   */
  private async units(unitIds: readonly string[], designation: Designation, day: LocalDate): Promise<Map<string, UnitFacts>> {
    const facts = new Map<string, UnitFacts>();
    if (unitIds.length === 0) return facts;
    const units = await this.repository.loadMany(unitIds.map(unitStreamId), unitEvolver);
    const stayOf = new Map([...units.values()].flatMap(({ state }) => (state ? [[state.unitId, stayOnDay(state.homeSiteCode, state.deployments, day)] as const] : [])));
    const siteCodes = [...new Set([...stayOf.values()].map((stay) => stay.siteCode))];
    const sites = siteCodes.length > 0 ? await this.repository.loadMany(siteCodes.map(siteStreamId), siteEvolver) : new Map();
    for (const unitId of unitIds) {
      const unit = units.get(unitStreamId(unitId))?.state;
      if (!unit) {
        facts.set(unitId, { unitId, designated: false });
        continue;
      }
      const { siteCode, moving, until } = stayOf.get(unit.unitId)!;
      const site = sites.get(siteStreamId(siteCode))?.state;
      facts.set(unitId, {
        unitId,
        siteCode,
        qualification: unit.qualification,
        siteStatus: site?.status,
        designated: designatesUnitAt(designation, unitId, siteCode),
        ...(moving && until && { onItsWay: { fromSiteCode: moving.fromSiteCode, readyOn: until } }),
      });
    }
    return facts;
  }
}
