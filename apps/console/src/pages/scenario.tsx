import { useState } from 'preact/hooks';
import { useClient, useQuery } from '@urql/preact';
import { useLocation, useRoute } from 'preact-iso';
import { errorWords } from '../api';
import { Checkbox, TextField } from '../form-fields';
import { ErrorSummary, ScrollRegion } from '../layout';
import { RunProgress } from '../run-progress';
import { REGIONS, RUN_SCENARIO, SCENARIO, showNumber, showShare, UNIT_KINDS, type RunSummary, type ScenarioVersion } from '../scenario-api';
import type { Session } from '../session';
import { SummaryList } from '../summary-list';
import { showDateTime, showDay } from '../words';

const RUN_STATUS_WORDS = { RUNNING: 'Running', FINISHED: 'Finished', FAILED: 'Failed' } as const;
const shortId = (id: string) => id.slice(0, 8);
const daysOf = (n: number) => (n === 1 ? '1 day' : `${n} days`);

/** The assumptions of one version, in words. */
function Assumptions({ s }: { s: ScenarioVersion }) {
  const f = s.fillFinish;
  return (
    <SummaryList
      rows={[
        ['Starts from the network as on', `${showDay(s.asOf)}, for ${s.days} days`],
        ['Doses wanted', s.vaccineDemand.length === 0 ? 'None' : s.vaccineDemand.map((d) => `${showNumber(d.doses)} in ${REGIONS[d.region]} from day ${d.day}${d.deadline !== null ? `, by day ${d.deadline}` : ''}${d.weight !== null ? `, weight ${d.weight}` : ''}`).join('; ')],
        ['A fill-finish unit fills', `${showNumber(s.dosesPerUnitDay)} doses a day (${f.vialsPerHour} vials an hour of ${f.dosesPerVial} doses, ${f.shiftsPerDay} shifts of ${f.hoursPerShift} h, ${showShare(f.effectiveOutputFactor)} of the time)`],
        ['A move costs', `${daysOf(s.teardownDays)} to pack up, the road, ${daysOf(s.setupDays)} to set up and ${daysOf(s.requalificationDays)} to requalify; doses are released ${daysOf(s.releaseDays)} after filling`],
        ['Units added', s.unitsAdded.length === 0 ? 'None' : s.unitsAdded.map((u) => `${u.unitId} (${UNIT_KINDS[u.kind]}) in ${REGIONS[u.region]}`).join('; ')],
        ['Units gone', s.unitsRemoved.length === 0 ? 'None' : s.unitsRemoved.join(', ')],
        ['Outages', s.outages.length === 0 ? 'None' : s.outages.map((o) => `${o.target}, days ${o.fromDay} to ${o.toDay}`).join('; ')],
        ['CAR-T referrals', s.referralsPerWeek.length === 0 ? 'None' : s.referralsPerWeek.map((r) => `${r.perWeek} a week of ${r.productCode} in ${REGIONS[r.region]}`).join('; ')],
        ['Process changes', s.processChanges.length === 0 ? 'None' : s.processChanges.map((p) => `${p.productCode}: ${[p.manufactureDays !== null && `${p.manufactureDays} manufacture days`, p.qcReleaseDays !== null && `${p.qcReleaseDays} QC days`].filter(Boolean).join(', ')}`).join('; ')],
        ['This version', `${s.version}, by ${s.recordedBy} at ${showDateTime(s.recordedAt)} (UK time)${s.reason ? `: ${s.reason}` : ''}`],
      ]}
    />
  );
}

/** A planner asks for a run: how long the solver may take, which seed, whether to price one more unit. */
function RunForm({ scenarioId, onStarted }: { scenarioId: string; onStarted: () => void }) {
  const client = useClient();
  const [timeLimit, setTimeLimit] = useState('30');
  const [seed, setSeed] = useState('');
  const [marginalUnit, setMarginalUnit] = useState(false);
  const [refusal, setRefusal] = useState<string[]>([]);
  const [sending, setSending] = useState(false);
  return (
    <form
      onSubmit={async (e) => {
        e.preventDefault();
        setSending(true);
        const input = { timeLimitSeconds: Number(timeLimit), ...(seed.trim() ? { seed: Number(seed) } : {}), marginalUnit };
        const result = await client.mutation(RUN_SCENARIO, { id: scenarioId, input }).toPromise();
        setSending(false);
        setRefusal(result.error ? errorWords(result.error) : []);
        if (!result.error) onStarted();
      }}
    >
      <h2>Run it</h2>
      {refusal.length > 0 && <ErrorSummary title="The scenario was not run" errors={refusal} />}
      <div class="bedside-filters">
        <TextField id="run-time-limit" label="Seconds the solver may take (1 to 600)" value={timeLimit} onInput={setTimeLimit} width={5} numeric />
        <TextField id="run-seed" label="Seed (optional)" hint="The same seed gives the same answer." value={seed} onInput={setSeed} width={10} numeric />
      </div>
      <Checkbox id="run-marginal" label="Also say what one more unit would buy (takes about twice as long)" checked={marginalUnit} onChange={setMarginalUnit} />
      <button class="nhsuk-button" type="submit" disabled={sending}>
        Run the scenario
      </button>
    </form>
  );
}

