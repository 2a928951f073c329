import { useQuery } from '@urql/preact';
import { errorWords } from '../api';
import { ErrorSummary } from '../layout';
import { PRIORITY_WORDS, showDateTime } from '../words';

const PAGE = 200;
const WAITLIST = `query Waitlist {
  waitlist(first: ${PAGE}) {
    edges { node {
      place joinedAt reason
      pathway { coi patientRef productCode }
      priority { priority priorityPoints daysWaiting waitingPoints daysToDeadline deadlinePoints score }
    } }
    pageInfo { hasNextPage }
  }
}`;

interface WaitlistEntry {
  place: number;
  joinedAt: string;
  reason: string;
  pathway: { coi: string; patientRef: string; productCode: string };
  priority: {
    priority: keyof typeof PRIORITY_WORDS;
    priorityPoints: number;
    daysWaiting: number;
    waitingPoints: number;
    daysToDeadline: number | null;
    deadlinePoints: number;
    score: number;
  };
}

const deadlineWords = (days: number | null) => (days === null ? 'No deadline' : days < 0 ? `Passed ${-days} days ago` : `In ${days} days`);

/**
 * The waitlist (issue 15 §3): patients no plan could be found for, in the order the API offers freed
 * places, each with the inputs of its priority score, so a scheduler sees why one is ahead of another.
 * The score is the API's (schema.graphql PriorityScore); the console only shows its parts.
 */
export function Waitlist() {
  const [{ data, fetching, error }] = useQuery<{ waitlist: { edges: { node: WaitlistEntry }[]; pageInfo: { hasNextPage: boolean } } }>({ query: WAITLIST, requestPolicy: 'cache-and-network' });
  const entries = data?.waitlist.edges.map((e) => e.node) ?? [];
  return (
    <>
      <h1>Waitlist</h1>
      <p class="nhsuk-body">
        Patients waiting for a place, highest score first. When a place frees, Bedside offers it in this order. Points: clinical priority (emergency 100, urgent 50, routine 10), 1 a day on the list, and 2 a day for a clinical deadline within 30 days.
      </p>
      {error && <ErrorSummary title="The waitlist could not be shown" errors={errorWords(error)} />}
      {fetching && !data && (
        <p class="nhsuk-body" aria-live="polite">
          Loading the waitlist…
        </p>
      )}
      {data && (
        <p class="nhsuk-body" data-testid="waitlist-count">
          {entries.length === 0 ? 'Nobody is waiting.' : entries.length === 1 ? '1 patient is waiting.' : `${entries.length} patients are waiting.`}
          {data.waitlist.pageInfo.hasNextPage && ` These are the first ${PAGE}.`}
        </p>
      )}
      {entries.length > 0 && (
        <table class="nhsuk-table">
          <caption class="nhsuk-table__caption nhsuk-table__caption--s">The waitlist, with each score's inputs</caption>
          <thead class="nhsuk-table__head">
            <tr class="nhsuk-table__row">
              <th class="nhsuk-table__header" scope="col">Place</th>
              <th class="nhsuk-table__header" scope="col">Patient</th>
              <th class="nhsuk-table__header" scope="col">Priority</th>
              <th class="nhsuk-table__header" scope="col">Waiting since (UK time)</th>
              <th class="nhsuk-table__header" scope="col">Clinical deadline</th>
              <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">Score</th>
              <th class="nhsuk-table__header" scope="col">Why waiting</th>
            </tr>
          </thead>
          <tbody class="nhsuk-table__body">
            {entries.map((e) => (
              <tr class="nhsuk-table__row" key={e.pathway.coi} data-testid="waitlist-row">
                <td class="nhsuk-table__cell">{e.place}</td>
                <th class="nhsuk-table__header" scope="row">
                  <a href={`/patients/${e.pathway.coi}`}>{e.pathway.patientRef}</a>
                  <span class="nhsuk-body-s bedside-reasons">{e.pathway.productCode}</span>
                </th>
                <td class="nhsuk-table__cell">
                  {PRIORITY_WORDS[e.priority.priority]}: {e.priority.priorityPoints} points
                </td>
                <td class="nhsuk-table__cell">
                  {showDateTime(e.joinedAt)}: {e.priority.daysWaiting} days, {e.priority.waitingPoints} points
                </td>
                <td class="nhsuk-table__cell">
                  {deadlineWords(e.priority.daysToDeadline)}: {e.priority.deadlinePoints} points
                </td>
                <td class="nhsuk-table__cell nhsuk-table__cell--numeric" data-testid="waitlist-score">
                  {e.priority.score}
                </td>
                <td class="nhsuk-table__cell">{e.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
