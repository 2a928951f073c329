import { useState } from 'preact/hooks';
import { useClient } from '@urql/preact';
import { TZDate } from '@date-fns/tz';
import { errorWords } from '../api';
import { readFigure, readFigures } from '../figures';
import { Checkbox, TextField } from '../form-fields';
import { ErrorSummary } from '../layout';
import type { StepRow } from '../steps-table';
import { openStepWords, TIME_ZONE, type LifecycleStepKind } from '../words';

export interface OpenStep {
  step: LifecycleStepKind;
  due: boolean;
  handover: 'SHIPPED' | 'RECEIVED' | null;
  conditioningDay: number | null;
  course: number | null;
}
export const OPEN_STEP_FIELDS = 'stepsOpen { step due handover conditioningDay course }';

/** Each step's mutation (schema.graphql), every one with where, when it happened and why late. */
const WHEN = '$occurredAt: DateTime, $lateReason: String';
const AT = 'occurredAt: $occurredAt, lateReason: $lateReason';
const SITE_STEP = (field: string) => `mutation($coi: ID!, $siteCode: String!, ${WHEN}) { ${field}(coi: $coi, siteCode: $siteCode, ${AT}) { status } }`;
const MUTATIONS: Record<LifecycleStepKind, string> = {
  COLLECTION: `mutation($coi: ID!, $siteCode: String!, $sessions: Int!, $cd3YieldE9: Float, ${WHEN}) { recordCollection(input: { coi: $coi, siteCode: $siteCode, sessions: $sessions, cd3YieldE9: $cd3YieldE9, ${AT} }) { status } }`,
  HANDOVER: `mutation($input: HandoverInput!) { recordHandover(input: $input) { status } }`,
  MANUFACTURE_STARTED: `mutation($coi: ID!, $input: ManufactureStartInput!) { startManufacture(coi: $coi, input: $input) { status } }`,
  MANUFACTURE_COMPLETED: SITE_STEP('completeManufacture'),
  MANUFACTURE_FAILED: `mutation($coi: ID!, $siteCode: String!, $reason: String!, ${WHEN}) { failManufacture(coi: $coi, siteCode: $siteCode, reason: $reason, ${AT}) { status } }`,
  PRODUCT_RELEASED: `mutation($coi: ID!, $input: ReleaseInput!) { releaseProduct(coi: $coi, input: $input) { status } }`,
  QC_FAILED: `mutation($coi: ID!, $siteCode: String!, $reason: String!, ${WHEN}) { failQc(coi: $coi, siteCode: $siteCode, reason: $reason, ${AT}) { status } }`,
  AVAILABILITY_CONFIRMED: SITE_STEP('confirmProductAvailability'),
  CONDITIONING_STARTED: SITE_STEP('startConditioning'),
  CONDITIONING_DOSE: `mutation($coi: ID!, $siteCode: String!, $day: Int!, ${WHEN}) { recordConditioningDose(coi: $coi, siteCode: $siteCode, day: $day, ${AT}) { status } }`,
  THAWED: SITE_STEP('recordThaw'),
  INFUSED: `mutation($input: InfusionInput!) { recordInfusion(input: $input) { status } }`,
  DISCHARGED: SITE_STEP('dischargeFromMonitoring'),
  WITHDRAWN: `mutation($coi: ID!, $siteCode: String, $reason: String!, $died: Boolean, ${WHEN}) { withdrawPathway(coi: $coi, siteCode: $siteCode, reason: $reason, died: $died, ${AT}) { status } }`,
};

/** What a scheduler types: every field any step asks, as text, so one form keeps them. */
interface Typed {
  siteCode: string;
  occurredAt: string;
  lateReason: string;
  sessions: string;
  cd3YieldE9: string;
  from: string;
  to: string;
  condition: string;
  scannedCoi: string;
  unitId: string;
  batchId: string;
  reason: string;
  exceptional: boolean;
  died: boolean;
}

const keyOf = (open: OpenStep) => `${open.step}:${open.handover ?? ''}:${open.conditioningDay ?? ''}`;

/** Where a step happens by the plan in place: collection at the apheresis centre, the batch at its unit, the patient at the treatment centre. */
function plannedPlace(open: OpenStep, timeline: readonly StepRow[], treatmentCentre: string | null): { siteCode: string; unitId: string } {
  const of = (kind: string) => timeline.find((s) => s.kind === kind);
  const unit = of('MANUFACTURE');
  const collection = of('APHERESIS')?.siteCode ?? '';
  const bedside = of('INFUSION')?.siteCode ?? treatmentCentre ?? '';
  const atUnit = ['MANUFACTURE_STARTED', 'MANUFACTURE_COMPLETED', 'MANUFACTURE_FAILED', 'PRODUCT_RELEASED', 'QC_FAILED'].includes(open.step) || open.handover === 'RECEIVED';
  const atCollection = open.step === 'COLLECTION' || open.handover === 'SHIPPED';
  return { siteCode: atUnit ? (unit?.siteCode ?? '') : atCollection ? collection : bedside, unitId: unit?.unitId ?? '' };
}

