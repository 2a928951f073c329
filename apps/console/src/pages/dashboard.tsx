import { useState } from 'preact/hooks';
import { useQuery } from '@urql/preact';
import { errorWords } from '../api';
import { ErrorSummary } from '../layout';
import { useAskAgainOn } from '../live';
import { addDays, showDateTime, STATUS_WORDS, todayInUk, type PathwayStatus } from '../words';

const KPIS = `query Dashboard($from: LocalDate!, $to: LocalDate!) {
  months: kpis(filter: { from: $from, to: $to }, groupBy: [MONTH]) {
    timelines { month infused veinToVeinMedianDays veinToVeinP90Days referralToInfusionMedianDays }
  }
  now: kpis(filter: {}, groupBy: []) {
    atRisk
    pathwaysByStatus { status count }
    waitlist { length medianDaysWaiting longestDaysWaiting }
    utilisation { resource capacity committed utilisation }
  }
}`;
const CHANGED = `subscription DashboardLive { kpisChanged { changed toldAt } }`;

interface Dashboard {
  months: { timelines: { month: string; infused: number; veinToVeinMedianDays: number; veinToVeinP90Days: number; referralToInfusionMedianDays: number }[] };
  now: {
    atRisk: number;
    pathwaysByStatus: { status: PathwayStatus; count: number }[];
    waitlist: { length: number; medianDaysWaiting: number | null; longestDaysWaiting: number | null };
    utilisation: { resource: string; capacity: number; committed: number; utilisation: number }[];
  };
}

const RESOURCE_WORDS: Record<string, string> = {
  APHERESIS_CHAIR: 'Apheresis chairs',
  CONDITIONING_CHAIR: 'Conditioning chairs',
  INFUSION_BED: 'Infusion beds',
  MONITORING_BED: 'Monitoring beds',
  ICU_BED: 'ICU cover',
  MANUFACTURING_BAY: 'Manufacturing units',
};
const MONTH = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', month: 'long', year: 'numeric' });
const showMonth = (month: string) => MONTH.format(new Date(`${month}-01T00:00:00Z`));
const days = (n: number | null) => (n === null ? 'none yet' : `${Math.round(n * 10) / 10} days`);
const percent = (share: number) => `${Math.round(share * 100)}%`;

/** A big figure for a wall screen, with what it counts. */
function Figure({ label, value, testId }: { label: string; value: string | number; testId: string }) {
  return (
    <div class="nhsuk-grid-column-one-third">
      <div class="nhsuk-card bedside-figure">
        <div class="nhsuk-card__content">
          <p class="nhsuk-card__heading nhsuk-heading-s">{label}</p>
          <p class="bedside-figure__value" data-testid={testId}>
            {value}
          </p>
        </div>
      </div>
    </div>
  );
}

