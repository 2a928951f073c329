import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { RegionEnum } from '@bedside/network';

export enum RunStatusEnum {
  RUNNING = 'RUNNING',
  FINISHED = 'FINISHED',
  FAILED = 'FAILED',
}
registerEnumType(RunStatusEnum, {
  name: 'RunStatus',
  description: 'Where a scenario run is.',
  valuesMap: { RUNNING: { description: 'Working: follow scenarioRunProgress.' }, FINISHED: { description: 'Done: its result is recorded.' }, FAILED: { description: 'Stopped: `failure` says why.' } },
});

export enum PlanSourceEnum {
  OPTIMISER = 'OPTIMISER',
  PROPORTIONAL = 'PROPORTIONAL',
  GREEDY = 'GREEDY',
}
registerEnumType(PlanSourceEnum, {
  name: 'PlanSource',
  description: 'Where the proposed plan came from.',
  valuesMap: {
    OPTIMISER: { description: 'The mixed-integer optimiser (HiGHS).' },
    PROPORTIONAL: { description: 'The static baseline proportional to demand: the optimiser found nothing better in time.' },
    GREEDY: { description: 'The greedy baseline (largest unmet weighted demand first): the optimiser found nothing better in time.' },
  },
});

@InputType({ description: 'How to run a scenario.' })
export class RunOptionsInput {
  @Field(() => Int, { nullable: true, description: 'The scenario version to run (default: the latest).' })
  version?: number | null;
  @Field(() => Int, { nullable: true, description: 'Seconds the solver may take, 1 to 600 (default 30); it proposes the best plan found by then.' })
  timeLimitSeconds?: number | null;
  @Field(() => Boolean, { nullable: true, description: 'Also solve with one more unit and say what it buys (takes about twice as long).' })
  marginalUnit?: boolean | null;
  @Field(() => Int, { nullable: true, description: 'Seed recorded with the run, for repeatability (default 1).' })
  seed?: number | null;
  @Field(() => Float, { nullable: true, description: 'CAR-T what-if: share of collected patients never infused, 0 to below 1 (default 0.15; 9% to 30% in practice).' })
  attrition?: number | null;
  @Field(() => Float, { nullable: true, description: 'CAR-T what-if: share of batches that fail, 0 to below 1 (default 0.04; 1% to 8% in practice).' })
  batchFailure?: number | null;
}

@ObjectType({ description: 'The options a run used.' })
export class RunOptions {
  @Field(() => Int, { description: 'Seconds the solver could take.' }) timeLimitSeconds!: number;
  @Field({ description: 'Whether one more unit was tried.' }) marginalUnit!: boolean;
  @Field(() => Int, { description: 'Seed recorded with the run.' }) seed!: number;
  @Field(() => Float, { description: 'The solver stopped once within this share of the optimum.' }) relativeGap!: number;
  @Field(() => Float, { description: 'CAR-T what-if: share of collected patients never infused.' }) attrition!: number;
  @Field(() => Float, { description: 'CAR-T what-if: share of batches that fail.' }) batchFailure!: number;
}

@ObjectType({ description: 'What a plan delivers to one region, day by day.' })
export class RegionDoses {
  @Field(() => RegionEnum, { description: 'The region.' }) region!: string;
  @Field(() => [Float], { description: 'Doses wanted by each day, cumulative (day 0 first).' }) wanted!: number[];
  @Field(() => [Float], { description: 'Doses released by each day, cumulative.' }) released!: number[];
  @Field(() => Float, { description: 'Doses still wanted at the end, or released after their deadline.' }) unmetAtEnd!: number;
  @Field(() => Float, { description: 'Doses not released by their deadline (they count as waiting on every day to the end).' }) missedDeadline!: number;
}

@ObjectType({ description: 'A plan’s figures.' })
export class PlanFigures {
  @Field(() => Float, { description: 'Doses waiting, counted per dose per day, times their region’s weight; a dose that missed its deadline waits to the end: lower is better.' }) weightedUnmetDoseDays!: number;
  @Field(() => [RegionDoses], { description: 'Doses by region.' }) regions!: RegionDoses[];
  @Field(() => Float, { description: 'Share of unit-days spent filling (not moving or idle).' }) utilisation!: number;
}

