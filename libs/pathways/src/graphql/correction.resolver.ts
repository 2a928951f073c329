import { Args, Field, Float, ID, InputType, Int, Mutation, ObjectType, ResolveField, Resolver } from '@nestjs/graphql';
import { CommandBus } from '@nestjs/cqrs';
import type { CommandContext } from '@bedside/event-store';
import { Acting, Allow, loadersOf, type GraphQLRequestContext } from '@bedside/graphql-common';
import { ReadYourWrites } from '@bedside/read-model';
import { CLINICAL, NotFoundError } from '@bedside/shared';
import { CorrectStepCommand, MarkEnteredInErrorCommand } from '../application/correction-commands';
import { PathwayReads } from '../application/pathway-reads';
import type { PathwayChanged } from '../application/referral-commands';
import { normaliseCoi, type StepEntry } from '../domain';
import { toPathway } from './pathway.mapper';
import { Pathway } from './pathway.types';

@InputType({ description: 'A correction of a recorded clinical step: the step keeps its event, and the correction is a new one naming it, with the reason.' })
class StepCorrectionInput {
  @Field(() => ID, { description: 'Chain of Identity of the pathway.' }) coi!: string;
  @Field(() => ID, { description: 'The recorded step to correct: its event id, as the audit trail and `recordedSteps` show it.' }) eventId!: string;
  @Field(() => Date, { nullable: true, description: 'When the step really happened: not in the future, and still between the steps recorded before and after it.' })
  occurredAt?: Date | null;
  @Field(() => Date, { nullable: true, description: 'A collection only: when its first session really began (the fresh hold counts from it).' }) firstSessionStartedAt?: Date | null;
  @Field(() => Int, { nullable: true, description: 'A collection only: the apheresis sessions it really took (1 to 4).' }) sessions?: number | null;
  @Field(() => Float, { nullable: true, description: 'A collection only: the CD3+ yield, ×10⁹ cells.' }) cd3YieldE9?: number | null;
  @Field({ description: 'Why the record was wrong and how the right value is known (kept in the audit trail).' }) reason!: string;
}

@InputType({ description: 'A recorded step that should never have been recorded on this pathway: it stays in the log and counts for nothing.' })
class EnteredInErrorInput {
  @Field(() => ID, { description: 'Chain of Identity of the pathway.' }) coi!: string;
  @Field(() => ID, { description: 'The step entered in error: its event id. Only the latest step that counts; mark later ones first.' }) eventId!: string;
  @Field({ description: 'Why it was entered in error (kept in the audit trail).' }) reason!: string;
}

@ObjectType({ description: 'A correction made to a recorded step.' })
class StepCorrectionMade {
  @Field({ description: 'Why it was corrected.' }) reason!: string;
  @Field(() => Date, { nullable: true, description: 'When the step was recorded as happening before this correction, when this correction changed it.' }) occurredAtWas!: Date | null;
}

@ObjectType({ description: 'A clinical step recorded on a pathway, as corrected: the rules judge these facts. The audit trail keeps every original.' })
export class RecordedStep {
  @Field(() => ID, { nullable: true, description: 'The event that recorded it: name it to correct the step or mark it entered in error.' }) eventId!: string | null;
  @Field(() => Int, { description: 'Its place in the pathway’s stream.' }) position!: number;
  @Field({ description: 'Which step: the event type, e.g. CollectionRecorded, ManufactureStarted, PatientInfused.' }) step!: string;
  @Field(() => Date, { description: 'When it happened, as corrected.' }) occurredAt!: Date;
  @Field({ description: 'Site where it happened.' }) siteCode!: string;
  @Field(() => Date, { nullable: true, description: 'When it was recorded (typed).' }) recordedAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'Who recorded it.' }) recordedBy!: string | null;
  @Field(() => Date, { nullable: true, description: 'A collection: when its first session began, as corrected.' }) firstSessionStartedAt!: Date | null;
  @Field(() => Int, { nullable: true, description: 'A collection: its sessions, as corrected.' }) sessions!: number | null;
  @Field(() => Float, { nullable: true, description: 'A collection: the CD3+ yield (×10⁹ cells), as corrected.' }) cd3YieldE9!: number | null;
  @Field(() => [StepCorrectionMade], { description: 'The corrections made to it, oldest first (who made each: the audit trail).' }) corrections!: StepCorrectionMade[];
  @Field(() => String, { nullable: true, description: 'Why it was marked entered in error; null when it counts.' }) enteredInError!: string | null;
}

