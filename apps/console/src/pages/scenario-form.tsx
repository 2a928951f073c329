import { useState } from 'preact/hooks';
import { useClient, useQuery } from '@urql/preact';
import { useLocation, useRoute } from 'preact-iso';
import { errorWords } from '../api';
import { RowsEditor, TextField, type RowColumn, type TypedRow } from '../form-fields';
import { ErrorSummary } from '../layout';
import { readFigure } from '../figures';
import { CREATE_SCENARIO, REGIONS, SCENARIO, UNIT_KINDS, UPDATE_SCENARIO, type Region, type ScenarioAssumptions, type ScenarioVersion } from '../scenario-api';
import { todayInUk } from '../words';

/** Every figure of the assumptions as typed; lists as rows of typed cells. */
interface Typed {
  name: string;
  asOf: string;
  days: string;
  vialsPerHour: string;
  dosesPerVial: string;
  shiftsPerDay: string;
  hoursPerShift: string;
  effectiveOutputFactor: string;
  teardownDays: string;
  setupDays: string;
  requalificationDays: string;
  releaseDays: string;
  unitsRemoved: string;
  vaccineDemand: TypedRow[];
  referralsPerWeek: TypedRow[];
  unitsAdded: TypedRow[];
  outages: TypedRow[];
  processChanges: TypedRow[];
}

const DEMAND: RowColumn[] = [
  { key: 'region', label: 'Region', choices: REGIONS },
  { key: 'day', label: 'From day', numeric: true, width: 3 },
  { key: 'doses', label: 'Doses wanted', numeric: true, width: 10 },
  { key: 'deadline', label: 'Deadline day (optional)', numeric: true, width: 3 },
  { key: 'weight', label: 'Weight (optional)', numeric: true, width: 3 },
];
const REFERRALS: RowColumn[] = [
  { key: 'region', label: 'Region', choices: REGIONS },
  { key: 'productCode', label: 'Product', width: 10 },
  { key: 'perWeek', label: 'Referrals a week', numeric: true, width: 4 },
];
const UNITS: RowColumn[] = [
  { key: 'unitId', label: 'Unit id', width: 10 },
  { key: 'kind', label: 'Makes', choices: UNIT_KINDS },
  { key: 'region', label: 'Stands in', choices: REGIONS },
];
const OUTAGES: RowColumn[] = [
  { key: 'target', label: 'Unit or site', width: 10 },
  { key: 'fromDay', label: 'From day', numeric: true, width: 3 },
  { key: 'toDay', label: 'To day', numeric: true, width: 3 },
];
const PROCESS: RowColumn[] = [
  { key: 'productCode', label: 'Product', width: 10 },
  { key: 'manufactureDays', label: 'Manufacture days (optional)', numeric: true, width: 3 },
  { key: 'qcReleaseDays', label: 'QC release days (optional)', numeric: true, width: 3 },
];

const text = (n: number | null | undefined) => (n === null || n === undefined ? '' : String(n));
/** Rows as typed from what the API gave (without the GraphQL client's __typename, which no input takes). */
const rowsOf = <T extends object>(items: readonly T[]): TypedRow[] =>
  items.map((item) => Object.fromEntries(Object.entries(item).filter(([k]) => k !== '__typename').map(([k, v]) => [k, typeof v === 'string' ? v : text(v as number | null)])) as TypedRow);

/** A new scenario starts from the figures of a typical mobile fill-finish unit (README "Surge scenarios"); the planner changes what differs. */
const fresh = (): Typed => ({
  name: '',
  asOf: todayInUk(),
  days: '60',
  vialsPerHour: '300',
  dosesPerVial: '10',
  shiftsPerDay: '2',
  hoursPerShift: '8',
  effectiveOutputFactor: '0.7',
  teardownDays: '1',
  setupDays: '2',
  requalificationDays: '18',
  releaseDays: '3',
  unitsRemoved: '',
  vaccineDemand: [{ region: 'LON', day: '0', doses: '', deadline: '', weight: '' }],
  referralsPerWeek: [],
  unitsAdded: [],
  outages: [],
  processChanges: [],
});

const typedFrom = (s: ScenarioVersion): Typed => ({
  name: s.name,
  asOf: s.asOf,
  days: text(s.days),
  vialsPerHour: text(s.fillFinish.vialsPerHour),
  dosesPerVial: text(s.fillFinish.dosesPerVial),
  shiftsPerDay: text(s.fillFinish.shiftsPerDay),
  hoursPerShift: text(s.fillFinish.hoursPerShift),
  effectiveOutputFactor: text(s.fillFinish.effectiveOutputFactor),
  teardownDays: text(s.teardownDays),
  setupDays: text(s.setupDays),
  requalificationDays: text(s.requalificationDays),
  releaseDays: text(s.releaseDays),
  unitsRemoved: s.unitsRemoved.join(', '),
  vaccineDemand: rowsOf(s.vaccineDemand),
  referralsPerWeek: rowsOf(s.referralsPerWeek),
  unitsAdded: rowsOf(s.unitsAdded),
  outages: rowsOf(s.outages),
  processChanges: rowsOf(s.processChanges),
});