@ObjectType({ description: 'A stretch of a unit’s days in a plan.' })
export class UnitSegment {
  @Field({ description: 'FILLING in a region, or MOVING to it (tear-down, travel, set-up, requalification).' }) kind!: string;
  @Field(() => RegionEnum, { description: 'Where it fills, or where it is going.' }) region!: string;
  @Field(() => Int, { description: 'First day (0 is the scenario’s asOf).' }) fromDay!: number;
  @Field(() => Int, { description: 'The day after the last.' }) toDay!: number;
}

@ObjectType({ description: 'Where one unit is over the plan’s days.' })
export class UnitTimeline {
  @Field(() => ID, { description: 'The unit.' }) unitId!: string;
  @Field(() => RegionEnum, { description: 'Where it stands on day 0.' }) startRegion!: string;
  @Field(() => [UnitSegment], { description: 'Its stretches, in order.' }) segments!: UnitSegment[];
  @Field(() => Float, { description: 'Share of its days spent filling.' }) utilisation!: number;
}

@ObjectType({ description: 'What a run proposes, beside the two baselines, and how the solver ended.' })
export class ScenarioRunResult {
  @Field(() => PlanSourceEnum, { description: 'Where the proposed plan came from.' }) source!: string;
  @Field(() => PlanFigures, { description: 'The proposed plan.' }) proposed!: PlanFigures;
  @Field(() => [UnitTimeline], { description: 'Each unit’s timeline in the proposed plan.' }) unitTimelines!: UnitTimeline[];
  @Field(() => PlanFigures, { description: 'The static baseline, proportional to demand.' }) proportional!: PlanFigures;
  @Field(() => PlanFigures, { description: 'The greedy baseline, largest unmet weighted demand first.' }) greedy!: PlanFigures;
  @Field(() => Float, { description: 'Share of the better baseline’s weighted unmet dose-days the proposed plan saves (0.13 = 13% fewer).' }) gainOverBestBaseline!: number;
  @Field({ description: 'How the solve ended (e.g. Optimal, Time limit reached, killed).' }) solverStatus!: string;
  @Field(() => Float, { nullable: true, description: 'The solver’s remaining gap to the optimum of its model (planned in periods of solverPeriodDays), a share (0.01 = within 1%).' }) gap!: number | null;
  @Field(() => Float, { description: 'Seconds the solver took.' }) solverSeconds!: number;
  @Field({ description: 'The HiGHS build that solved it.' }) solverVersion!: string;
  @Field(() => Int, { description: 'Days per period the optimiser planned in: 1, or a week or two for a large question (units then move at a period’s start). The gap is that model’s; the figures are the plan’s, day by day.' }) solverPeriodDays!: number;
  @Field(() => Float, { nullable: true, description: 'Weighted unmet dose-days one more unit takes away, when asked.' }) marginalUnitSaves!: number | null;
}

@ObjectType({ description: 'Days, summarised (empty figures when there are none).' })
export class DaySummary {
  @Field(() => Int, { description: 'How many.' }) count!: number;
  @Field(() => Float, { nullable: true, description: 'Mean days.' }) mean!: number | null;
  @Field(() => Int, { nullable: true, description: '10th percentile.' }) p10!: number | null;
  @Field(() => Int, { nullable: true, description: 'Median.' }) p50!: number | null;
  @Field(() => Int, { nullable: true, description: '90th percentile.' }) p90!: number | null;
}

@ObjectType({ description: 'Booked share of a site’s resource, or of a unit, over the days simulated.' })
export class WhatIfUtilisation {
  @Field({ description: 'The site.' }) siteCode!: string;
  @Field(() => String, { nullable: true, description: 'The unit, for manufacturing bays.' }) unitId!: string | null;
  @Field({ description: 'The resource.' }) resource!: string;
  @Field(() => Float, { description: 'Places booked.' }) booked!: number;
  @Field(() => Float, { description: 'Places there were.' }) capacity!: number;
  @Field(() => Float, { description: 'booked ÷ capacity.' }) share!: number;
}