const date = (value: unknown) => (typeof value === 'string' ? new Date(value) : null);

const toRecordedStep = (entry: StepEntry): RecordedStep => ({
  eventId: entry.eventId ?? null,
  position: entry.position,
  step: entry.type,
  occurredAt: new Date(entry.data.at as string),
  siteCode: entry.data.siteCode as string,
  recordedAt: date(entry.recordedAt),
  recordedBy: entry.recordedBy ?? null,
  firstSessionStartedAt: date(entry.data.firstSessionStartedAt),
  sessions: (entry.data.sessions as number | undefined) ?? null,
  cd3YieldE9: (entry.data.cd3YieldE9 as number | null | undefined) ?? null,
  corrections: (entry.corrections ?? []).map((c) => ({ reason: c.reason, occurredAtWas: date(c.was.at) })),
  enteredInError: entry.enteredInError?.reason ?? null,
});

const RECORDED_STEPS_LOADER = 'pathway-recorded-steps';

/** Corrections, never overwrites (issue 14 §3; domain/corrections.ts). */
@Resolver(() => Pathway)
export class CorrectionResolver {
  constructor(
    private readonly commands: CommandBus,
    private readonly reads: PathwayReads,
    private readonly readYourWrites: ReadYourWrites,
  ) {}

  private async answer(changed: PathwayChanged): Promise<Pathway> {
    await this.readYourWrites.after(changed.position);
    const row = await this.reads.pathway(changed.coi);
    if (!row) throw new NotFoundError('pathway', changed.coi);
    return toPathway(row);
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, {
    description:
      'Corrects a recorded step (when it happened; a collection’s first session, sessions or yield) with the reason. The original stays in the audit trail; reads and every rule after it use the corrected facts, and a rule a later step now breaks is named in the correction for QA.',
  })
  async correctStep(@Args('input', { description: 'The correction.' }) input: StepCorrectionInput, @Acting() acting: CommandContext): Promise<Pathway> {
    const { coi, ...correction } = input;
    return this.answer(await this.commands.execute(new CorrectStepCommand(normaliseCoi(coi), correction, acting)));
  }

  @Allow(CLINICAL)
  @Mutation(() => Pathway, { description: 'Marks the latest recorded step entered in error, with the reason: it stays in the audit trail and the pathway stands as before it.' })
  async markEnteredInError(@Args('input', { description: 'The step and why.' }) input: EnteredInErrorInput, @Acting() acting: CommandContext): Promise<Pathway> {
    return this.answer(await this.commands.execute(new MarkEnteredInErrorCommand(normaliseCoi(input.coi), input.eventId, input.reason, acting)));
  }

  @ResolveField(() => [RecordedStep], {
    description: 'The clinical steps recorded, in order, as corrected (steps entered in error included, marked). Always as recorded now, also under `pathway(asOf:)`.',
  })
  recordedSteps(pathway: Pathway, _args: unknown, context: GraphQLRequestContext): Promise<RecordedStep[]> {
    return loadersOf(context)
      .get<string, readonly StepEntry[]>(RECORDED_STEPS_LOADER, (cois) => this.reads.recordedSteps(cois))
      .load(pathway.coi)
      .then((steps) => steps.filter((s) => s.type !== 'TrackRestarted').map(toRecordedStep));
  }
}
