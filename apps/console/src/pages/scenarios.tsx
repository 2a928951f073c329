import { useQuery } from '@urql/preact';
import { errorWords } from '../api';
import { ErrorSummary } from '../layout';
import { SCENARIOS } from '../scenario-api';
import type { Session } from '../session';
import { showDateTime, showDay } from '../words';

interface Listed {
  id: string;
  name: string;
  version: number;
  asOf: string;
  days: number;
  recordedAt: string;
  recordedBy: string;
}

/** Surge scenarios (issue 15 §4), most recently edited first: planners make and run them; Control Site QA reads them and commits a plan. */
export default function Scenarios({ session }: { session: Session }) {
  const [{ data, fetching, error }] = useQuery<{ scenarios: { edges: { node: Listed }[] } }>({ query: SCENARIOS, requestPolicy: 'cache-and-network' });
  const scenarios = data?.scenarios.edges.map((e) => e.node) ?? [];
  return (
    <>
      <h1>Scenarios</h1>
      <p class="nhsuk-body">Surge questions asked of the network as it stands on a day. A scenario never changes the live network; a run's plan changes it only when Control Site QA commits it.</p>
      {session.role === 'planner' && (
        <a class="nhsuk-button" href="/scenarios/new" role="button" draggable={false}>
          Create a scenario
        </a>
      )}
      {error && <ErrorSummary title="The scenarios could not be shown" errors={errorWords(error)} />}
      {fetching && !data && (
        <p class="nhsuk-body" aria-live="polite">
          Loading the scenarios…
        </p>
      )}
      {data && scenarios.length === 0 && <p class="nhsuk-body">No scenario has been made yet.</p>}
      {scenarios.length > 0 && (
        <table class="nhsuk-table">
          <caption class="nhsuk-table__caption nhsuk-table__caption--s">Scenarios, most recently edited first</caption>
          <thead class="nhsuk-table__head">
            <tr class="nhsuk-table__row">
              <th class="nhsuk-table__header" scope="col">Scenario</th>
              <th class="nhsuk-table__header" scope="col">From, for</th>
              <th class="nhsuk-table__header" scope="col">Last edited (UK time)</th>
            </tr>
          </thead>
          <tbody class="nhsuk-table__body">
            {scenarios.map((s) => (
              <tr class="nhsuk-table__row" key={s.id} data-testid="scenario-row">
                <th class="nhsuk-table__header" scope="row">
                  <a href={`/scenarios/${encodeURIComponent(s.id)}`}>{s.name}</a> (version {s.version})
                </th>
                <td class="nhsuk-table__cell">
                  {showDay(s.asOf)}, {s.days} days
                </td>
                <td class="nhsuk-table__cell">
                  {showDateTime(s.recordedAt)} by {s.recordedBy}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