type Options = { required?: boolean; whole?: boolean };
const WHOLE = { required: true, whole: true } as const;

/**
 * The assumptions as the API takes them, or every figure that could not be read, each named in words
 * (row by row for lists: "the doses wanted in demand 2"). Bounds are the API's to judge.
 */
function assumptionsFrom(t: Typed): { input: ScenarioAssumptions } | { problems: string[] } {
  const problems: string[] = [];
  const read = (typed: string | undefined, label: string, options: Options = WHOLE): number | null => {
    const figure = readFigure(typed, label, options);
    if (figure.problem) problems.push(figure.problem);
    return figure.value ?? null;
  };
  const rows = <T,>(typed: readonly TypedRow[], noun: string, each: (row: TypedRow, of: string) => T): T[] => typed.map((row, i) => each(row, ` in ${noun} ${i + 1}`));
  const input: ScenarioAssumptions = {
    name: t.name,
    asOf: t.asOf,
    days: read(t.days, 'the days planned')!,
    fillFinish: {
      vialsPerHour: read(t.vialsPerHour, 'the vials an hour', { required: true })!,
      dosesPerVial: read(t.dosesPerVial, 'the doses a vial')!,
      shiftsPerDay: read(t.shiftsPerDay, 'the shifts a day')!,
      hoursPerShift: read(t.hoursPerShift, 'the hours a shift', { required: true })!,
      effectiveOutputFactor: read(t.effectiveOutputFactor, 'the share of time filling', { required: true })!,
    },
    teardownDays: read(t.teardownDays, 'the days to pack up')!,
    setupDays: read(t.setupDays, 'the days to set up')!,
    requalificationDays: read(t.requalificationDays, 'the days to requalify')!,
    releaseDays: read(t.releaseDays, 'the days from filling to release')!,
    unitsRemoved: t.unitsRemoved.split(/[\s,]+/).filter(Boolean),
    vaccineDemand: rows(t.vaccineDemand, 'demand', (r, of) => ({
      region: r.region as Region,
      day: read(r.day, `the day${of}`)!,
      doses: read(r.doses, `the doses wanted${of}`, { required: true })!,
      deadline: read(r.deadline, `the deadline day${of}`, { whole: true }),
      weight: read(r.weight, `the weight${of}`, {}),
    })),
    referralsPerWeek: rows(t.referralsPerWeek, 'referral rate', (r, of) => ({ region: r.region as Region, productCode: (r.productCode ?? '').trim(), perWeek: read(r.perWeek, `the referrals a week${of}`, { required: true })! })),
    unitsAdded: rows(t.unitsAdded, 'unit', (r) => ({ unitId: (r.unitId ?? '').trim(), kind: r.kind as ScenarioAssumptions['unitsAdded'][number]['kind'], region: r.region as Region })),
    outages: rows(t.outages, 'outage', (r, of) => ({ target: (r.target ?? '').trim(), fromDay: read(r.fromDay, `the first day${of}`)!, toDay: read(r.toDay, `the last day${of}`)! })),
    processChanges: rows(t.processChanges, 'process change', (r, of) => ({
      productCode: (r.productCode ?? '').trim(),
      manufactureDays: read(r.manufactureDays, `the manufacture days${of}`, { whole: true }),
      qcReleaseDays: read(r.qcReleaseDays, `the QC release days${of}`, { whole: true }),
    })),
  };
  return problems.length > 0 ? { problems } : { input };
}

/**
 * Create a scenario, or edit one as its next version (issue 15 §4; planners only, as the API allows).
 * Every assumption the API takes is here; the API judges them, and a refusal names the field in its words.
 */
export default function ScenarioForm() {
  const { params } = useRoute();
  const editing = params.id ?? null;
  const [{ data }] = useQuery<{ scenario: ScenarioVersion | null }>({ query: SCENARIO, variables: { id: editing }, pause: !editing });
  const loaded = data?.scenario ?? null;
  if (editing && !loaded) return <p class="nhsuk-body">Loading the scenario…</p>;
  return <Form key={loaded ? `${loaded.id}@${loaded.version}` : 'new'} editing={loaded} />;
}

