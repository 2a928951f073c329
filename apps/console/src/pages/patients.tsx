import { useMemo, useState } from 'preact/hooks';
import { useQuery } from '@urql/preact';
import { errorWords } from '../api';
import { ErrorSummary } from '../layout';
import { useAskAgainOn } from '../live';
import { PATHWAY_SUMMARY_FIELDS, type PathwaySummary } from '../pathway-summary';
import type { Session } from '../session';
import { showDateTime, showDay, STATUS_WORDS, type PathwayStatus } from '../words';

/** As many patients as one request may ask for with their at-risk reasons (the API's cost limit, README "Limits"). */
const PAGE = 200;
const PATIENTS = `query Patients($status: PathwayStatus) {
  pathways(first: ${PAGE}, filter: { status: $status }) {
    edges { node { ${PATHWAY_SUMMARY_FIELDS} } }
    pageInfo { hasNextPage }
  }
  atRiskPathways(first: ${PAGE}) { edges { node { pathway { coi } reasons } } }
}`;

const PATHWAYS_CHANGED = `subscription PatientsLive { pathwayChanged { recordedAt } }`;
const RISK_CHANGED = `subscription PatientsAtRisk { atRiskChanged { pathway { coi } flagged reasons } }`;

interface PatientsData {
  pathways: { edges: { node: PathwaySummary }[]; pageInfo: { hasNextPage: boolean } };
  atRiskPathways: { edges: { node: { pathway: { coi: string }; reasons: string[] } }[] };
}

/**
 * A scheduler's patients (issue 15 §3): their trust's pathways (the API shows a scheduler only their
 * own trust's), those at risk first with why, then the rest as the API lists them; filtered by status
 * (asked of the API) and by a patient reference or Chain of Identity typed in (among those shown).
 */
export function Patients({ session }: { session: Session }) {
  const [status, setStatus] = useState<PathwayStatus | ''>('');
  const [search, setSearch] = useState('');
  const [{ data, fetching, error }, refetch] = useQuery<PatientsData>({ query: PATIENTS, variables: { status: status || null } });
  // A referral, a booking, a step or a risk anywhere in the trust shows here as the read model records it.
  const askAgain = () => refetch({ requestPolicy: 'network-only' });
  useAskAgainOn<{ pathwayChanged: { recordedAt: string } }>(PATHWAYS_CHANGED, {}, askAgain);
  useAskAgainOn<{ atRiskChanged: { pathway: { coi: string }; flagged: boolean; reasons: string[] } }>(RISK_CHANGED, {}, askAgain);

  const rows = useMemo(() => {
    if (!data) return [];
    const atRisk = new Map(data.atRiskPathways.edges.map((e) => [e.node.pathway.coi, e.node.reasons]));
    const wanted = search.trim().toLowerCase();
    return data.pathways.edges
      .map((e) => ({ ...e.node, atRisk: atRisk.get(e.node.coi) ?? null }))
      .filter((p) => !wanted || p.patientRef.toLowerCase().includes(wanted) || p.coi.toLowerCase().includes(wanted))
      .sort((a, b) => Number(b.atRisk !== null) - Number(a.atRisk !== null));
  }, [data, search]);

  return (
    <>
      <h1>Patients{session.trusts.length > 0 ? ` referred by ${session.trusts.join(', ')}` : ''}</h1>
      {error && <ErrorSummary title="Patients could not be shown" errors={errorWords(error)} />}
      <form class="bedside-filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <div class="nhsuk-form-group">
          <label class="nhsuk-label" for="patient-search">
            Patient reference or Chain of Identity
          </label>
          <input class="nhsuk-input nhsuk-input--width-20" id="patient-search" type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        </div>
        <div class="nhsuk-form-group">
          <label class="nhsuk-label" for="status-filter">
            Status
          </label>
          <select class="nhsuk-select" id="status-filter" value={status} onChange={(e) => setStatus(e.currentTarget.value as PathwayStatus | '')}>
            <option value="">Any status</option>
            {(Object.keys(STATUS_WORDS) as PathwayStatus[]).map((s) => (
              <option key={s} value={s}>
                {STATUS_WORDS[s]}
              </option>
            ))}
          </select>
        </div>
      </form>
      <p class="nhsuk-body" aria-live="polite" data-testid="patient-count">
        {fetching && !data ? 'Loading patients…' : `${rows.length} ${rows.length === 1 ? 'patient' : 'patients'}${rows.some((r) => r.atRisk) ? `, ${rows.filter((r) => r.atRisk).length} at risk` : ''}`}
      </p>
      {data?.pathways.pageInfo.hasNextPage && (
        <p class="nhsuk-body">
          These are the first {PAGE} patients{status ? ' in this status' : ''}. Choose a status to see the others.
        </p>
      )}
      {rows.length > 0 && (
        <table class="nhsuk-table-responsive">
          <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">Patients, those at risk first</caption>
          <thead role="rowgroup" class="nhsuk-table__head">
            <tr role="row">
              <th role="columnheader" scope="col">Patient</th>
              <th role="columnheader" scope="col">Status</th>
              <th role="columnheader" scope="col">Product</th>
              <th role="columnheader" scope="col">Treatment centre</th>
              <th role="columnheader" scope="col">Earliest collection</th>
              <th role="columnheader" scope="col">Referred (UK time)</th>
            </tr>
          </thead>
          <tbody class="nhsuk-table__body">
            {rows.map((p) => (
              <tr role="row" class="nhsuk-table__row" key={p.coi} data-testid="patient-row">
                <td role="cell" class="nhsuk-table__cell">
                  <span class="nhsuk-table-responsive__heading" aria-hidden="true">Patient </span>
                  <a href={`/patients/${encodeURIComponent(p.coi)}`}>
                    <strong>{p.patientRef}</strong>
                  </a>
                  <br />
                  <span class="nhsuk-u-font-size-16">{p.coi}</span>
                </td>
                <td role="cell" class="nhsuk-table__cell">
                  <span class="nhsuk-table-responsive__heading" aria-hidden="true">Status </span>
                  {STATUS_WORDS[p.status] ?? p.status}
                  {p.priority !== 'ROUTINE' && <strong class="nhsuk-tag nhsuk-tag--orange bedside-tag">{p.priority === 'EMERGENCY' ? 'Emergency' : 'Urgent'}</strong>}
                  {p.atRisk && (
                    <>
                      <strong class="nhsuk-tag nhsuk-tag--red bedside-tag">At risk</strong>
                      <span class="nhsuk-u-font-size-16 bedside-reasons">{p.atRisk.join(' ')}</span>
                    </>
                  )}
                </td>
                <td role="cell" class="nhsuk-table__cell">
                  <span class="nhsuk-table-responsive__heading" aria-hidden="true">Product </span>
                  {p.productCode}
                </td>
                <td role="cell" class="nhsuk-table__cell">
                  <span class="nhsuk-table-responsive__heading" aria-hidden="true">Treatment centre </span>
                  {p.treatmentCentre ?? 'Not yet planned'}
                </td>
                <td role="cell" class="nhsuk-table__cell">
                  <span class="nhsuk-table-responsive__heading" aria-hidden="true">Earliest collection </span>
                  {showDay(p.earliestCollectionDate)}
                </td>
                <td role="cell" class="nhsuk-table__cell">
                  <span class="nhsuk-table-responsive__heading" aria-hidden="true">Referred </span>
                  {showDateTime(p.referredAt)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
