import { useQuery } from '@urql/preact';
import { errorWords } from '../api';
import { ErrorSummary, ScrollRegion } from '../layout';
import { DEPLOYMENT_STATUS_WORDS, showDay } from '../words';

const DEPLOYMENTS = `query Deployments {
  deployments(first: 200) {
    edges { node { id unitId fromSiteCode toSiteCode recall leavesOn availableFrom travelHours tearDownDays travelDays setUpDays requalificationDays reason status strandedCois } }
  }
}`;

interface Deployment {
  id: string;
  unitId: string;
  fromSiteCode: string;
  toSiteCode: string;
  recall: boolean;
  leavesOn: string;
  availableFrom: string;
  travelHours: number;
  tearDownDays: number;
  travelDays: number;
  setUpDays: number;
  requalificationDays: number;
  reason: string;
  status: string;
  strandedCois: string[];
}


/**
 * Deployments of mobile units in force (issue 15 §5), as the API's `deployments` lists them: which unit
 * goes where, when it leaves and when it can make product again (tear-down, travel, set-up and
 * requalification days), why, and any patient whose booking it strands.
 */
export function Deployments() {
  const [{ data, fetching, error }] = useQuery<{ deployments: { edges: { node: Deployment }[] } }>({ query: DEPLOYMENTS, requestPolicy: 'cache-and-network' });
  const deployments = data?.deployments.edges.map((e) => e.node) ?? [];
  return (
    <>
      <h1>Deployments</h1>
      {error && <ErrorSummary title="The deployments could not be shown" errors={errorWords(error)} />}
      {fetching && !data && (
        <p class="nhsuk-body" aria-live="polite">
          Loading the deployments…
        </p>
      )}
      {data && (
        <p class="nhsuk-body" data-testid="deployment-count">
          {deployments.length === 0 ? 'No unit is deployed or on its way.' : deployments.length === 1 ? '1 deployment in force.' : `${deployments.length} deployments in force.`}
        </p>
      )}
      {deployments.length > 0 && (
        <ScrollRegion label="Deployments">
          <table class="nhsuk-table">
            <caption class="nhsuk-table__caption nhsuk-table__caption--s">Deployments in force, in the order they leave</caption>
            <thead class="nhsuk-table__head">
              <tr class="nhsuk-table__row">
                <th class="nhsuk-table__header" scope="col">Unit</th>
                <th class="nhsuk-table__header" scope="col">From, to</th>
                <th class="nhsuk-table__header" scope="col">Leaves</th>
                <th class="nhsuk-table__header" scope="col">Makes product again from</th>
                <th class="nhsuk-table__header" scope="col">Status</th>
                <th class="nhsuk-table__header" scope="col">Why</th>
              </tr>
            </thead>
            <tbody class="nhsuk-table__body">
              {deployments.map((d) => (
                <tr class="nhsuk-table__row" key={d.id} data-testid="deployment-row">
                  <th class="nhsuk-table__header" scope="row">
                    {d.unitId}
                    {d.recall && <span class="nhsuk-tag bedside-tag">recall</span>}
                  </th>
                  <td class="nhsuk-table__cell">
                    {d.fromSiteCode} to {d.toSiteCode} ({Math.round(d.travelHours * 10) / 10} h on the road)
                  </td>
                  <td class="nhsuk-table__cell">{showDay(d.leavesOn)}</td>
                  <td class="nhsuk-table__cell">
                    {showDay(d.availableFrom)}
                    <span class="nhsuk-body-s bedside-reasons">
                      {d.tearDownDays} to take down, {d.travelDays} travelling, {d.setUpDays} to set up, {d.requalificationDays} to requalify (days)
                    </span>
                  </td>
                  <td class="nhsuk-table__cell">{DEPLOYMENT_STATUS_WORDS[d.status] ?? d.status}</td>
                  <td class="nhsuk-table__cell">
                    {d.reason}
                    {d.strandedCois.length > 0 && <strong class="bedside-reasons">Strands the bookings of {d.strandedCois.join(', ')}</strong>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
    </>
  );
}
