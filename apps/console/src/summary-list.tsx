import type { ComponentChildren } from 'preact';

/** The NHS design system's summary list: facts as key and value, read in order by a screen reader. */
export function SummaryList({ rows }: { rows: readonly [string, ComponentChildren][] }) {
  return (
    <dl class="nhsuk-summary-list">
      {rows.map(([key, value]) => (
        <div class="nhsuk-summary-list__row" key={key}>
          <dt class="nhsuk-summary-list__key">{key}</dt>
          <dd class="nhsuk-summary-list__value">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
