import { useMemo, useState } from 'preact/hooks';
import { useQuery } from '@urql/preact';
import { errorWords } from '../api';
import { CLOSED, Heatmap, type HeatmapData } from '../heatmap-chart';
import { ErrorSummary } from '../layout';
import { useAskAgainOn } from '../live';
import { addDays, showDay, todayInUk } from '../words';

const DAILY = `query Heatmap($resource: Resource!, $from: LocalDate!, $to: LocalDate!) {
  dailyCapacity(filter: { resources: [$resource] }, from: $from, to: $to) { siteCode unitId day capacity free nominal closedReason }
}`;

// Told of every change to the capacity shown (a closure, a booking, a unit moving): the page then asks again.
const CHANGED = `subscription HeatmapLive($resource: Resource!, $from: LocalDate!, $to: LocalDate!) {
  capacityChanged(filter: { resources: [$resource] }, from: $from, to: $to) { from to truncated }
}`;

const RESOURCES = {
  APHERESIS_CHAIR: 'Apheresis chairs',
  CONDITIONING_CHAIR: 'Conditioning chairs',
  INFUSION_BED: 'Infusion beds',
  MONITORING_BED: 'Monitoring beds',
  ICU_BED: 'ICU beds',
  MANUFACTURING_BAY: 'Manufacturing bays (units)',
} as const;
type ResourceName = keyof typeof RESOURCES;
const SPANS = [14, 30, 90, 365] as const;

interface Day {
  siteCode: string;
  unitId: string | null;
  day: string;
  capacity: number;
  free: number;
  nominal: number;
  closedReason: string | null;
}

interface RowTotals {
  row: string;
  free: number;
  capacity: number;
  closedDays: number;
  fullDays: number;
}

/** The days as heatmap cells and per-row totals: a day the calendar opens but nothing can be booked is closed. */
function shape(days: readonly Day[], from: string, span: number): { chart: HeatmapData; totals: RowTotals[] } {
  const labels = Array.from({ length: span }, (_, i) => addDays(from, i));
  const index = new Map(labels.map((d, i) => [d, i]));
  const rowOf = (d: Day) => (d.unitId ? `${d.unitId} (${d.siteCode})` : d.siteCode);
  const rows = [...new Set(days.map(rowOf))];
  const rowIndex = new Map(rows.map((r, i) => [r, i]));
  const totals = rows.map((row) => ({ row, free: 0, capacity: 0, closedDays: 0, fullDays: 0 }));
  const cells = days.map((d) => {
    const t = totals[rowIndex.get(rowOf(d))!]!;
    const closed = d.capacity === 0 && d.nominal > 0;
    t.free += d.free;
    t.capacity += d.capacity;
    if (closed) t.closedDays += 1;
    else if (d.free === 0) t.fullDays += 1;
    return [index.get(d.day)!, rowIndex.get(rowOf(d))!, closed ? CLOSED : d.free, d.closedReason] as const;
  });
  return { chart: { rows, days: labels.map(showDay), cells }, totals };
}

/**
 * The capacity heatmap (issue 15 §4): sites (or units) by day over any range of up to a year, coloured
 * by the places free, closures marked, from the `dailyCapacity` query. Beside it, the same facts per
 * row as a table, for a screen reader and for anyone who wants the figures.
 */
export default function Capacity() {
  const [resource, setResource] = useState<ResourceName>('APHERESIS_CHAIR');
  const [from, setFrom] = useState(todayInUk);
  const [span, setSpan] = useState<number>(30);
  const to = addDays(from, span - 1);
  const [{ data, fetching, error }, refetch] = useQuery<{ dailyCapacity: Day[] }>({ query: DAILY, variables: { resource, from, to } });
  useAskAgainOn(CHANGED, { resource, from, to }, () => refetch({ requestPolicy: 'network-only' }));
  const shaped = useMemo(() => (data ? shape(data.dailyCapacity, from, span) : null), [data, from, span]);
  // Which figures the chart has finished drawing: the ones shown now, or older ones still on the canvas.
  const [drawnFor, setDrawnFor] = useState<object | null>(null);
  const drawn = shaped !== null && drawnFor === shaped;

  return (
    <>
      <h1>Capacity</h1>
      <form class="bedside-filters" onSubmit={(e) => e.preventDefault()}>
        <div class="nhsuk-form-group">
          <label class="nhsuk-label" for="resource">
            Resource
          </label>
          <select class="nhsuk-select" id="resource" value={resource} onChange={(e) => setResource(e.currentTarget.value as ResourceName)}>
            {(Object.keys(RESOURCES) as ResourceName[]).map((r) => (
              <option key={r} value={r}>
                {RESOURCES[r]}
              </option>
            ))}
          </select>
        </div>
        <div class="nhsuk-form-group">
          <label class="nhsuk-label" for="from">
            From (UK date)
          </label>
          <input class="nhsuk-input nhsuk-input--width-10" id="from" type="date" value={from} onChange={(e) => e.currentTarget.value && setFrom(e.currentTarget.value)} />
        </div>
        <div class="nhsuk-form-group">
          <label class="nhsuk-label" for="span">
            Days
          </label>
          <select class="nhsuk-select" id="span" value={String(span)} onChange={(e) => setSpan(Number(e.currentTarget.value))}>
            {SPANS.map((s) => (
              <option key={s} value={String(s)}>
                {s} days
              </option>
            ))}
          </select>
        </div>
      </form>
      {error && <ErrorSummary title="Capacity could not be shown" errors={errorWords(error)} />}
      <p class="nhsuk-body" aria-live="polite" data-testid="heatmap-status" data-drawn={drawn && !fetching ? 'yes' : 'no'} data-from={from} data-days={span}>
        {fetching ? 'Loading capacity…' : shaped ? `${RESOURCES[resource]}, ${showDay(from)} to ${showDay(to)}: ${shaped.totals.length} rows. A blank day is one the calendar does not open (a weekend, a bank holiday).` : ''}
      </p>
      {shaped && shaped.totals.length > 0 && (
        <>
          <Heatmap
            data={shaped.chart}
            label={`Heatmap of free ${RESOURCES[resource].toLowerCase()} by day: ${shaped.totals.reduce((n, t) => n + t.closedDays, 0)} closed days and ${shaped.totals.reduce((n, t) => n + t.fullDays, 0)} full days in all. The table below gives the figures.`}
            onDrawn={() => setDrawnFor(shaped)}
          />
          <table class="nhsuk-table">
            <caption class="nhsuk-table__caption nhsuk-table__caption--s">Per row over the days shown</caption>
            <thead class="nhsuk-table__head">
              <tr class="nhsuk-table__row">
                <th class="nhsuk-table__header" scope="col">Site or unit</th>
                <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">Free</th>
                <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">Bookable</th>
                <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">Days closed</th>
                <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">Days full</th>
              </tr>
            </thead>
            <tbody class="nhsuk-table__body">
              {shaped.totals.map((t) => (
                <tr class="nhsuk-table__row" key={t.row} data-testid="capacity-row">
                  <th class="nhsuk-table__header" scope="row">
                    {t.row}
                  </th>
                  <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{Math.round(t.free * 100) / 100}</td>
                  <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{t.capacity}</td>
                  <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{t.closedDays}</td>
                  <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{t.fullDays}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}
