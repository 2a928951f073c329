import { useMemo } from 'preact/hooks';
import type { EChartsCoreOption } from 'echarts/core';
import { Chart } from './scenario-charts';
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
function planOption(steps: readonly StepRow[]): EChartsCoreOption {
  const rows = steps.map((s, i) => `${i + 1}. ${STEP_WORDS[s.kind] ?? s.kind}`);
  return {
    grid: { left: 190, right: 24, top: 8, bottom: 32 },
    tooltip: { formatter: (p: { dataIndex: number }) => `${rows[p.dataIndex]}: ${steps[p.dataIndex]!.siteCode}, ${showSpan(steps[p.dataIndex]!.start, steps[p.dataIndex]!.end)} (UK time)` },
    xAxis: { type: 'time', axisLabel: { formatter: (value: number) => ukDay.format(value), hideOverlap: true } },
    yAxis: { type: 'category', data: rows, inverse: true },
    series: [
      {
        type: 'custom',
        encode: { x: [1, 2], y: 0 },
        data: steps.map((s, i) => ({ value: [i, Date.parse(s.start), Date.parse(s.end)], itemStyle: { color: KIND_COLOURS[s.kind] ?? '#425563' } })),
        renderItem: (_params: unknown, api: { value: (i: number) => number; coord: (v: [number, number]) => [number, number]; size: (v: [number, number]) => [number, number]; style: () => object }) => {
          const [x0, y] = api.coord([api.value(1), api.value(0)]);
          const [x1] = api.coord([api.value(2), api.value(0)]);
          const height = api.size([0, 1])[1] * 0.6;
          return { type: 'rect', shape: { x: x0, y: y - height / 2, width: Math.max(2, x1 - x0), height }, style: api.style() };
        },
      },
    ],
  };
}

/** A plan drawn as a timeline; its steps are also in the table beside it (StepsTable). */
export function PlanChart({ steps, label }: { steps: readonly StepRow[]; label: string }) {
  const option = useMemo(() => planOption(steps), [steps]);
  return <Chart testId="plan-timeline" option={option} label={label} height={steps.length * 28 + 48} />;
}
