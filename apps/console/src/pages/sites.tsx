import { useState } from 'preact/hooks';
import { useClient, useMutation, useQuery } from '@urql/preact';
import type { CombinedError } from '@urql/core';
import { errorWords } from '../api';
import { ErrorSummary } from '../layout';
import type { Session } from '../session';
import { QUALIFICATION_WORDS, showDateTime, SITE_STATUS_WORDS } from '../words';

const PAGE = 200;
const SITES = `query Sites {
  network {
    sites(first: ${PAGE}) {
      edges { node { code name kind status trustCode statusReason statusChangedAt statusChangedBy changesOpen { action to reasonRequired signed } } }
    }
    units(first: ${PAGE}) { edges { node { id name currentSiteCode qualification qualificationReason qualificationChangedAt } } }
  }
}`;

/** Each lifecycle change is made by the mutation of its name (schema.graphql SiteAction). */
const CHANGE = {
  ONBOARD: `mutation($code: ID!, $reason: String) { onboardSite(code: $code, reason: $reason) { code status } }`,
  ACTIVATE: `mutation($code: ID!, $reason: String) { activateSite(code: $code, reason: $reason) { code status } }`,
  PAUSE: `mutation($code: ID!, $reason: String!) { pauseSite(code: $code, reason: $reason) { code status } }`,
  SUSPEND: `mutation($code: ID!, $reason: String!) { suspendSite(code: $code, reason: $reason) { code status } }`,
  CEASE: `mutation($code: ID!, $reason: String!) { ceaseSite(code: $code, reason: $reason) { code status } }`,
} as const;
type Action = keyof typeof CHANGE;
const ACTION_WORDS: Record<Action, string> = { ONBOARD: 'Start onboarding', ACTIVATE: 'Activate', PAUSE: 'Pause', SUSPEND: 'Suspend', CEASE: 'Close for good' };
const QUALIFY = `mutation($id: ID!, $state: QualificationState!, $reason: String!) { setUnitQualification(id: $id, state: $state, reason: $reason) { id qualification } }`;

interface SiteRow {
  code: string;
  name: string;
  kind: string;
  status: string;
  trustCode: string | null;
  statusReason: string | null;
  statusChangedAt: string;
  statusChangedBy: string;
  changesOpen: { action: Action; to: string; reasonRequired: boolean; signed: boolean }[];
}
interface UnitRow {
  id: string;
  name: string;
  currentSiteCode: string;
  qualification: string;
  qualificationReason: string | null;
  qualificationChangedAt: string;
}

/** One site's lifecycle changes: only those the API says are open to it, each with the reason recorded. */
function SiteChange({ site, onChanged }: { site: SiteRow; onChanged: () => void }) {
  const [action, setAction] = useState<Action | ''>('');
  const [reason, setReason] = useState('');
  const client = useClient();
  const [refusal, setRefusal] = useState<CombinedError | null>(null);
  const [sending, setSending] = useState(false);
  const chosen = site.changesOpen.find((c) => c.action === action);
  if (site.changesOpen.length === 0) return <p class="nhsuk-body-s">No change is open to a {SITE_STATUS_WORDS[site.status]?.toLowerCase()} site.</p>;
  return (
    <form
      onSubmit={async (e) => {
        e.preventDefault();
        if (!action) return;
        // Sent as typed, blank included: the API judges whether this change needs a reason, and says so.
        setSending(true);
        const done = await client.mutation(CHANGE[action], { code: site.code, reason: reason.trim() }).toPromise();
        setSending(false);
        setRefusal(done.error ?? null);
        if (!done.error) {
          setAction('');
          setReason('');
          onChanged();
        }
      }}
    >
      {refusal && <ErrorSummary title={`${site.name} could not be changed`} errors={errorWords(refusal)} />}
      <div class="nhsuk-form-group">
        <label class="nhsuk-label" for={`change-${site.code}`}>
          Change {site.code}
        </label>
        <select class="nhsuk-select" id={`change-${site.code}`} value={action} onChange={(e) => setAction(e.currentTarget.value as Action | '')}>
          <option value="">Choose a change</option>
          {site.changesOpen.map((c) => (
            <option key={c.action} value={c.action}>
              {ACTION_WORDS[c.action]} (to {SITE_STATUS_WORDS[c.to]}){c.signed ? ', signed by you' : ''}
            </option>
          ))}
        </select>
      </div>
      <div class="nhsuk-form-group">
        <label class="nhsuk-label" for={`reason-${site.code}`}>
          Why {chosen ? (chosen.reasonRequired ? '(required)' : '(optional)') : ''}
        </label>
        <input class="nhsuk-input" id={`reason-${site.code}`} type="text" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </div>
      <button class="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0" type="submit" disabled={!action || sending}>
        Record the change
      </button>
    </form>
  );
}

