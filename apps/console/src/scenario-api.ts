/**
 * The planner's scenarios as the console asks for them (schema.graphql Scenario, ScenarioRun): one place
 * for the documents and their shapes, shared by the list, the form, a scenario's page, a run and a comparison.
 */
export const REGIONS = {
  NEY: 'North East and Yorkshire',
  NW: 'North West',
  MID: 'Midlands',
  EOE: 'East of England',
  LON: 'London',
  SE: 'South East',
  SW: 'South West',
  SCO: 'Scotland',
  WAL: 'Wales',
  NI: 'Northern Ireland',
} as const;
export type Region = keyof typeof REGIONS;
export const UNIT_KINDS = { FILL_FINISH: 'Fill-finish (vaccines)', CELL_THERAPY: 'Cell therapy' } as const;

export interface ScenarioAssumptions {
  name: string;
  asOf: string;
  days: number;
  vaccineDemand: { region: Region; day: number; doses: number; deadline: number | null; weight: number | null }[];
  referralsPerWeek: { region: Region; productCode: string; perWeek: number }[];
  unitsAdded: { unitId: string; kind: keyof typeof UNIT_KINDS; region: Region }[];
  unitsRemoved: string[];
  outages: { target: string; fromDay: number; toDay: number }[];
  processChanges: { productCode: string; manufactureDays: number | null; qcReleaseDays: number | null }[];
  fillFinish: { vialsPerHour: number; dosesPerVial: number; shiftsPerDay: number; hoursPerShift: number; effectiveOutputFactor: number };
  teardownDays: number;
  setupDays: number;
  requalificationDays: number;
  releaseDays: number;
}

export interface ScenarioVersion extends ScenarioAssumptions {
  id: string;
  version: number;
  reason: string | null;
  recordedAt: string;
  recordedBy: string;
  dosesPerUnitDay: number;
}

const ASSUMPTIONS = `name asOf days
  vaccineDemand { region day doses deadline weight }
  referralsPerWeek { region productCode perWeek }
  unitsAdded { unitId kind region } unitsRemoved
  outages { target fromDay toDay }
  processChanges { productCode manufactureDays qcReleaseDays }
  fillFinish { vialsPerHour dosesPerVial shiftsPerDay hoursPerShift effectiveOutputFactor }
  teardownDays setupDays requalificationDays releaseDays`;
const VERSION = `id version reason recordedAt recordedBy dosesPerUnitDay ${ASSUMPTIONS}`;

export interface RunSummary {
  id: string;
  scenarioVersion: number;
  status: 'RUNNING' | 'FINISHED' | 'FAILED';
  stage: string;
  progress: number;
  requestedAt: string;
  requestedBy: string;
  finishedAt: string | null;
  failure: string | null;
  committedAt: string | null;
  options: { timeLimitSeconds: number; seed: number };
  result: { source: string; gainOverBestBaseline: number; proposed: { weightedUnmetDoseDays: number } } | null;
  carT: { infused: number; referred: number } | null;
}
const RUN_SUMMARY = `id scenarioVersion status stage progress requestedAt requestedBy finishedAt failure committedAt options { timeLimitSeconds seed }
  result { source gainOverBestBaseline proposed { weightedUnmetDoseDays } } carT { infused referred }`;

export const SCENARIOS = `query Scenarios { scenarios(first: 100) { edges { node { id name version asOf days recordedAt recordedBy } } } }`;
export const SCENARIO = `query Scenario($id: ID!) { scenario(id: $id) { ${VERSION} runs(first: 20) { ${RUN_SUMMARY} } } }`;
export const CREATE_SCENARIO = `mutation CreateScenario($input: ScenarioInput!) { createScenario(input: $input) { id version } }`;
export const UPDATE_SCENARIO = `mutation UpdateScenario($id: ID!, $input: ScenarioInput!, $basedOnVersion: Int, $reason: String) {
  updateScenario(id: $id, input: $input, basedOnVersion: $basedOnVersion, reason: $reason) { id version }
}`;
export const RUN_SCENARIO = `mutation RunScenario($id: ID!, $input: RunOptionsInput) { runScenario(id: $id, input: $input) { id status } }`;
export const RUN_PROGRESS = `subscription RunProgress($runId: ID!) { scenarioRunProgress(runId: $runId) { runId status stage progress } }`;

export interface PlanFigures {
  weightedUnmetDoseDays: number;
  utilisation: number;
  regions: { region: Region; wanted: number[]; released: number[]; unmetAtEnd: number; missedDeadline: number }[];
}
export interface DaySummary {
  count: number;
  mean: number | null;
  p10: number | null;
  p50: number | null;
  p90: number | null;
}
export interface RunDetail extends RunSummary {
  scenarioId: string;
  committedBy: string | null;
  options: RunSummary['options'] & { marginalUnit: boolean; attrition: number; batchFailure: number };
  result:
    | (NonNullable<RunSummary['result']> & {
        solverStatus: string;
        gap: number | null;
        solverSeconds: number;
        marginalUnitSaves: number | null;
        proposed: PlanFigures;
        proportional: PlanFigures;
        greedy: PlanFigures;
        unitTimelines: { unitId: string; startRegion: Region; utilisation: number; segments: { kind: string; region: Region; fromDay: number; toDay: number }[] }[];
      })
    | null;
  carT:
    | (NonNullable<RunSummary['carT']> & {
        lostAfterCollection: number;
        stillWaiting: number;
        failedBatches: number;
        bottleneck: string;
        veinToVein: DaySummary;
        referralToInfusion: DaySummary;
        waitForManufacture: DaySummary;
        waitlistByWeek: number[];
      })
    | null;
}
const FIGURES = `weightedUnmetDoseDays utilisation regions { region wanted released unmetAtEnd missedDeadline }`;
const DAYS = `count mean p10 p50 p90`;
export const RUN_DETAIL = `id scenarioId scenarioVersion status stage progress requestedAt requestedBy finishedAt failure committedAt committedBy
  options { timeLimitSeconds seed marginalUnit attrition batchFailure }
  result { source gainOverBestBaseline solverStatus gap solverSeconds marginalUnitSaves
    proposed { ${FIGURES} } proportional { ${FIGURES} } greedy { ${FIGURES} }
    unitTimelines { unitId startRegion utilisation segments { kind region fromDay toDay } } }
  carT { referred infused lostAfterCollection stillWaiting failedBatches bottleneck waitlistByWeek
    veinToVein { ${DAYS} } referralToInfusion { ${DAYS} } waitForManufacture { ${DAYS} } }`;
export const RUN = `query Run($id: ID!) { scenarioRun(id: $id) { ${RUN_DETAIL} } }`;
export const COMPARE = `query Compare($ids: [ID!]!) { compareRuns(ids: $ids) { bestRunId runs { ${RUN_DETAIL} } } }`;
export const COMMIT_PLAN = `mutation CommitPlan($runId: ID!, $reason: String) { commitScenarioPlan(runId: $runId, reason: $reason) { id unitId toSiteCode leavesOn availableFrom } }`;

/** A figure as a planner reads it: whole doses with thousands marked, shares as percentages. */
export const showNumber = (n: number) => Math.round(n).toLocaleString('en-GB');
export const showShare = (share: number) => `${Math.round(share * 1000) / 10}%`;