function Form({ editing }: { editing: ScenarioVersion | null }) {
  const client = useClient();
  const { route } = useLocation();
  const [t, setT] = useState<Typed>(() => (editing ? typedFrom(editing) : fresh()));
  const [reason, setReason] = useState('');
  const [refusal, setRefusal] = useState<string[]>([]);
  const [sending, setSending] = useState(false);
  const set = (field: keyof Typed) => (value: string | TypedRow[]) => setT({ ...t, [field]: value });
  const field = (key: keyof Typed, label: string, hint?: string, width: 2 | 5 | 10 | 20 | 30 = 5) => (
    <TextField id={`scenario-${key}`} label={label} hint={hint} value={t[key] as string} onInput={set(key)} width={width} numeric />
  );

  const submit = async (event: Event) => {
    event.preventDefault();
    const read = assumptionsFrom(t);
    if ('problems' in read) return setRefusal(read.problems);
    const { input } = read;
    setSending(true);
    const result = editing
      ? await client.mutation<{ updateScenario: { id: string } }>(UPDATE_SCENARIO, { id: editing.id, input, basedOnVersion: editing.version, reason: reason.trim() || null }).toPromise()
      : await client.mutation<{ createScenario: { id: string } }>(CREATE_SCENARIO, { input }).toPromise();
    setSending(false);
    if (result.error) return setRefusal(errorWords(result.error));
    const id = editing ? editing.id : (result.data as { createScenario: { id: string } }).createScenario.id;
    route(`/scenarios/${encodeURIComponent(id)}`);
  };

  return (
    <>
      {editing && (
        <a class="nhsuk-back-link" href={`/scenarios/${encodeURIComponent(editing.id)}`}>
          {editing.name}
        </a>
      )}
      <h1>{editing ? `Edit ${editing.name}` : 'Create a scenario'}</h1>
      {editing && <p class="nhsuk-body">Saving makes version {editing.version + 1}. Runs keep the version they ran.</p>}
      {refusal.length > 0 && <ErrorSummary title="The scenario was not saved" errors={refusal} />}
      <form onSubmit={submit} noValidate>
        <TextField id="scenario-name" label="Name" value={t.name} onInput={set('name')} width={30} />
        <div class="bedside-filters">
          <div class="nhsuk-form-group">
            <label class="nhsuk-label" for="scenario-asOf">
              Starts from the network as on (UK date)
            </label>
            <input class="nhsuk-input nhsuk-input--width-10" id="scenario-asOf" type="date" value={t.asOf} onInput={(e) => set('asOf')(e.currentTarget.value)} />
          </div>
          {field('days', 'Days planned')}
        </div>
        <RowsEditor
          id="demand"
          legend="Vaccine doses wanted"
          hint="By region, from a day of the scenario (0 is its first). A deadline is the last day the doses are of use; a weight ranks a region's wait (default 1)."
          noun="demand"
          columns={DEMAND}
          rows={t.vaccineDemand}
          blank={{ region: 'LON', day: '0', doses: '', deadline: '', weight: '' }}
          onChange={set('vaccineDemand')}
        />
        <fieldset class="nhsuk-fieldset nhsuk-form-group">
          <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">How a mobile fill-finish unit fills and moves</legend>
          <div class="bedside-filters">
            {field('vialsPerHour', 'Vials an hour')}
            {field('dosesPerVial', 'Doses a vial')}
            {field('shiftsPerDay', 'Shifts a day', undefined, 2)}
            {field('hoursPerShift', 'Hours a shift', undefined, 2)}
            {field('effectiveOutputFactor', 'Share of time filling (0 to 1)', undefined, 5)}
          </div>
          <div class="bedside-filters">
            {field('teardownDays', 'Days to pack up', undefined, 2)}
            {field('setupDays', 'Days to set up', undefined, 2)}
            {field('requalificationDays', 'Days to requalify (0 to 21)', undefined, 2)}
            {field('releaseDays', 'Days from filling to release', undefined, 2)}
          </div>
        </fieldset>
        <RowsEditor id="units-added" legend="Units assumed added" noun="unit" columns={UNITS} rows={t.unitsAdded} blank={{ unitId: '', kind: 'FILL_FINISH', region: 'LON' }} onChange={set('unitsAdded')} />
        <TextField id="scenario-unitsRemoved" label="Units assumed gone (ids, separated by commas)" hint="Only units the live network has." value={t.unitsRemoved} onInput={set('unitsRemoved')} width={30} />
        <RowsEditor id="outages" legend="Outages" hint="A unit or site out of service for some days of the scenario." noun="outage" columns={OUTAGES} rows={t.outages} blank={{ target: '', fromDay: '', toDay: '' }} onChange={set('outages')} />
        <RowsEditor
          id="referrals"
          legend="CAR-T referrals a week"
          hint="Run through the real plan search on a copy of the network (the CAR-T what-if): the scenario must then start today or later."
          noun="referral rate"
          columns={REFERRALS}
          rows={t.referralsPerWeek}
          blank={{ region: 'NW', productCode: 'POC-CAR19', perWeek: '' }}
          onChange={set('referralsPerWeek')}
        />
        <RowsEditor id="process" legend="Process changes" noun="process change" columns={PROCESS} rows={t.processChanges} blank={{ productCode: '', manufactureDays: '', qcReleaseDays: '' }} onChange={set('processChanges')} />
        {editing && <TextField id="scenario-reason" label="Why this version (for the audit trail)" value={reason} onInput={setReason} width={30} />}
        <button class="nhsuk-button" type="submit" disabled={sending}>
          {editing ? `Save version ${editing.version + 1}` : 'Create the scenario'}
        </button>
      </form>
    </>
  );
}