/** One unit's qualification, changed with the reason (setUnitQualification). */
function UnitQualification({ unit, onChanged }: { unit: UnitRow; onChanged: () => void }) {
  const [state, setState] = useState(unit.qualification);
  const [reason, setReason] = useState('');
  const [result, qualify] = useMutation(QUALIFY);
  return (
    <form
      class="bedside-filters"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!(await qualify({ id: unit.id, state, reason })).error) {
          setReason('');
          onChanged();
        }
      }}
    >
      {result.error && <ErrorSummary title={`${unit.id} could not be changed`} errors={errorWords(result.error)} />}
      <div class="nhsuk-form-group">
        <label class="nhsuk-label" for={`qualification-${unit.id}`}>
          Qualification of {unit.id}
        </label>
        <select class="nhsuk-select" id={`qualification-${unit.id}`} value={state} onChange={(e) => setState(e.currentTarget.value)}>
          {Object.entries(QUALIFICATION_WORDS).map(([value, words]) => (
            <option key={value} value={value}>
              {words}
            </option>
          ))}
        </select>
      </div>
      <div class="nhsuk-form-group">
        <label class="nhsuk-label" for={`qualification-reason-${unit.id}`}>
          Why
        </label>
        <input class="nhsuk-input nhsuk-input--width-20" id={`qualification-reason-${unit.id}`} type="text" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </div>
      <div class="nhsuk-form-group">
        <button class="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0" type="submit" disabled={result.fetching}>
          Record
        </button>
      </div>
    </form>
  );
}

/**
 * Sites and units for Control Site QA (issue 15 §5): each site's lifecycle status with who changed it
 * and why, the changes open to it (the API's `changesOpen`, read off the same table the API judges by),
 * and each unit's qualification, every change recorded with its reason. Planners read it; only Control
 * Site QA may change a site or a unit (README "Who may do what"), so only they are offered the changes.
 */
export function Sites({ session }: { session: Session }) {
  const mayChange = session.role === 'control_site_qa';
  const [{ data, fetching, error }, refetch] = useQuery<{ network: { sites: { edges: { node: SiteRow }[] }; units: { edges: { node: UnitRow }[] } } }>({ query: SITES });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  if (fetching && !data) return <p class="nhsuk-body" aria-live="polite">Loading the sites…</p>;
  if (error && !data) return <ErrorSummary title="The sites could not be shown" errors={errorWords(error)} />;
  const sites = data?.network.sites.edges.map((e) => e.node) ?? [];
  const units = data?.network.units.edges.map((e) => e.node) ?? [];
  return (
    <>
      <h1>Sites and units</h1>
      <p class="nhsuk-body">Each site's place in its lifecycle and each unit's qualification, with who changed it, when and why. Every change is recorded with its reason in the site's or unit's audit trail.</p>
      {!mayChange && (
        <p class="nhsuk-body" data-testid="read-only">
          Only Control Site QA changes sites and units; this page shows them to you as they stand.
        </p>
      )}
      <h2>Sites</h2>
      {sites.map((site) => (
        <section class="nhsuk-card" key={site.code} data-testid="site" aria-labelledby={`site-${site.code}`}>
          <div class="nhsuk-card__content">
            <h3 class="nhsuk-card__heading" id={`site-${site.code}`}>
              {site.name} <span class="nhsuk-caption-m">{site.code}</span>
            </h3>
            <p class="nhsuk-body" data-testid="site-status">
              <strong>{SITE_STATUS_WORDS[site.status] ?? site.status}</strong>
              {site.statusReason ? `: ${site.statusReason}` : ''} ({site.statusChangedBy}, {showDateTime(site.statusChangedAt)} UK time)
            </p>
            {mayChange && <SiteChange site={site} onChanged={reload} />}
            <p class="nhsuk-body-s nhsuk-u-margin-top-3 nhsuk-u-margin-bottom-0">
              <a href={`/audit?stream=${encodeURIComponent(`site-${site.code}`)}`}>Audit trail of {site.code}</a>
            </p>
          </div>
        </section>
      ))}
      <h2>Units</h2>
      {units.map((unit) => (
        <section class="nhsuk-card" key={unit.id} data-testid="unit" aria-labelledby={`unit-${unit.id}`}>
          <div class="nhsuk-card__content">
            <h3 class="nhsuk-card__heading" id={`unit-${unit.id}`}>
              {unit.id} <span class="nhsuk-caption-m">at {unit.currentSiteCode}</span>
            </h3>
            <p class="nhsuk-body" data-testid="unit-qualification">
              <strong>{QUALIFICATION_WORDS[unit.qualification] ?? unit.qualification}</strong>
              {unit.qualificationReason ? `: ${unit.qualificationReason}` : ''} ({showDateTime(unit.qualificationChangedAt)} UK time)
            </p>
            {mayChange && <UnitQualification unit={unit} onChanged={reload} />}
          </div>
        </section>
      ))}
    </>
  );
}
