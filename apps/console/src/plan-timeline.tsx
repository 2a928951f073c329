import type { ComponentType } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { StepRow } from './steps-table';
import { showDateTime } from './words';

type Drawn = ComponentType<{ steps: readonly StepRow[]; label: string }>;
let loaded: Promise<Drawn> | null = null;

/**
 * A plan drawn as a timeline (issue 15 §3). The chart brings Apache ECharts, fetched the first time a
 * plan is drawn, so a page's first load goes without it; until then the table beside it says the same.
 */
export function PlanTimeline({ steps, caption }: { steps: readonly StepRow[]; caption: string }) {
  const [Drawn, setDrawn] = useState<Drawn | null>(null);
  useEffect(() => {
    loaded ??= import('./plan-chart').then((m) => m.PlanChart);
    let live = true;
    loaded.then((chart) => live && setDrawn(() => chart));
    return () => {
      live = false;
    };
  }, []);
  // A new array of the same steps (a page asking again) draws nothing new.
  const kept = useMemo(() => steps, [JSON.stringify(steps)]);
  if (!Drawn || steps.length === 0) return null;
  const label = `${caption}, drawn as a timeline: ${steps.length} steps from ${showDateTime(steps[0]!.start)} to ${showDateTime(steps.reduce((end, s) => (s.end > end ? s.end : end), steps[0]!.end))} (UK time). The table gives each step.`;
  return <Drawn steps={kept} label={label} />;
}
