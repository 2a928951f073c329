import { showSpan, STEP_STATUS_WORDS, STEP_WORDS } from './words';

export interface StepRow {
  kind: string;
  siteCode: string;
  unitId: string | null;
  start: string;
  end: string;
  status?: string;
}

/**
 * A vein-to-vein timeline as a table, step by step in pathway order: what happens, where, on which unit,
 * and when (UK time). A table reads the same to a screen reader as it looks.
 */
export function StepsTable({ caption, steps }: { caption: string; steps: readonly StepRow[] }) {
  const withStatus = steps.some((s) => s.status);
  return (
    <table class="nhsuk-table">
      <caption class="nhsuk-table__caption nhsuk-table__caption--s">{caption}</caption>
      <thead class="nhsuk-table__head">
        <tr class="nhsuk-table__row">
          <th class="nhsuk-table__header" scope="col">Step</th>
          <th class="nhsuk-table__header" scope="col">Where</th>
          <th class="nhsuk-table__header" scope="col">When (UK time)</th>
          {withStatus && <th class="nhsuk-table__header" scope="col">Status</th>}
        </tr>
      </thead>
      <tbody class="nhsuk-table__body">
        {steps.map((s, i) => (
          <tr class="nhsuk-table__row" key={`${s.kind}-${i}`} data-testid="plan-step">
            <td class="nhsuk-table__cell">{STEP_WORDS[s.kind] ?? s.kind}</td>
            <td class="nhsuk-table__cell">
              {s.siteCode}
              {s.unitId ? `, unit ${s.unitId}` : ''}
            </td>
            <td class="nhsuk-table__cell">{showSpan(s.start, s.end)}</td>
            {withStatus && <td class="nhsuk-table__cell">{s.status ? (STEP_STATUS_WORDS[s.status] ?? s.status) : ''}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
