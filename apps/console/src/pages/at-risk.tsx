import { useState } from 'preact/hooks';
import { useMutation, useQuery } from '@urql/preact';
import { errorWords } from '../api';
import { ErrorSummary } from '../layout';
import { useAskAgainOn } from '../live';
import { StepsTable, type StepRow } from '../steps-table';
import { showDay } from '../words';

/** As many at-risk pathways as one request may ask for with both plans (the API's cost limit, README "Limits"). */
const PAGE = 50;
const AT_RISK = `query AtRisk {
  atRiskPathways(first: ${PAGE}) {
    edges { node {
      pathway { coi patientRef status timeline { kind siteCode unitId start end status } }
      reasons note recollection proposalId
      proposal { unitId treatmentCentre infusionDay veinToVeinDays limitedBy steps { kind siteCode unitId start end } }
    } }
    pageInfo { hasNextPage }
  }
}`;
const RISK_CHANGED = `subscription AtRiskLive { atRiskChanged { pathway { coi } flagged reasons } }`;
const ACCEPT = `mutation AcceptRepair($coi: ID!, $proposalId: ID!) { acceptRepair(coi: $coi, proposalId: $proposalId) { coi patientRef status } }`;

interface AtRiskEntry {
  pathway: { coi: string; patientRef: string; status: string; timeline: StepRow[] };
  reasons: string[];
  note: string | null;
  recollection: boolean;
  proposalId: string | null;
  proposal: { unitId: string; treatmentCentre: string; infusionDay: string; veinToVeinDays: number; limitedBy: string; steps: StepRow[] } | null;
}

/**
 * Bookings that no longer hold (issue 15 §3), with what broke, the plan booked now beside the repair
 * Bedside proposes, and the repair accepted in one click. The proposal is the API's: accepting it books
 * exactly what is shown, or the API says why it no longer can (time has overtaken it, or it changed).
 */
export function AtRisk() {
  const [{ data, fetching, error }, refetch] = useQuery<{ atRiskPathways: { edges: { node: AtRiskEntry }[]; pageInfo: { hasNextPage: boolean } } }>({ query: AT_RISK });
  // A booking flagged or cleared anywhere the user may see shows here as it is recorded.
  useAskAgainOn<{ atRiskChanged: { pathway: { coi: string }; flagged: boolean; reasons: string[] } }>(RISK_CHANGED, {}, () => refetch({ requestPolicy: 'network-only' }));
  const [accept, acceptRepair] = useMutation<{ acceptRepair: { coi: string; patientRef: string; status: string } }>(ACCEPT);
  // Repairs booked here; the at-risk list shows the change a moment later, so the page says so at once.
  const [repaired, setRepaired] = useState<readonly { coi: string; patientRef: string }[]>([]);
  const entries = (data?.atRiskPathways.edges ?? []).map((e) => e.node).filter((n) => !repaired.some((r) => r.coi === n.pathway.coi));

  return (
    <>
      <h1>Patients at risk</h1>
      <p class="nhsuk-body">Bookings that no longer hold, with what broke and the repair Bedside proposes. Accepting a repair books it in place of the booking now.</p>
      {repaired.length > 0 && (
        <div class="nhsuk-inset-text" aria-live="polite" data-testid="repaired">
          <span class="nhsuk-u-visually-hidden">Information: </span>
          {repaired.map((r) => (
            <p key={r.coi}>
              Repair booked for <a href={`/patients/${r.coi}`}>{r.patientRef}</a>: the new plan is in place of the old.
            </p>
          ))}
        </div>
      )}
      {accept.error && <ErrorSummary title="The repair could not be booked" errors={errorWords(accept.error)} />}
      {error && <ErrorSummary title="The patients at risk could not be shown" errors={errorWords(error)} />}
      {fetching && !data && (
        <p class="nhsuk-body" aria-live="polite">
          Loading the patients at risk…
        </p>
      )}
      {data && entries.length === 0 && (
        <p class="nhsuk-body" data-testid="at-risk-count">
          No booking is at risk.
        </p>
      )}
      {entries.length > 0 && (
        <p class="nhsuk-body" data-testid="at-risk-count">
          {entries.length === 1 ? '1 booking is at risk.' : `${entries.length} bookings are at risk.`}
          {data?.atRiskPathways.pageInfo.hasNextPage && ` These are the first ${PAGE}; repair them to see the rest.`}
        </p>
      )}
      {entries.map((entry) => (
        <section class="nhsuk-card" key={entry.pathway.coi} data-testid="at-risk-entry" aria-labelledby={`risk-${entry.pathway.coi}`}>
          <div class="nhsuk-card__content">
            <h2 class="nhsuk-card__heading" id={`risk-${entry.pathway.coi}`}>
              <a href={`/patients/${entry.pathway.coi}`}>{entry.pathway.patientRef}</a> <span class="nhsuk-caption-m">{entry.pathway.coi}</span>
            </h2>
            <h3 class="nhsuk-heading-s nhsuk-u-margin-bottom-1">What broke</h3>
            <ul class="nhsuk-list nhsuk-list--bullet" data-testid="at-risk-reasons">
              {entry.reasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
            {entry.note && <p class="nhsuk-body">{entry.note}</p>}
            <div class="nhsuk-grid-row">
              <div class="nhsuk-grid-column-one-half">
                <StepsTable caption="Booked now" steps={entry.pathway.timeline} />
              </div>
              <div class="nhsuk-grid-column-one-half">
                {entry.proposal ? (
                  <>
                    <StepsTable
                      caption={`Proposed repair: ${entry.recollection ? 'a new collection, ' : ''}infusion ${showDay(entry.proposal.infusionDay)} at ${entry.proposal.treatmentCentre}`}
                      steps={entry.proposal.steps}
                      booked={entry.pathway.timeline}
                    />
                    <p class="nhsuk-body-s">
                      {entry.proposal.veinToVeinDays} days vein to vein on unit {entry.proposal.unitId}. What kept it from being earlier: {entry.proposal.limitedBy}
                    </p>
                  </>
                ) : (
                  <p class="nhsuk-body">Bedside cannot propose a repair now.</p>
                )}
              </div>
            </div>
            {entry.proposal && entry.proposalId && (
              <button
                class="nhsuk-button nhsuk-u-margin-bottom-0"
                type="button"
                disabled={accept.fetching}
                onClick={async () => {
                  const result = await acceptRepair({ coi: entry.pathway.coi, proposalId: entry.proposalId! });
                  if (result.data) setRepaired((done) => [...done, result.data!.acceptRepair]);
                  // Refused or accepted, the list is asked again: a stale proposal has a newer one.
                  refetch({ requestPolicy: 'network-only' });
                }}
              >
                Accept the repair for {entry.pathway.patientRef}
              </button>
            )}
          </div>
        </section>
      ))}
    </>
  );
}
