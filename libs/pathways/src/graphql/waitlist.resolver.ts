import { CLINICAL, PATIENT_LEVEL_READERS } from '@bedside/shared';
import { Args, Field, ID, Int, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { CommandBus } from '@nestjs/cqrs';
import type { CommandContext } from '@bedside/event-store';
import { Acting, pageSize, Allow, Connection, decodeCursor, encodeCursor, toConnection } from '@bedside/graphql-common';
import { ReadYourWrites } from '@bedside/read-model';
import { JoinWaitlistCommand, WaitlistReads } from '../application/waitlist';
import type { PathwayChanged } from '../application/referral-commands';
import { normaliseCoi } from '../domain';
import { toPathway } from './pathway.mapper';
import { Pathway, PriorityEnum } from './pathway.types';

@ObjectType({ description: 'The inputs of a waitlist priority score, each with the points it gives (weights are network defaults).' })
class PriorityScore {
  @Field({ description: 'Total: the list is ordered by it, highest first.' }) score!: number;
  @Field(() => PriorityEnum, { description: 'Clinical priority.' }) priority!: string;
  @Field(() => Int, { description: 'Points for clinical priority (emergency 100, urgent 50, routine 10).' }) priorityPoints!: number;
  @Field(() => Int, { description: 'Days on the list.' }) daysWaiting!: number;
  @Field(() => Int, { description: 'Points for days on the list (1 a day).' }) waitingPoints!: number;
  @Field(() => Int, { nullable: true, description: 'Days to the clinical deadline (negative: past it).' }) daysToDeadline!: number | null;
  @Field(() => Int, { description: 'Points for a deadline within 30 days (2 a day).' }) deadlinePoints!: number;
}

@ObjectType({ description: 'A referral waiting for capacity.' })
class WaitlistEntry {
  @Field(() => Int, { description: 'Place on the list, from 1.' }) place!: number;
  @Field(() => Pathway, { description: 'The pathway.' }) pathway!: Pathway;
  @Field({ description: 'When it joined.' }) joinedAt!: Date;
  @Field({ description: 'Why it waits.' }) reason!: string;
  @Field(() => PriorityScore, { description: 'Its priority score, with the inputs shown.' }) priority!: PriorityScore;
}

@ObjectType({ description: 'A page of the waitlist, in priority order.' })
class WaitlistConnection extends Connection(WaitlistEntry, 'WaitlistEntry', 'waitlist entry') {}

@Resolver()
export class WaitlistResolver {
  constructor(
    private readonly commands: CommandBus,
    private readonly reads: WaitlistReads,
    private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Allow(PATIENT_LEVEL_READERS)
  @Query(() => WaitlistConnection, { description: 'Referrals waiting for capacity, highest priority first, with each score’s inputs.' })
  async waitlist(
    @Acting() acting: CommandContext,
    @Args('productCode', { type: () => ID, nullable: true, description: 'Only this product.' }) productCode?: string,
    @Args('first', { type: () => Int, nullable: true, description: 'Page size, 1 to 500 (default 50).' }) first?: number,
    @Args('after', { nullable: true, description: 'Cursor from a previous page.' }) after?: string,
  ): Promise<WaitlistConnection> {
    const limit = pageSize(first);
    // Keyset on the list's own order (score, then time joined, then COI): a page boundary stays put when
    // entries ahead of it leave the list, though scores move daily (days waited count).
    const key = decodeCursor('waitlist', after, ['number', 'number', 'string']) as [number, number, string] | undefined;
    const entries = (await this.reads.entries(productCode, acting)).map((entry, i) => ({ ...entry, place: i + 1 }));
    const afterKey = (e: (typeof entries)[number]) =>
      !key || e.score.score < key[0] || (e.score.score === key[0] && (e.joinedAt.getTime() > key[1] || (e.joinedAt.getTime() === key[1] && e.pathway.coi > key[2])));
    const start = entries.findIndex(afterKey);
    const page = start < 0 ? [] : entries.slice(start, start + limit + 1);
    return toConnection(page, limit, (e) => encodeCursor('waitlist', [e.score.score, e.joinedAt.getTime(), e.pathway.coi]), (e) => ({
      place: e.place,
      pathway: toPathway(e.pathway),
      joinedAt: e.joinedAt,
      reason: e.reason,
      priority: e.score,
    }));
  }

  @Allow(CLINICAL)
  @Mutation(() => WaitlistEntry, { description: 'Puts a referral on the waitlist; refused (CONFLICT) when a plan meets its clinical deadline.' })
  async joinWaitlist(
    @Args('coi', { type: () => ID, description: 'Chain of Identity.' }) coi: string,
    @Acting() acting: CommandContext,
    @Args('reason', { type: () => String, nullable: true, description: 'Why it waits (default: what the plan search found).' }) reason?: string,
  ): Promise<WaitlistEntry> {
    const id = normaliseCoi(coi);
    const { position }: PathwayChanged = await this.commands.execute(new JoinWaitlistCommand(id, reason, acting));
    await this.readYourWrites.after(position);
    const entries = await this.reads.entries(null, acting);
    const index = entries.findIndex((e) => e.pathway.coi === id);
    const entry = entries[index]!;
    return { place: index + 1, pathway: toPathway(entry.pathway), joinedAt: entry.joinedAt, reason: entry.reason, priority: entry.score };
  }
}
