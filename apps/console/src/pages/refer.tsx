import { useState } from 'preact/hooks';
import { useMutation, useQuery } from '@urql/preact';
import { useLocation } from 'preact-iso';
import { errorWords } from '../api';
import { ErrorSummary } from '../layout';
import type { Session } from '../session';
import { DRUG_CLASS_WORDS, PRIORITY_WORDS } from '../words';

const CHOICES = `query ReferralChoices {
  network { products { productCode name } sites(kind: HOSPITAL, first: 100) { edges { node { code name } } } }
}`;
const REFER = `mutation Refer($input: ReferralInput!) { referPatient(input: $input) { coi } }`;

interface Choices {
  network: { products: { productCode: string; name: string }[]; sites: { edges: { node: { code: string; name: string } }[] } };
}

type DrugClass = keyof typeof DRUG_CLASS_WORDS;
type Priority = keyof typeof PRIORITY_WORDS;

function Radios<T extends string>({ name, legend, words, value, onChange }: { name: string; legend: string; words: Record<T, string>; value: T; onChange: (v: T) => void }) {
  return (
    <div class="nhsuk-form-group">
      <fieldset class="nhsuk-fieldset">
        <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">{legend}</legend>
        <div class="nhsuk-radios nhsuk-radios--inline">
          {(Object.keys(words) as T[]).map((v) => (
            <div class="nhsuk-radios__item" key={v}>
              <input class="nhsuk-radios__input" id={`${name}-${v}`} name={name} type="radio" value={v} checked={value === v} onChange={() => onChange(v)} />
              <label class="nhsuk-label nhsuk-radios__label" for={`${name}-${v}`}>
                {words[v]}
              </label>
            </div>
          ))}
        </div>
      </fieldset>
    </div>
  );
}

/**
 * Refer a patient (issue 15 §3). The API judges the referral (a full postcode, an unknown product or a
 * washout without its last dose are refused in words saying what to give); the page shows its words.
 */
export function Refer({ session }: { session: Session }) {
  const { route } = useLocation();
  const [{ data }] = useQuery<Choices>({ query: CHOICES });
  const [refer, referPatient] = useMutation<{ referPatient: { coi: string } }>(REFER);
  const [patientRef, setPatientRef] = useState('');
  const [homeDistrict, setHomeDistrict] = useState('');
  const [productCode, setProductCode] = useState('');
  const [treatmentCentre, setTreatmentCentre] = useState('');
  const [drugClass, setDrugClass] = useState<DrugClass>('NONE');
  const [lastDoseDate, setLastDoseDate] = useState('');
  const [priority, setPriority] = useState<Priority>('ROUTINE');
  const [referringTrust, setReferringTrust] = useState(session.trusts[0] ?? '');
  const products = [...new Map((data?.network.products ?? []).map((p) => [p.productCode, p])).values()];

  const submit = async (event: Event) => {
    event.preventDefault();
    const washout = drugClass === 'NONE' ? { drugClass } : { drugClass, lastDoseDate: lastDoseDate || null };
    const result = await referPatient({
      input: { patientRef, homeDistrict, productCode: productCode || products[0]?.productCode, treatmentCentre: treatmentCentre || null, washout, priority, referringTrust: referringTrust || null },
    });
    if (result.data) route(`/patients/${encodeURIComponent(result.data.referPatient.coi)}`);
  };

  return (
    <>
      <h1>Refer a patient</h1>
      {refer.error && <ErrorSummary title="The patient was not referred" errors={errorWords(refer.error)} />}
      <form onSubmit={submit} noValidate>
        <div class="nhsuk-form-group">
          <label class="nhsuk-label" for="patient-ref">
            Patient reference
          </label>
          <div class="nhsuk-hint" id="patient-ref-hint">
            Your trust's reference for the patient. Bedside keeps no name, NHS number or address.
          </div>
          <input class="nhsuk-input nhsuk-input--width-20" id="patient-ref" aria-describedby="patient-ref-hint" value={patientRef} onInput={(e) => setPatientRef(e.currentTarget.value)} />
        </div>
        <div class="nhsuk-form-group">
          <label class="nhsuk-label" for="home-district">
            Home postcode district
          </label>
          <div class="nhsuk-hint" id="home-district-hint">
            The part of the postcode before the space, such as M20.
          </div>
          <input class="nhsuk-input nhsuk-input--width-5" id="home-district" aria-describedby="home-district-hint" value={homeDistrict} onInput={(e) => setHomeDistrict(e.currentTarget.value)} />
        </div>
        {session.role !== 'scheduler' && (
          <div class="nhsuk-form-group">
            <label class="nhsuk-label" for="referring-trust">
              Referring trust (ODS code)
            </label>
            <input class="nhsuk-input nhsuk-input--width-5" id="referring-trust" value={referringTrust} onInput={(e) => setReferringTrust(e.currentTarget.value)} />
          </div>
        )}
        <div class="nhsuk-form-group">
          <label class="nhsuk-label" for="product">
            Product
          </label>
          <select class="nhsuk-select" id="product" value={productCode} onChange={(e) => setProductCode(e.currentTarget.value)}>
            {products.map((p) => (
              <option key={p.productCode} value={p.productCode}>
                {p.name} ({p.productCode})
              </option>
            ))}
          </select>
        </div>
        <div class="nhsuk-form-group">
          <label class="nhsuk-label" for="treatment-centre">
            Preferred treatment centre
          </label>
          <select class="nhsuk-select" id="treatment-centre" value={treatmentCentre} onChange={(e) => setTreatmentCentre(e.currentTarget.value)}>
            <option value="">Any centre within reach</option>
            {(data?.network.sites.edges ?? []).map(({ node }) => (
              <option key={node.code} value={node.code}>
                {node.name} ({node.code})
              </option>
            ))}
          </select>
        </div>
        <Radios name="drug-class" legend="Washout before collection" words={DRUG_CLASS_WORDS} value={drugClass} onChange={setDrugClass} />
        {drugClass !== 'NONE' && (
          <div class="nhsuk-form-group">
            <label class="nhsuk-label" for="last-dose">
              Last dose
            </label>
            <input class="nhsuk-input nhsuk-input--width-10" id="last-dose" type="date" value={lastDoseDate} onInput={(e) => setLastDoseDate(e.currentTarget.value)} />
          </div>
        )}
        <Radios name="priority" legend="Priority" words={PRIORITY_WORDS} value={priority} onChange={setPriority} />
        <button class="nhsuk-button" type="submit" disabled={refer.fetching}>
          Refer
        </button>
      </form>
    </>
  );
}
