import { useMemo } from 'preact/hooks';
import { Chart, ganttSeries, type ChartOption } from './chart';
import type { StepRow } from './steps-table';
import { STEP_WORDS, TIME_ZONE, showSpan } from './words';

/** Each kind of step in its own colour (NHS identity colours), the same in every plan drawn. */
const KIND_COLOURS: Record<string, string> = {
  APHERESIS: '#005eb8',
  TRANSPORT: '#768692',
  MANUFACTURE: '#007f3b',
  QC_RELEASE: '#00a499',
  CONDITIONING: '#ffb81c',
  INFUSION: '#d5281b',
  MONITORING: '#330072',
  ICU: '#ae2573',
};
const ukDay = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, day: 'numeric', month: 'short' });

/** A plan's steps as bars along UK days, one row per step in pathway order (a Gantt chart). */
function planOption(steps: readonly StepRow[]): ChartOption {
  const rows = steps.map((s, i) => `${i + 1}. ${STEP_WORDS[s.kind] ?? s.kind}`);
  return {
    grid: { left: 190, right: 24, top: 8, bottom: 32 },
    tooltip: { formatter: (p: { dataIndex: number }) => `${rows[p.dataIndex]}: ${steps[p.dataIndex]!.siteCode}, ${showSpan(steps[p.dataIndex]!.start, steps[p.dataIndex]!.end)} (UK time)` },
    xAxis: { type: 'time', axisLabel: { formatter: (value: number) => ukDay.format(value), hideOverlap: true } },
    yAxis: { type: 'category', data: rows, inverse: true },
    series: [ganttSeries(steps.map((s, i) => ({ value: [i, Date.parse(s.start), Date.parse(s.end)], itemStyle: { color: KIND_COLOURS[s.kind] ?? '#425563' } })), 2)],
  };
}

/** A plan drawn as a timeline; its steps are also in the table beside it (StepsTable). */
export function PlanChart({ steps, label }: { steps: readonly StepRow[]; label: string }) {
  const option = useMemo(() => planOption(steps), [steps]);
  return <Chart testId="plan-timeline" option={option} label={label} height={steps.length * 28 + 48} />;
}
