import { PlanTimeline } from './plan-timeline';
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
 * A step of a new plan against the plan it would replace: as booked when the same step is where and when
 * it was, moved when not; nothing to say when the booked timeline has no such step (transport and QC take
 * no place, so a timeline does not list them).
 */
function against(step: StepRow, before: readonly StepRow[]) {
  const same = before.filter((b) => b.kind === step.kind);
  if (same.length === 0) return '';
  return same.some((b) => b.siteCode === step.siteCode && b.unitId === step.unitId && Date.parse(b.start) === Date.parse(step.start) && Date.parse(b.end) === Date.parse(step.end)) ? 'As booked' : <strong>Moved</strong>;
}

/**
 * A vein-to-vein timeline as a table, step by step in pathway order: what happens, where, on which unit,
 * and when (UK time). A table reads the same to a screen reader as it looks. `booked`: the plan this one
 * would replace; each step then says whether it moves.
 */
export function StepsTable({ caption, steps, booked }: { caption: string; steps: readonly StepRow[]; booked?: readonly StepRow[] }) {
  const withStatus = steps.some((s) => s.status);
  return (
    <>
    <PlanTimeline steps={steps} caption={caption} />
    <table class="nhsuk-table">
      <caption class="nhsuk-table__caption nhsuk-table__caption--s">{caption}</caption>
      <thead class="nhsuk-table__head">
        <tr class="nhsuk-table__row">
          <th class="nhsuk-table__header" scope="col">Step</th>
          <th class="nhsuk-table__header" scope="col">Where</th>
          <th class="nhsuk-table__header" scope="col">When (UK time)</th>
          {withStatus && <th class="nhsuk-table__header" scope="col">Status</th>}
          {booked && <th class="nhsuk-table__header" scope="col">Against the booking</th>}
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
            {booked && <td class="nhsuk-table__cell">{against(s, booked)}</td>}
          </tr>
        ))}
      </tbody>
    </table>
    </>
  );
}