/** A half-width table of one figure per row: what it counts, and how many (a wall screen reads it from across the room). */
function FigureTable({ caption, headings, rows, testId }: { caption: string; headings: [string, string]; rows: [string, string][]; testId: string }) {
  return (
    <div class="nhsuk-grid-column-one-half">
      <table class="nhsuk-table">
        <caption class="nhsuk-table__caption nhsuk-table__caption--m">{caption}</caption>
        <thead class="nhsuk-table__head">
          <tr class="nhsuk-table__row">
            <th class="nhsuk-table__header" scope="col">
              {headings[0]}
            </th>
            <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">
              {headings[1]}
            </th>
          </tr>
        </thead>
        <tbody class="nhsuk-table__body">
          {rows.map(([label, figure]) => (
            <tr class="nhsuk-table__row" key={label} data-testid={testId}>
              <th class="nhsuk-table__header" scope="row">
                {label}
              </th>
              <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{figure}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The network's key figures for a screen on a ward wall (issue 15 §6): read only, for every role. The
 * figures are the API's `kpis`; the page asks again whenever `kpisChanged` says something they count has
 * changed, so it stays current without anyone touching it, and it says when it last changed (UK time).
 */
export function Dashboard() {
  // The twelve months up to today, by infusion month; today by the browser's clock in UK time.
  const [window] = useState(() => ({ from: addDays(todayInUk(), -365), to: todayInUk() }));
  const [{ data, fetching, error }, refetch] = useQuery<Dashboard>({ query: KPIS, variables: window });
  const live = useAskAgainOn<{ kpisChanged: { changed: string; toldAt: string } }>(CHANGED, {}, () => refetch({ requestPolicy: 'network-only' }));
  const changedAt = live.told?.kpisChanged.toldAt ?? null;

  if (fetching && !data) return <p class="nhsuk-body" aria-live="polite">Loading the network's figures…</p>;
  if (error && !data) return <ErrorSummary title="The figures could not be shown" errors={errorWords(error)} />;
  if (!data) return null;
  const inProgress = data.now.pathwaysByStatus.filter((s) => !['DISCHARGED', 'WITHDRAWN'].includes(s.status)).reduce((sum, s) => sum + s.count, 0);
  return (
    <>
      <h1>The network today</h1>
      <p class="nhsuk-body" aria-live="polite" data-testid="dashboard-live">
        {live.failed
          ? 'Live updates have stopped: reload the page.'
          : changedAt
            ? `Live: last changed ${showDateTime(changedAt)} (UK time).`
            : 'Live: the figures update as changes are recorded.'}
      </p>
      {error && <ErrorSummary title="The figures could not be updated" errors={errorWords(error)} />}
      <div class="nhsuk-grid-row">
        <Figure label="Patients in progress" value={inProgress} testId="figure-in-progress" />
        <Figure label="Bookings at risk" value={data.now.atRisk} testId="figure-at-risk" />
        <Figure label="Waiting for a place" value={data.now.waitlist.length} testId="figure-waitlist" />
      </div>
      <p class="nhsuk-body">
        Time on the waitlist: median {days(data.now.waitlist.medianDaysWaiting)}, longest {days(data.now.waitlist.longestDaysWaiting)}.
      </p>
      <div class="nhsuk-grid-row">
        <FigureTable
          caption="Patients by where they stand"
          headings={['Status', 'Patients']}
          testId="status-row"
          rows={data.now.pathwaysByStatus.map((s) => [STATUS_WORDS[s.status] ?? s.status, String(s.count)])}
        />
        <FigureTable
          caption="Capacity booked, the next four weeks"
          headings={['Kind', 'Booked']}
          testId="utilisation-row"
          rows={data.now.utilisation.map((u) => [RESOURCE_WORDS[u.resource] ?? u.resource, percent(u.utilisation)])}
        />
      </div>
      <table class="nhsuk-table">
        <caption class="nhsuk-table__caption nhsuk-table__caption--m">Vein to vein, by month of infusion</caption>
        <thead class="nhsuk-table__head">
          <tr class="nhsuk-table__row">
            <th class="nhsuk-table__header" scope="col">Month</th>
            <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">Infused</th>
            <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">Vein to vein, median</th>
            <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">Vein to vein, 90th centile</th>
            <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">Referral to infusion, median</th>
          </tr>
        </thead>
        <tbody class="nhsuk-table__body">
          {data.months.timelines.length === 0 && (
            <tr class="nhsuk-table__row">
              <td class="nhsuk-table__cell" colSpan={5}>
                Nobody has been infused in the last twelve months.
              </td>
            </tr>
          )}
          {data.months.timelines.map((t) => (
            <tr class="nhsuk-table__row" key={t.month} data-testid="month-row">
              <th class="nhsuk-table__header" scope="row">{showMonth(t.month)}</th>
              <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{t.infused}</td>
              <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{days(t.veinToVeinMedianDays)}</td>
              <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{days(t.veinToVeinP90Days)}</td>
              <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{days(t.referralToInfusionMedianDays)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
