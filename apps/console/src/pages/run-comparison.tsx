import { useMemo } from 'preact/hooks';
import { useQuery } from '@urql/preact';
import { useLocation } from 'preact-iso';
import { errorWords } from '../api';
import { ErrorSummary, ScrollRegion } from '../layout';
import { COMPARE, REGIONS, showNumber, showShare, type RunDetail } from '../scenario-api';
import { Chart } from '../chart';
import { comparisonOption } from '../scenario-charts';
import { showDateTime } from '../words';

const SOURCE_WORDS: Record<string, string> = { OPTIMISER: 'The optimiser', PROPORTIONAL: 'Proportional baseline', GREEDY: 'Greedy baseline' };

/** One line of the side-by-side table: what is compared, and each run's figure. */
type Line = [string, (r: RunDetail) => string];
const LINES: Line[] = [
  ['Scenario version', (r) => String(r.scenarioVersion)],
  ['Asked for (UK time)', (r) => `${showDateTime(r.requestedAt)} by ${r.requestedBy}`],
  ['Solver time, seed', (r) => `${r.options.timeLimitSeconds} s, seed ${r.options.seed}`],
  ['Where it is', (r) => (r.status === 'FINISHED' ? 'Finished' : r.status === 'RUNNING' ? `Running: ${r.stage}` : `Failed: ${r.failure ?? r.stage}`)],
  ['Plan from', (r) => (r.result ? (SOURCE_WORDS[r.result.source] ?? r.result.source) : '')],
  ['Weighted unmet dose-days', (r) => (r.result ? showNumber(r.result.proposed.weightedUnmetDoseDays) : '')],
  ['Better than the better baseline by', (r) => (r.result ? showShare(r.result.gainOverBestBaseline) : '')],
  ['Units busy', (r) => (r.result ? showShare(r.result.proposed.utilisation) : '')],
  ['Doses unmet at the end', (r) => (r.result ? showNumber(r.result.proposed.regions.reduce((n, g) => n + g.unmetAtEnd, 0)) : '')],
  ['Moves of units', (r) => (r.result ? String(r.result.unitTimelines.reduce((n, t) => n + t.segments.filter((s) => s.kind === 'MOVING').length, 0)) : '')],
  ['Solver', (r) => (r.result ? `${r.result.solverStatus}${r.result.gap !== null ? `, gap ${showShare(r.result.gap)}` : ''}` : '')],
  ['CAR-T infused of referred', (r) => (r.carT ? `${r.carT.infused} of ${r.carT.referred}` : 'No referrals')],
  ['Vein to vein, median', (r) => (r.carT?.veinToVein.p50 !== null && r.carT?.veinToVein.p50 !== undefined ? `${r.carT.veinToVein.p50} d` : '')],
];

/** Two or more runs side by side (issue 15 §4, `compareRuns`): every figure in one table, the best marked, and their plans against the baselines drawn. */
export default function RunComparison() {
  const { query } = useLocation();
  const ids = (query.runs ?? '').split(',').filter(Boolean);
  const [{ data, fetching, error }] = useQuery<{ compareRuns: { bestRunId: string | null; runs: RunDetail[] } }>({ query: COMPARE, variables: { ids }, pause: ids.length < 2 });
  const runs = data?.compareRuns.runs ?? [];
  const names = runs.map((r) => `Run ${r.id.slice(0, 8)}`);
  const option = useMemo(() => comparisonOption(runs, names), [data]);
  if (ids.length < 2) return <ErrorSummary title="Nothing to compare" errors={['Choose two or more finished runs on a scenario’s page, then compare them.']} />;
  if (fetching && !data) return <p class="nhsuk-body">Loading the runs…</p>;
  if (error) return <ErrorSummary title="The runs could not be compared" errors={errorWords(error)} />;
  const best = data!.compareRuns.bestRunId;
  const regions = [...new Set(runs.flatMap((r) => r.result?.proposed.regions.map((g) => g.region) ?? []))];
  return (
    <>
      <a class="nhsuk-back-link" href={runs[0] ? `/scenarios/${encodeURIComponent(runs[0].scenarioId)}` : '/scenarios'}>
        The scenario
      </a>
      <h1>Runs compared</h1>
      <p class="nhsuk-body" data-testid="best-run">
        {best ? `Run ${best.slice(0, 8)} leaves the fewest weighted unmet dose-days.` : 'None of these runs has finished.'}
      </p>
      <ScrollRegion label="Runs side by side">
        <table class="nhsuk-table" data-testid="comparison">
          <caption class="nhsuk-table__caption nhsuk-table__caption--s">The runs side by side</caption>
          <thead class="nhsuk-table__head">
            <tr class="nhsuk-table__row">
              <th class="nhsuk-table__header" scope="col">
                Figure
              </th>
              {runs.map((r, i) => (
                <th class="nhsuk-table__header" scope="col" key={r.id}>
                  <a href={`/runs/${encodeURIComponent(r.id)}`}>{names[i]}</a>
                  {r.id === best && <strong class="nhsuk-tag nhsuk-tag--green bedside-tag">Best</strong>}
                </th>
              ))}
            </tr>
          </thead>
          <tbody class="nhsuk-table__body">
            {[
              ...LINES,
              ...regions.map((region): Line => [`Released in ${REGIONS[region]}`, (r) => showNumber(r.result?.proposed.regions.find((g) => g.region === region)?.released.reduce((a, b) => a + b, 0) ?? 0)]),
            ].map(([label, figure]) => (
              <tr class="nhsuk-table__row" key={label} data-testid="comparison-row">
                <th class="nhsuk-table__header" scope="row">
                  {label}
                </th>
                {runs.map((r) => (
                  <td class="nhsuk-table__cell" key={r.id}>
                    {figure(r)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
      <Chart testId="comparison-chart" option={option} label={`Bar chart: the weighted unmet dose-days each run's plan leaves, beside its proportional and greedy baselines, for ${names.join(' and ')}. The table above gives the figures.`} />
    </>
  );
}
