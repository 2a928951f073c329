import { useMemo, useState } from 'preact/hooks';
import { useClient, useQuery } from '@urql/preact';
import { useRoute } from 'preact-iso';
import { errorWords } from '../api';
import { TextField } from '../form-fields';
import { ErrorSummary, ScrollRegion } from '../layout';
import { RunProgress } from '../run-progress';
import { COMMIT_PLAN, REGIONS, RUN, showNumber, showShare, type DaySummary, type RunDetail } from '../scenario-api';
import { Chart } from '../chart';
import { cumulativeDosesOption, distributionOption, unitTimelinesOption, waitlistOption } from '../scenario-charts';
import type { Session } from '../session';
import { showDateTime, showDay } from '../words';

const days = (d: number | null) => (d === null ? 'none' : `${d} d`);

/** The proposed plan beside the two baselines, and by region what was wanted, released and left waiting. */
function PlanTables({ result }: { result: NonNullable<RunDetail['result']> }) {
  const plans = [
    ['Proposed plan', result.proposed],
    ['Proportional baseline', result.proportional],
    ['Greedy baseline', result.greedy],
  ] as const;
  return (
    <>
      <table class="nhsuk-table" data-testid="plans-table">
        <caption class="nhsuk-table__caption nhsuk-table__caption--s">The proposed plan and the baselines (lower weighted unmet dose-days is better)</caption>
        <thead class="nhsuk-table__head">
          <tr class="nhsuk-table__row">
            <th class="nhsuk-table__header" scope="col">Plan</th>
            <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">Weighted unmet dose-days</th>
            <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">Units busy</th>
          </tr>
        </thead>
        <tbody class="nhsuk-table__body">
          {plans.map(([name, plan]) => (
            <tr class="nhsuk-table__row" key={name}>
              <th class="nhsuk-table__header" scope="row">
                {name}
              </th>
              <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{showNumber(plan.weightedUnmetDoseDays)}</td>
              <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{showShare(plan.utilisation)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ScrollRegion label="Doses by region">
        <table class="nhsuk-table" data-testid="regions-table">
          <caption class="nhsuk-table__caption nhsuk-table__caption--s">Doses by region, in the proposed plan</caption>
          <thead class="nhsuk-table__head">
            <tr class="nhsuk-table__row">
              <th class="nhsuk-table__header" scope="col">Region</th>
              <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">Wanted</th>
              <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">Released</th>
              <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">Unmet at the end</th>
              <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">Missed their deadline</th>
            </tr>
          </thead>
          <tbody class="nhsuk-table__body">
            {result.proposed.regions.map((r) => (
              <tr class="nhsuk-table__row" key={r.region} data-testid="region-row">
                <th class="nhsuk-table__header" scope="row">
                  {REGIONS[r.region]}
                </th>
                <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{showNumber(r.wanted.reduce((a, b) => a + b, 0))}</td>
                <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{showNumber(r.released.reduce((a, b) => a + b, 0))}</td>
                <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{showNumber(r.unmetAtEnd)}</td>
                <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{showNumber(r.missedDeadline)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
    </>
  );
}

/** Each unit's plan in words: where it fills, when it moves. */
function TimelineTable({ timelines }: { timelines: NonNullable<RunDetail['result']>['unitTimelines'] }) {
  return (
    <table class="nhsuk-table" data-testid="timelines-table">
      <caption class="nhsuk-table__caption nhsuk-table__caption--s">Each unit's days in the proposed plan</caption>
      <thead class="nhsuk-table__head">
        <tr class="nhsuk-table__row">
          <th class="nhsuk-table__header" scope="col">Unit</th>
          <th class="nhsuk-table__header" scope="col">Days</th>
          <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">Busy</th>
        </tr>
      </thead>
      <tbody class="nhsuk-table__body">
        {timelines.map((t) => (
          <tr class="nhsuk-table__row" key={t.unitId} data-testid="timeline-row">
            <th class="nhsuk-table__header" scope="row">
              {t.unitId}
            </th>
            <td class="nhsuk-table__cell">{t.segments.map((s) => `${s.kind === 'MOVING' ? 'moving to' : 'filling in'} ${REGIONS[s.region]} ${s.toDay - s.fromDay === 1 ? `day ${s.fromDay}` : `days ${s.fromDay} to ${s.toDay - 1}`}`).join('; ')}</td>
            <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{showShare(t.utilisation)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The CAR-T what-if: who was infused, lost or still waiting; its waitlist by week; its days as distributions. */
function CarT({ carT }: { carT: NonNullable<RunDetail['carT']> }) {
  const measures: { name: string; days: DaySummary }[] = [
    { name: 'Vein to vein', days: carT.veinToVein },
    { name: 'Referral to infusion', days: carT.referralToInfusion },
    { name: 'Wait for a manufacturing bay', days: carT.waitForManufacture },
  ];
  const distribution = useMemo(() => distributionOption(measures), [carT]);
  const waitlist = useMemo(() => waitlistOption(carT.waitlistByWeek), [carT]);
  return (
    <>
      <h2>CAR-T referrals through the plan search</h2>
      <p class="nhsuk-body" data-testid="car-t-summary">
        {carT.referred} referred, {carT.infused} infused, {carT.lostAfterCollection} lost after collection, {carT.failedBatches} batches failed, {carT.stillWaiting} still waiting at the end. {carT.bottleneck}
      </p>
      <Chart testId="waitlist-chart" option={waitlist} label={`Bar chart: patients waiting at the end of each of ${carT.waitlistByWeek.length} weeks, at most ${Math.max(0, ...carT.waitlistByWeek)}. The table below gives the figures.`} height={260} />
      <Chart testId="distribution-chart" option={distribution} label="Bar chart: the 10th, 50th and 90th centiles of vein-to-vein days, referral-to-infusion days and days waiting for a bay. The table below gives the figures." height={280} />
      <table class="nhsuk-table">
        <caption class="nhsuk-table__caption nhsuk-table__caption--s">Days, as a distribution</caption>
        <thead class="nhsuk-table__head">
          <tr class="nhsuk-table__row">
            <th class="nhsuk-table__header" scope="col">Measure</th>
            <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">Patients</th>
            <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">10th centile</th>
            <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">Median</th>
            <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">90th centile</th>
          </tr>
        </thead>
        <tbody class="nhsuk-table__body">
          {measures.map((m) => (
            <tr class="nhsuk-table__row" key={m.name}>
              <th class="nhsuk-table__header" scope="row">
                {m.name}
              </th>
              <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{m.days.count}</td>
              <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{days(m.days.p10)}</td>
              <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{days(m.days.p50)}</td>
              <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{days(m.days.p90)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="nhsuk-body">Waiting at the end of each week: {carT.waitlistByWeek.join(', ')}.</p>
    </>
  );
}

/** Control Site QA makes the plan real: every move a deployment, all or nothing, refused in the API's words when the network has changed. */
type Made = { unitId: string; toSiteCode: string; leavesOn: string; availableFrom: string }[];
function CommitPlan({ run, made, onCommitted }: { run: RunDetail; made: Made | null; onCommitted: (made: Made) => void }) {
  const client = useClient();
  const [reason, setReason] = useState('');
  const [refusal, setRefusal] = useState<string[]>([]);
  const [sending, setSending] = useState(false);
  if (made) {
    return (
      <div class="nhsuk-inset-text" data-testid="plan-committed" aria-live="polite">
        <p>
          Plan committed: {made.length === 1 ? '1 deployment' : `${made.length} deployments`} recorded.{' '}
          {made.map((d) => `${d.unitId} to ${d.toSiteCode}, leaving ${showDay(d.leavesOn)}, making product from ${showDay(d.availableFrom)}`).join('; ')}. See <a href="/deployments">Deployments</a>.
        </p>
      </div>
    );
  }
  return (
    <form
      onSubmit={async (e) => {
        e.preventDefault();
        setSending(true);
        const result = await client.mutation<{ commitScenarioPlan: Made }>(COMMIT_PLAN, { runId: run.id, reason: reason.trim() || null }).toPromise();
        setSending(false);
        if (result.error) return setRefusal(errorWords(result.error));
        onCommitted(result.data!.commitScenarioPlan);
      }}
    >
      <h2>Make this plan real</h2>
      <p class="nhsuk-body">Every move in the proposed plan becomes a deployment of its unit, all or nothing, with this scenario and run as the reason.</p>
      {refusal.length > 0 && <ErrorSummary title="The plan was not committed" errors={refusal} />}
      <TextField id="commit-reason" label="Why (added to the recorded reason)" value={reason} onInput={setReason} width={30} />
      <button class="nhsuk-button nhsuk-button--warning" type="submit" disabled={sending}>
        Commit the plan as deployments
      </button>
    </form>
  );
}

/** One run (issue 15 §4): its progress while it works; once finished, its plan drawn and in figures; for Control Site QA, committing it. */
export default function ScenarioRun({ session }: { session: Session }) {
  const { params } = useRoute();
  const [{ data, fetching, error }, refetch] = useQuery<{ scenarioRun: RunDetail | null }>({ query: RUN, variables: { id: params.id }, requestPolicy: 'cache-and-network' });
  const run = data?.scenarioRun;
  const again = () => refetch({ requestPolicy: 'network-only' });
  // The deployments a commit made here, shown once the run reads as committed.
  const [made, setMade] = useState<Made | null>(null);
  const result = run?.result ?? null;
  const doses = useMemo(() => (result ? cumulativeDosesOption(result.proposed) : null), [result]);
  const horizon = result?.proposed.regions[0]?.wanted.length ?? 0;
  const timelines = useMemo(() => (result ? unitTimelinesOption(result.unitTimelines, horizon) : null), [result]);
  if (fetching && !data) return <p class="nhsuk-body">Loading the run…</p>;
  if (error) return <ErrorSummary title="The run could not be shown" errors={errorWords(error)} />;
  if (!run) return <h1>No such run</h1>;
  return (
    <>
      <a class="nhsuk-back-link" href={`/scenarios/${encodeURIComponent(run.scenarioId)}`}>
        The scenario
      </a>
      <h1>
        Run {run.id.slice(0, 8)} <span class="nhsuk-caption-l">of version {run.scenarioVersion}</span>
      </h1>
      <p class="nhsuk-body">
        Asked for by {run.requestedBy} at {showDateTime(run.requestedAt)} (UK time): the solver might take {run.options.timeLimitSeconds} s, seed {run.options.seed}.
        {run.finishedAt && ` Ended ${showDateTime(run.finishedAt)}.`}
      </p>
      {run.status === 'RUNNING' && <RunProgress runId={run.id} stage={run.stage} progress={run.progress} onEnded={again} />}
      {run.status === 'FAILED' && <ErrorSummary title="The run failed" errors={[run.failure ?? run.stage]} />}
      {result && doses && timelines && (
        <>
          <h2>Vaccine doses</h2>
          <p class="nhsuk-body" data-testid="run-verdict">
            The proposed plan ({result.source === 'OPTIMISER' ? "the optimiser's" : "the better baseline's"}) leaves {showNumber(result.proposed.weightedUnmetDoseDays)} weighted unmet dose-days:{' '}
            {showShare(result.gainOverBestBaseline)} fewer than the better baseline. The solver ended "{result.solverStatus}" after {Math.round(result.solverSeconds * 10) / 10} s
            {result.gap !== null && `, within ${showShare(result.gap)} of its optimum`}.{result.marginalUnitSaves !== null && ` One more unit would save ${showNumber(result.marginalUnitSaves)} weighted unmet dose-days.`}
          </p>
          <Chart
            testId="doses-chart"
            option={doses}
            label={`Line chart: doses released in the proposed plan, added up day by day, against doses wanted, for ${result.proposed.regions.map((r) => REGIONS[r.region]).join(', ')}. The tables below give the figures.`}
          />
          <PlanTables result={result} />
          <h2>Where the units go</h2>
          <Chart testId="timelines-chart" option={timelines} label={`Timeline of ${result.unitTimelines.length} units over ${horizon} days: each bar a stretch filling in a region or moving to one. The table below says the same.`} height={Math.max(200, result.unitTimelines.length * 40 + 80)} />
          <TimelineTable timelines={result.unitTimelines} />
        </>
      )}
      {run.carT && <CarT carT={run.carT} />}
      {run.committedAt && (
        <p class="nhsuk-body" data-testid="committed">
          Its plan was committed as deployments by {run.committedBy} at {showDateTime(run.committedAt)}.
        </p>
      )}
      {session.role === 'control_site_qa' && run.status === 'FINISHED' && result && (!run.committedAt || made) && (
        <CommitPlan
          run={run}
          made={made}
          onCommitted={(deployments) => {
            setMade(deployments);
            again();
          }}
        />
      )}
    </>
  );
}
