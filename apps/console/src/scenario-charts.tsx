import { BarChart, LineChart } from 'echarts/charts';
import * as echarts from 'echarts/core';
import { ganttSeries, type ChartOption } from './chart';
import { REGIONS, type DaySummary, type PlanFigures, type Region, type RunDetail } from './scenario-api';

echarts.use([LineChart, BarChart]);

/** NHS identity colours, one per region, so a region keeps its colour in every chart. */
const COLOURS = ['#005eb8', '#007f3b', '#ffb81c', '#d5281b', '#330072', '#ae2573', '#00a499', '#425563', '#ed8b00', '#41b6e6'];
const colourOf = (region: Region) => COLOURS[Object.keys(REGIONS).indexOf(region) % COLOURS.length]!;

const running = (values: readonly number[]) => values.reduce<number[]>((sums, v) => [...sums, (sums.at(-1) ?? 0) + v], []);

/** Doses released, added up day by day, against doses wanted, per region (solid: released; dashed: wanted). */
export function cumulativeDosesOption(plan: PlanFigures): ChartOption {
  const days = plan.regions[0]?.wanted.length ?? 0;
  return {
    grid: { left: 80, right: 24, top: 48, bottom: 48 },
    legend: { top: 0, type: 'scroll' },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', name: 'Day', nameLocation: 'middle', nameGap: 28, data: Array.from({ length: days }, (_, d) => d) },
    yAxis: { type: 'value', name: 'Doses' },
    series: plan.regions.flatMap((r) => [
      { name: `${REGIONS[r.region]} released`, type: 'line', showSymbol: false, data: running(r.released), lineStyle: { color: colourOf(r.region), width: 3 }, itemStyle: { color: colourOf(r.region) } },
      { name: `${REGIONS[r.region]} wanted`, type: 'line', showSymbol: false, data: running(r.wanted), lineStyle: { color: colourOf(r.region), type: 'dashed' }, itemStyle: { color: colourOf(r.region) } },
    ]),
  };
}

/** Each unit's days, filling in a region or moving to it, as bars along the scenario's days (a Gantt chart; `toDay` is the day after the last). */
export function unitTimelinesOption(timelines: NonNullable<RunDetail['result']>['unitTimelines'], days: number): ChartOption {
  const units = timelines.map((t) => t.unitId);
  const data = timelines.flatMap((t, u) => t.segments.map((s) => ({ value: [u, s.fromDay, s.toDay, s.kind, s.region], itemStyle: { color: s.kind === 'MOVING' ? '#768692' : colourOf(s.region) } })));
  return {
    grid: { left: 110, right: 24, top: 16, bottom: 48 },
    tooltip: { formatter: (p: { value: [number, number, number, string, Region] }) => `${units[p.value[0]]}: ${p.value[3] === 'MOVING' ? 'moving to' : 'filling in'} ${REGIONS[p.value[4]]}, days ${p.value[1]} to ${p.value[2] - 1}` },
    xAxis: { type: 'value', min: 0, max: days, name: 'Day', nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: 'category', data: units, inverse: true },
    series: [ganttSeries(data, 1)],
  };
}

/** Patients waiting at the end of each week of a CAR-T what-if. */
export function waitlistOption(weeks: readonly number[]): ChartOption {
  return {
    grid: { left: 60, right: 24, top: 16, bottom: 48 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', name: 'Week', nameLocation: 'middle', nameGap: 28, data: weeks.map((_, w) => w + 1) },
    yAxis: { type: 'value', name: 'Waiting', minInterval: 1 },
    series: [{ type: 'bar', data: [...weeks], itemStyle: { color: '#005eb8' } }],
  };
}

/** Days as a distribution: the 10th, 50th and 90th centiles of each measure, side by side. */
export function distributionOption(measures: readonly { name: string; days: DaySummary }[]): ChartOption {
  const centiles = [
    ['p10', '10th centile', '#41b6e6'],
    ['p50', 'Median', '#005eb8'],
    ['p90', '90th centile', '#003087'],
  ] as const;
  return {
    grid: { left: 60, right: 24, top: 40, bottom: 48 },
    legend: { top: 0 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: measures.map((m) => m.name) },
    yAxis: { type: 'value', name: 'Days' },
    series: centiles.map(([key, name, color]) => ({ name, type: 'bar', data: measures.map((m) => m.days[key]), itemStyle: { color } })),
  };
}

/** Runs side by side: the weighted unmet dose-days their plans leave, and those of the two baselines (lower is better). */
export function comparisonOption(runs: readonly RunDetail[], names: readonly string[]): ChartOption {
  const plans = [
    ['proposed', 'Proposed plan', '#005eb8'],
    ['proportional', 'Proportional baseline', '#768692'],
    ['greedy', 'Greedy baseline', '#ffb81c'],
  ] as const;
  return {
    grid: { left: 90, right: 24, top: 40, bottom: 48 },
    legend: { top: 0 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: [...names] },
    yAxis: { type: 'value', name: 'Weighted unmet dose-days' },
    series: plans.map(([key, name, color]) => ({ name, type: 'bar', data: runs.map((r) => r.result?.[key].weightedUnmetDoseDays ?? null), itemStyle: { color } })),
  };
}
