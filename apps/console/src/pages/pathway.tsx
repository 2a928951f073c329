import { useEffect, useState } from 'preact/hooks';
import { useQuery } from '@urql/preact';
import { useRoute } from 'preact-iso';
import { errorWords } from '../api';
import { ErrorSummary } from '../layout';
import { useAskAgainOn } from '../live';
import { StepsTable, type StepRow } from '../steps-table';
import { PATHWAY_SUMMARY_FIELDS, type PathwaySummary } from '../pathway-summary';
import { SummaryList } from '../summary-list';
import { DRUG_CLASS_WORDS, PRIORITY_WORDS, showDateTime, showDay, STATUS_WORDS, type PathwayStatus } from '../words';
import { HeldPlan } from './held-plan';
import { PlanOptions } from './plan-options';
import { OPEN_STEP_FIELDS, RecordStep, type OpenStep } from './record-step';

const PATHWAY = `query Pathway($coi: ID!) {
  pathway(coi: $coi) {
    ${PATHWAY_SUMMARY_FIELDS}
    homeDistrict stayDistrict holdId holdExpiresAt
    washout { drugClass lastDoseDate }
    timeline { kind siteCode unitId start end status }
    ${OPEN_STEP_FIELDS}
  }
}`;

const CHANGED = `subscription PathwayLive($coi: ID!) { pathwayChanged(coi: $coi) { recordedAt } }`;

interface PathwayView extends PathwaySummary {
  homeDistrict: string | null;
  stayDistrict: string | null;
  holdId: string | null;
  holdExpiresAt: string | null;
  washout: { drugClass: keyof typeof DRUG_CLASS_WORDS; lastDoseDate: string | null };
  timeline: StepRow[];
  stepsOpen: OpenStep[];
}

/**
 * One patient's pathway (issue 15 §3): the referral's facts, then what to do next. A referral gets plans
 * to hold; a held plan counts down to confirm or release; a booked one shows its timeline.
 */
export function Pathway() {
  const { params } = useRoute();
  const coi = params.coi!;
  const [{ data, fetching, error }, refetch] = useQuery<{ pathway: PathwayView | null }>({ query: PATHWAY, variables: { coi } });
  const p = data?.pathway;
  // The read model shows what the API recorded a moment later, and `pathwayChanged` says when: the
  // page asks again then, whoever made the change (this scheduler, a colleague, the at-risk watch).
  useAskAgainOn<{ pathwayChanged: { recordedAt: string } }>(CHANGED, { coi }, () => refetch({ requestPolicy: 'network-only' }));
  const [waitingFor, setWaitingFor] = useState<readonly PathwayStatus[] | null>(null);
  const shown = p?.status;
  useEffect(() => {
    if (!waitingFor) return;
    if (shown && waitingFor.includes(shown)) return setWaitingFor(null);
    // Should the live connection be down, ask again anyway, less often.
    const timer = setTimeout(() => refetch({ requestPolicy: 'network-only' }), 2000);
    return () => clearTimeout(timer);
  }, [waitingFor, shown, fetching]);
  const reload = (expected: readonly PathwayStatus[]) => setWaitingFor(expected);
  const [recorded, setRecorded] = useState<string | null>(null);
  // The API answers a step once its read model shows it: asked again at once, the page shows the step recorded.
  const stepRecorded = (words: string) => {
    setRecorded(words);
    refetch({ requestPolicy: 'network-only' });
  };
  if (fetching && !data) return <p class="nhsuk-body" aria-live="polite">Loading the pathway…</p>;
  if (error) return <ErrorSummary title="The pathway could not be shown" errors={errorWords(error)} />;
  if (!p) {
    return (
      <>
        <h1>No such pathway</h1>
        <p class="nhsuk-body">
          There is no pathway {coi} that you may see. Find the patient in <a href="/patients">Patients</a>.
        </p>
      </>
    );
  }
  return (
    <>
      <a class="nhsuk-back-link" href="/patients">
        Patients
      </a>
      <h1>
        <span class="nhsuk-caption-l">{p.coi}</span>
        {p.patientRef}
      </h1>
      <p class="nhsuk-body-l" data-testid="pathway-status">
        {STATUS_WORDS[p.status] ?? p.status}
      </p>
      {waitingFor && (
        <p class="nhsuk-body" aria-live="polite">
          Recorded; updating…
        </p>
      )}
      <SummaryList
        rows={[
          ['Product', p.productCode],
          ['Priority', PRIORITY_WORDS[p.priority]],
          ['Referred by', p.referringTrust],
          ['Referred (UK time)', showDateTime(p.referredAt)],
          ['Treatment centre', p.treatmentCentre ?? 'Chosen with the plan'],
          ['Washout', p.washout.drugClass === 'NONE' ? 'None' : `${DRUG_CLASS_WORDS[p.washout.drugClass]}, last dose ${p.washout.lastDoseDate ? showDay(p.washout.lastDoseDate) : 'not given'}`],
          ['Earliest collection', showDay(p.earliestCollectionDate)],
          ['Stays during monitoring in', p.stayDistrict ?? p.homeDistrict ?? 'Not given'],
        ]}
      />
      {p.status === 'PLAN_HELD' && p.holdId && p.holdExpiresAt && <HeldPlan holdId={p.holdId} expiresAt={p.holdExpiresAt} onChange={(confirmed) => reload(confirmed ? ['BOOKED'] : ['REFERRED'])} />}
      {p.timeline.length > 0 && <StepsTable caption={p.status === 'PLAN_HELD' ? 'The plan held' : 'The plan booked'} steps={p.timeline} />}
      {recorded && (
        <div class="nhsuk-inset-text" aria-live="polite" data-testid="step-recorded">
          <span class="nhsuk-u-visually-hidden">Information: </span>
          <p>Recorded: {recorded}.</p>
        </div>
      )}
      {p.status !== 'REFERRED' && p.status !== 'PLAN_HELD' && p.stepsOpen.length > 0 && (
        <RecordStep
          // A step recorded changes what is open: the form starts again on the step now due.
          key={p.stepsOpen.map((o) => `${o.step}${o.handover ?? ''}${o.conditioningDay ?? ''}`).join()}
          coi={p.coi}
          open={p.stepsOpen}
          timeline={p.timeline}
          treatmentCentre={p.treatmentCentre}
          collectionDays={p.timeline.filter((s) => s.kind === 'APHERESIS').length}
          onRecorded={stepRecorded}
        />
      )}
      {p.status === 'REFERRED' && <PlanOptions coi={p.coi} onHeld={() => reload(['PLAN_HELD'])} />}
      <p class="nhsuk-body">
        <a href={`/audit?stream=${encodeURIComponent(`pathway-${p.coi}`)}`}>Everything recorded for this patient (audit trail)</a>
      </p>
    </>
  );
}