/** A time typed as UK time ("2027-03-01T13:05") as the instant the API takes; empty for now. */
function ukInstant(typed: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(typed);
  if (!m) return null;
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  return new Date(+new TZDate(y, mo - 1, d, h, mi, TIME_ZONE)).toISOString();
}

function variablesFor(coi: string, open: OpenStep, t: Typed): Record<string, unknown> {
  const when = { occurredAt: ukInstant(t.occurredAt), lateReason: t.lateReason.trim() || null };
  const siteCode = t.siteCode.trim();
  switch (open.step) {
    case 'COLLECTION':
      return { coi, siteCode, sessions: readFigure(t.sessions, 'the apheresis sessions').value, cd3YieldE9: readFigure(t.cd3YieldE9, 'the CD3+ yield').value ?? null, ...when };
    case 'HANDOVER':
      return { input: { coi, handover: open.handover, from: t.from, to: t.to, condition: t.condition, scannedCoi: t.scannedCoi.trim(), siteCode, ...when } };
    case 'MANUFACTURE_STARTED':
      return { coi, input: { siteCode, unitId: t.unitId.trim(), batchId: t.batchId.trim() || null, labelCoi: t.scannedCoi.trim() || null, ...when } };
    case 'PRODUCT_RELEASED':
      return { coi, input: { siteCode, exceptional: t.exceptional, reason: t.reason.trim() || null, ...when } };
    case 'INFUSED':
      return { input: { coi, siteCode, productCoi: t.scannedCoi.trim(), ...when } };
    case 'CONDITIONING_DOSE':
      return { coi, siteCode, day: open.conditioningDay, ...when };
    case 'MANUFACTURE_FAILED':
    case 'QC_FAILED':
      return { coi, siteCode, reason: t.reason, ...when };
    case 'WITHDRAWN':
      return { coi, siteCode: siteCode || null, reason: t.reason, died: t.died, ...when };
    default:
      return { coi, siteCode, ...when };
  }
}

/**
 * Record a clinical step (issue 15 §3): only the steps the API would take now are offered
 * (Pathway.stepsOpen, read off the order the mutations enforce), the due one first and chosen. Where
 * and which unit come from the plan in place; what the API refuses (a rule of time or place) is shown
 * in its words, and nothing is recorded.
 */
