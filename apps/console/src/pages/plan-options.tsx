import { useState } from 'preact/hooks';
import { useMutation, useQuery } from '@urql/preact';
import { errorWords } from '../api';
import { ErrorSummary } from '../layout';
import { StepsTable, type StepRow } from '../steps-table';
import { showDay } from '../words';

const PLAN_OPTIONS = `query PlanOptions($coi: ID!) {
  planOptions(input: { coi: $coi, count: 3 }) {
    unitId treatmentCentre apheresisCentre infusionDay veinToVeinDays referralToInfusionDays limitedBy meetsClinicalDeadline
    steps { kind siteCode unitId start end }
    slots { resourceKey day session }
  }
}`;

const HOLD = `mutation Hold($input: HoldPlanInput!) { holdPlan(input: $input) { id expiresAt } }`;

interface Plan {
  unitId: string;
  treatmentCentre: string;
  apheresisCentre: string;
  infusionDay: string;
  veinToVeinDays: number;
  referralToInfusionDays: number;
  limitedBy: string;
  meetsClinicalDeadline: boolean | null;
  steps: StepRow[];
  slots: { resourceKey: string; day: string; session: string }[];
}

/**
 * The best plans Bedside can book now (issue 15 §3), earliest infusion first, each drawn step by step
 * with what kept it from being earlier; one is held for the patient with a click. The plans are the
 * API's, so any plan shown is one it will let the scheduler hold.
 */
export function PlanOptions({ coi, onHeld }: { coi: string; onHeld: () => void }) {
  const [{ data, fetching, error }] = useQuery<{ planOptions: Plan[] }>({ query: PLAN_OPTIONS, variables: { coi }, requestPolicy: 'network-only' });
  const [hold, holdPlan] = useMutation(HOLD);
  // One key per plan offered: a second click, or a retry after a lost answer, holds nothing twice.
  const [keys] = useState(() => new Map<number, string>());
  const keyFor = (i: number) => keys.get(i) ?? (keys.set(i, crypto.randomUUID()), keys.get(i)!);

  if (fetching && !data) return <p class="nhsuk-body" aria-live="polite">Finding plans…</p>;
  const plans = data?.planOptions ?? [];
  return (
    <section aria-labelledby="plans-heading">
      <h2 id="plans-heading">Plans</h2>
      {error && <ErrorSummary title="No plan could be found" errors={errorWords(error)} />}
      {hold.error && <ErrorSummary title="The plan could not be held" errors={errorWords(hold.error)} />}
      {!error && plans.length === 0 && <p class="nhsuk-body">No plan fits within the days searched.</p>}
      {plans.map((plan, i) => (
        <div class="nhsuk-card" key={i} data-testid="plan-option">
          <div class="nhsuk-card__content">
            <h3 class="nhsuk-card__heading">
              Plan {i + 1}: infusion {showDay(plan.infusionDay)} at {plan.treatmentCentre}
            </h3>
            <p class="nhsuk-card__description">
              {plan.veinToVeinDays} days vein to vein, {plan.referralToInfusionDays} from referral to infusion; made on unit {plan.unitId}.
              {plan.meetsClinicalDeadline === false && <strong> It misses the clinical deadline.</strong>}
            </p>
            <p class="nhsuk-body-s">What kept it from being earlier: {plan.limitedBy}</p>
            <StepsTable caption={`Plan ${i + 1}, step by step`} steps={plan.steps} />
            <button
              class="nhsuk-button nhsuk-u-margin-bottom-0"
              type="button"
              disabled={hold.fetching}
              onClick={async () => {
                // The slots exactly as offered, without the client's cache marks (__typename), which SlotInput refuses.
                const slots = plan.slots.map(({ resourceKey, day, session }) => ({ resourceKey, day, session }));
                const result = await holdPlan({ input: { coi, slots, idempotencyKey: keyFor(i) } });
                if (!result.error) onHeld();
              }}
            >
              Hold plan {i + 1}
            </button>
          </div>
        </div>
      ))}
    </section>
  );
}