@ObjectType({ description: 'What the CAR-T what-if found: the scenario’s referrals through the real plan search on a copy of the network.' })
export class CarTWhatIf {
  @Field(() => Int, { description: 'Patients referred.' }) referred!: number;
  @Field(() => Int, { description: 'Infused.' }) infused!: number;
  @Field(() => Int, { description: 'Collected and never infused (attrition).' }) lostAfterCollection!: number;
  @Field(() => Int, { description: 'Batches that failed (the patient collected again).' }) failedBatches!: number;
  @Field(() => Int, { description: 'Neither infused nor lost when the scenario ends: not yet planned, planned to be collected after it ends, or to be collected again after a failed batch.' }) stillWaiting!: number;
  @Field(() => DaySummary, { description: 'Infusion day minus first collection day.' }) veinToVein!: DaySummary;
  @Field(() => DaySummary, { description: 'Infusion day minus referral day.' }) referralToInfusion!: DaySummary;
  @Field(() => DaySummary, { description: 'Days from when a patient could first be collected to the start of their manufacture.' }) waitForManufacture!: DaySummary;
  @Field(() => [Int], { description: 'Patients referred and not yet collected at the end of each week.' }) waitlistByWeek!: number[];
  @Field(() => [WhatIfUtilisation], { description: 'Booked share of each site’s resources and each unit.' }) utilisation!: WhatIfUtilisation[];
  @Field({ description: 'What limited plans most, and the busiest resource, in words.' }) bottleneck!: string;
  @Field(() => Float, { description: 'Seconds the simulation took.' }) seconds!: number;
}

@ObjectType({ description: 'A run of a scenario: who asked, when, which version, how far it is, and what it found.' })
export class ScenarioRun {
  @Field(() => ID, { description: 'Run id.' }) id!: string;
  @Field(() => ID, { description: 'The scenario.' }) scenarioId!: string;
  @Field(() => Int, { description: 'The scenario version it ran.' }) scenarioVersion!: number;
  @Field(() => RunStatusEnum, { description: 'Where it is.' }) status!: string;
  @Field({ description: 'What it is doing, or how it ended, in words.' }) stage!: string;
  @Field(() => Float, { description: 'Share done, 0 to 1 (1 once ended).' }) progress!: number;
  @Field(() => RunOptions, { description: 'The options it used.' }) options!: RunOptions;
  @Field({ description: 'Who asked for it.' }) requestedBy!: string;
  @Field({ description: 'When.' }) requestedAt!: Date;
  @Field(() => Date, { nullable: true, description: 'When it ended.' }) finishedAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'Why it failed.' }) failure!: string | null;
  @Field(() => Date, { nullable: true, description: 'When its plan was committed as deployments (commitScenarioPlan).' }) committedAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'Who committed it.' }) committedBy!: string | null;
  @Field(() => ScenarioRunResult, { nullable: true, description: 'What the surge optimiser found for the vaccine demand, once FINISHED (empty when the scenario wants no doses).' }) result!: ScenarioRunResult | null;
  @Field(() => CarTWhatIf, { nullable: true, description: 'What the CAR-T what-if found, once FINISHED (empty when the scenario has no referrals).' }) carT!: CarTWhatIf | null;
}

@ObjectType({ description: 'Runs side by side.' })
export class RunComparison {
  @Field(() => [ScenarioRun], { description: 'The runs, in the order asked.' }) runs!: ScenarioRun[];
  @Field(() => ID, { nullable: true, description: 'The finished run whose proposed plan leaves the fewest weighted unmet dose-days.' }) bestRunId!: string | null;
}

@ObjectType({ description: 'A run’s progress, as it goes.' })
export class ScenarioRunProgress {
  @Field(() => ID, { description: 'Run id.' }) runId!: string;
  @Field(() => RunStatusEnum, { description: 'Where it is.' }) status!: string;
  @Field({ description: 'What it is doing, in words.' }) stage!: string;
  @Field(() => Float, { description: 'Share done, 0 to 1.' }) progress!: number;
}