/** The runs of a scenario, newest first: each one's progress while it works, its figures once done; two or more chosen are compared. */
function Runs({ runs, onEnded }: { runs: readonly RunSummary[]; onEnded: () => void }) {
  const { route } = useLocation();
  const [chosen, setChosen] = useState<string[]>([]);
  const finished = runs.filter((r) => r.status === 'FINISHED');
  if (runs.length === 0) return <p class="nhsuk-body">It has not been run yet.</p>;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (chosen.length >= 2) route(`/compare?runs=${chosen.map(encodeURIComponent).join(',')}`);
      }}
    >
      <ScrollRegion label="Runs of this scenario">
        <table class="nhsuk-table">
          <caption class="nhsuk-table__caption nhsuk-table__caption--s">Runs, most recent first</caption>
          <thead class="nhsuk-table__head">
            <tr class="nhsuk-table__row">
              <th class="nhsuk-table__header" scope="col">Run</th>
              <th class="nhsuk-table__header" scope="col">Asked for (UK time)</th>
              <th class="nhsuk-table__header" scope="col">Where it is</th>
              <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">Weighted unmet dose-days</th>
              <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">Better than the better baseline by</th>
              <th class="nhsuk-table__header" scope="col">Compare</th>
            </tr>
          </thead>
          <tbody class="nhsuk-table__body">
            {runs.map((r) => (
              <tr class="nhsuk-table__row" key={r.id} data-testid="run-row">
                <th class="nhsuk-table__header" scope="row">
                  <a href={`/runs/${encodeURIComponent(r.id)}`}>Run {shortId(r.id)}</a>
                  <span class="nhsuk-body-s bedside-reasons">
                    version {r.scenarioVersion}, {r.options.timeLimitSeconds} s, seed {r.options.seed}
                  </span>
                </th>
                <td class="nhsuk-table__cell">
                  {showDateTime(r.requestedAt)} by {r.requestedBy}
                </td>
                <td class="nhsuk-table__cell" data-testid="run-status">
                  {r.status === 'RUNNING' ? <RunProgress runId={r.id} stage={r.stage} progress={r.progress} onEnded={onEnded} /> : RUN_STATUS_WORDS[r.status]}
                  {r.failure && <span class="bedside-reasons">{r.failure}</span>}
                  {r.committedAt && <span class="bedside-reasons">Plan committed {showDateTime(r.committedAt)}</span>}
                </td>
                <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{r.result ? showNumber(r.result.proposed.weightedUnmetDoseDays) : ''}</td>
                <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{r.result ? showShare(r.result.gainOverBestBaseline) : ''}</td>
                <td class="nhsuk-table__cell">
                  {r.status === 'FINISHED' && (
                    <div class="nhsuk-checkboxes nhsuk-checkboxes--small">
                    <div class="nhsuk-checkboxes__item">
                      <input
                        class="nhsuk-checkboxes__input"
                        id={`compare-${r.id}`}
                        type="checkbox"
                        checked={chosen.includes(r.id)}
                        onChange={(e) => setChosen(e.currentTarget.checked ? [...chosen, r.id] : chosen.filter((c) => c !== r.id))}
                      />
                      <label class="nhsuk-label nhsuk-checkboxes__label" for={`compare-${r.id}`}>
                        Compare run {shortId(r.id)}
                      </label>
                    </div>
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
      {finished.length >= 2 && (
        <button class="nhsuk-button nhsuk-button--secondary" type="submit" disabled={chosen.length < 2}>
          Compare the runs chosen{chosen.length >= 2 ? ` (${chosen.length})` : ': choose two or more'}
        </button>
      )}
    </form>
  );
}

/** One scenario (issue 15 §4): its assumptions, a run with its progress, and its runs to open or compare. */
export default function Scenario({ session }: { session: Session }) {
  const { params } = useRoute();
  const id = params.id!;
  const [{ data, fetching, error }, refetch] = useQuery<{ scenario: (ScenarioVersion & { runs: RunSummary[] }) | null }>({ query: SCENARIO, variables: { id }, requestPolicy: 'cache-and-network' });
  const again = () => refetch({ requestPolicy: 'network-only' });
  const s = data?.scenario;
  if (fetching && !data) return <p class="nhsuk-body">Loading the scenario…</p>;
  if (error) return <ErrorSummary title="The scenario could not be shown" errors={errorWords(error)} />;
  if (!s) return <h1>No such scenario</h1>;
  return (
    <>
      <a class="nhsuk-back-link" href="/scenarios">
        Scenarios
      </a>
      <h1>
        {s.name} <span class="nhsuk-caption-l">version {s.version}</span>
      </h1>
      <Assumptions s={s} />
      {session.role === 'planner' && (
        <>
          <p class="nhsuk-body">
            <a href={`/scenarios/${encodeURIComponent(s.id)}/edit`}>Edit this scenario</a> (as version {s.version + 1})
          </p>
          <RunForm scenarioId={s.id} onStarted={again} />
        </>
      )}
      <h2>Runs</h2>
      <Runs runs={s.runs} onEnded={again} />
    </>
  );
}