export function RecordStep({ coi, open, timeline, treatmentCentre, collectionDays, onRecorded }: {
  coi: string;
  open: readonly OpenStep[];
  timeline: readonly StepRow[];
  treatmentCentre: string | null;
  collectionDays: number;
  onRecorded: (words: string) => void;
}) {
  const client = useClient();
  const [chosen, setChosen] = useState(keyOf(open[0]!));
  const step = open.find((o) => keyOf(o) === chosen) ?? open[0]!;
  const place = plannedPlace(step, timeline, treatmentCentre);
  const [typed, setTyped] = useState<Partial<Typed>>({});
  const t: Typed = {
    siteCode: place.siteCode,
    unitId: place.unitId,
    sessions: String(Math.max(1, collectionDays)),
    occurredAt: '',
    lateReason: '',
    cd3YieldE9: '',
    from: '',
    to: '',
    condition: '',
    scannedCoi: '',
    batchId: '',
    reason: '',
    exceptional: false,
    died: false,
    ...typed,
  };
  const set = (field: keyof Typed) => (value: string | boolean) => setTyped({ ...typed, [field]: value });
  const [refusal, setRefusal] = useState<string[]>([]);
  const [sending, setSending] = useState(false);

  const choose = (key: string) => {
    setChosen(key);
    // Where a step happens is the plan's for each step, and a label is read for the step it belongs to;
    // anything else typed for another step stays.
    setTyped(({ siteCode: _site, unitId: _unit, scannedCoi: _label, ...rest }) => rest);
    setRefusal([]);
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    // Figures the API could not even be sent (a word where a number belongs) are said back here.
    const unread =
      step.step === 'COLLECTION'
        ? readFigures([
            ['sessions', t.sessions, 'the apheresis sessions', { required: true, whole: true }],
            ['yield', t.cd3YieldE9, 'the CD3+ yield'],
          ]).problems
        : [];
    if (unread.length > 0) return setRefusal(unread);
    setSending(true);
    const result = await client.mutation(MUTATIONS[step.step], variablesFor(coi, step, t), { requestPolicy: 'network-only' }).toPromise();
    setSending(false);
    if (result.error) return setRefusal(errorWords(result.error));
    setRefusal([]);
    onRecorded(openStepWords(step));
  };
  const id = (field: string) => `step-${field}`;

  return (
    <section aria-labelledby="record-step-title">
      <h2 id="record-step-title">Record a step</h2>
      {refusal.length > 0 && <ErrorSummary title={`${openStepWords(step)} was not recorded`} errors={refusal} />}
      <form onSubmit={submit} noValidate>
        <div class="nhsuk-form-group">
          <fieldset class="nhsuk-fieldset" aria-describedby="step-choice-hint">
            <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Which step happened?</legend>
            <div class="nhsuk-hint" id="step-choice-hint">
              Only the steps that may follow where the pathway stands. The step due is first.
            </div>
            <div class="nhsuk-radios">
              {open.map((o) => (
                <div class="nhsuk-radios__item" key={keyOf(o)}>
                  <input class="nhsuk-radios__input" id={id(keyOf(o))} name="step" type="radio" value={keyOf(o)} checked={keyOf(o) === keyOf(step)} onChange={() => choose(keyOf(o))} />
                  <label class="nhsuk-label nhsuk-radios__label" for={id(keyOf(o))}>
                    {openStepWords(o)}
                    {/* A space before the tag, so that a screen reader says "Cells collected, Due", not one word. */}
                    {o.due && ' '}
                    {o.due && <strong class="nhsuk-tag nhsuk-tag--blue bedside-tag">Due</strong>}
                  </label>
                </div>
              ))}
            </div>
          </fieldset>
        </div>
        <TextField id={id('site')} label="Site code" hint="Where it happened. From the plan booked; change it if it happened elsewhere." value={t.siteCode} onInput={set('siteCode')} width={10} />
        {step.step === 'COLLECTION' && (
          <>
            <TextField id={id('sessions')} label="Apheresis sessions" numeric value={t.sessions} onInput={set('sessions')} width={2} />
            <TextField id={id('yield')} label="CD3+ yield, ×10⁹ cells (optional)" numeric value={t.cd3YieldE9} onInput={set('cd3YieldE9')} width={5} />
          </>
        )}
        {step.step === 'HANDOVER' && (
          <>
            <TextField id={id('from')} label="Handed over by" value={t.from} onInput={set('from')} width={20} />
            <TextField id={id('to')} label="Received by" value={t.to} onInput={set('to')} width={20} />
            <TextField id={id('condition')} label="Condition on handover" hint="Temperature and seal, for example 2-8 °C, seal intact." value={t.condition} onInput={set('condition')} width={20} />
          </>
        )}
        {step.step === 'MANUFACTURE_STARTED' && (
          <>
            <TextField id={id('unit')} label="Modular unit" hint="The unit the plan books. Manufacture starts only there." value={t.unitId} onInput={set('unitId')} width={20} />
            <TextField id={id('batch')} label="Batch id (optional)" hint="Your site's own batch id, if its system assigns one; else Bedside issues one." value={t.batchId} onInput={set('batchId')} width={20} />
          </>
        )}
        {(step.step === 'HANDOVER' || step.step === 'MANUFACTURE_STARTED' || step.step === 'INFUSED') && (
          <TextField
            id={id('label')}
            label={step.step === 'INFUSED' ? 'Chain of Identity on the product label' : step.step === 'HANDOVER' ? 'Chain of Identity on the label' : 'Chain of Identity on the label (optional)'}
            hint="Scan or type it from the label. A label that is not this patient’s stops the step."
            value={t.scannedCoi}
            onInput={set('scannedCoi')}
            width={20}
          />
        )}
        {step.step === 'PRODUCT_RELEASED' && <Checkbox id={id('exceptional')} label="Out of specification: release exceptionally (a second Qualified Person approves)" checked={t.exceptional} onChange={set('exceptional')} />}
        {(step.step === 'MANUFACTURE_FAILED' || step.step === 'QC_FAILED' || step.step === 'WITHDRAWN' || (step.step === 'PRODUCT_RELEASED' && t.exceptional)) && (
          <TextField id={id('reason')} label="Why" value={t.reason} onInput={set('reason')} />
        )}
        {step.step === 'WITHDRAWN' && <Checkbox id={id('died')} label="The patient died" checked={t.died} onChange={set('died')} />}
        <TextField id={id('when')} label="When it happened (UK time, optional)" hint="Leave empty if it has just happened." dateTime value={t.occurredAt} onInput={set('occurredAt')} width={20} />
        {t.occurredAt && (
          <TextField id={id('late')} label="Why it is recorded late" hint="Needed when it is recorded more than an hour after it happened." value={t.lateReason} onInput={set('lateReason')} />
        )}
        <button class="nhsuk-button" type="submit" disabled={sending}>
          Record: {openStepWords(step)}
        </button>
      </form>
    </section>
  );
}
