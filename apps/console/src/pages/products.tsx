import { useState } from 'preact/hooks';
import { useQuery } from '@urql/preact';
import { errorWords } from '../api';
import { ErrorSummary, ScrollRegion } from '../layout';
import { showDateTime } from '../words';

const PRODUCTS = `query Products { network { products { productCode name version } } }`;
const PROCESS_FIELDS = [
  ['startingMaterial', 'Starting material'],
  ['maxFreshHoldHours', 'Fresh hold (hours)'],
  ['apheresisSessions', 'Apheresis sessions'],
  ['apheresisHoursPerSession', 'Hours per session'],
  ['manufactureDays', 'Manufacture (days)'],
  ['qcMethod', 'QC method'],
  ['qcReleaseDays', 'QC release (days)'],
  ['shelfLifeHours', 'Shelf life (hours)'],
  ['thawedShelfLifeMinutes', 'Thawed shelf life (minutes)'],
  ['conditioningRegimen', 'Conditioning regimen'],
  ['conditioningDays', 'Conditioning days (before infusion)'],
  ['conditioningGate', 'Conditioning gate'],
  ['infusionWindowMinDays', 'Infusion window from (days)'],
  ['infusionWindowMaxDays', 'Infusion window to (days)'],
  ['reconditionAfterDays', 'Recondition after (days)'],
  ['monitoringInpatientDays', 'Inpatient monitoring (days)'],
  ['stayWithinReachDays', 'Stay within reach (days)'],
  ['stayWithinReachMinutes', 'Within reach (minutes)'],
  ['icuReserveProbability', 'ICU cover reserved (share of a bed)'],
] as const;
const VERSIONS = `query Versions($code: ID!) {
  dmmfVersions(productCode: $code, first: 50) {
    edges { node {
      version publishedAt publishedBy reason
      designation { siteCodes unitIds }
      process { ${PROCESS_FIELDS.map(([f]) => f).join(' ')} }
    } }
  }
}`;

type Process = Record<(typeof PROCESS_FIELDS)[number][0], unknown>;
interface Version {
  version: number;
  publishedAt: string;
  publishedBy: string;
  reason: string;
  designation: { siteCodes: string[]; unitIds: string[] };
  process: Process;
}

const show = (value: unknown) => (value === null || value === undefined ? 'None' : Array.isArray(value) ? value.join(', ') : String(value));

/** The rows compared: the process's fields, then where it may be made. */
const rowsOf = (v: Version): [string, string][] => [
  ...PROCESS_FIELDS.map(([field, label]): [string, string] => [label, show(v.process[field])]),
  ['Designated sites', show(v.designation.siteCodes)],
  ['Designated units', show(v.designation.unitIds)],
];

/**
 * A product's DMMF versions side by side (issue 15 §5): every field of the process and the designation,
 * one column per version, oldest first, each value that differs from the version before marked
 * "changed"; with who published each, when and why. The versions are the API's `dmmfVersions`.
 */
export function Products() {
  const [{ data: products, error: productsError }] = useQuery<{ network: { products: { productCode: string; name: string; version: number }[] } }>({ query: PRODUCTS });
  const [code, setCode] = useState('');
  const chosen = code || products?.network.products[0]?.productCode || '';
  const [{ data, fetching, error }] = useQuery<{ dmmfVersions: { edges: { node: Version }[] } }>({ query: VERSIONS, variables: { code: chosen }, pause: !chosen });
  const versions = [...(data?.dmmfVersions.edges.map((e) => e.node) ?? [])].sort((a, b) => a.version - b.version);
  const rows = versions.map(rowsOf);
  return (
    <>
      <h1>Products and their DMMF versions</h1>
      {productsError && <ErrorSummary title="The products could not be shown" errors={errorWords(productsError)} />}
      {products && (
        <div class="nhsuk-form-group">
          <label class="nhsuk-label" for="product">
            Product
          </label>
          <select class="nhsuk-select" id="product" value={chosen} onChange={(e) => setCode(e.currentTarget.value)}>
            {products.network.products.map((p) => (
              <option key={p.productCode} value={p.productCode}>
                {p.productCode}: {p.name} (version {p.version})
              </option>
            ))}
          </select>
        </div>
      )}
      {error && <ErrorSummary title="The versions could not be shown" errors={errorWords(error)} />}
      {fetching && !data && (
        <p class="nhsuk-body" aria-live="polite">
          Loading the versions…
        </p>
      )}
      {versions.length > 0 && (
        <ScrollRegion label="DMMF versions side by side">
          <table class="nhsuk-table" data-testid="dmmf-versions">
            <caption class="nhsuk-table__caption nhsuk-table__caption--s">
              {chosen}: {versions.length === 1 ? 'one version' : `${versions.length} versions, oldest first; a value that differs from the version before is marked changed`}
            </caption>
            <thead class="nhsuk-table__head">
              <tr class="nhsuk-table__row">
                <th class="nhsuk-table__header" scope="col">
                  Field
                </th>
                {versions.map((v) => (
                  <th class="nhsuk-table__header" scope="col" key={v.version}>
                    Version {v.version}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody class="nhsuk-table__body">
              {rows[0]!.map(([label], r) => (
                <tr class="nhsuk-table__row" key={label} data-testid="dmmf-row">
                  <th class="nhsuk-table__header" scope="row">
                    {label}
                  </th>
                  {rows.map((row, i) => {
                    const changed = i > 0 && row[r]![1] !== rows[i - 1]![r]![1];
                    return (
                      <td class="nhsuk-table__cell" key={versions[i]!.version}>
                        {changed ? (
                          <strong>
                            {row[r]![1]} <span class="nhsuk-tag nhsuk-tag--orange bedside-tag">changed</span>
                          </strong>
                        ) : (
                          row[r]![1]
                        )}
                      </td>
                    );
                  })}
                </tr>
              ))}
              <tr class="nhsuk-table__row">
                <th class="nhsuk-table__header" scope="row">
                  Published (UK time), by, why
                </th>
                {versions.map((v) => (
                  <td class="nhsuk-table__cell" key={v.version}>
                    {showDateTime(v.publishedAt)}, {v.publishedBy}: {v.reason}
                  </td>
                ))}
              </tr>
            </tbody>
          </table>
        </ScrollRegion>
      )}
    </>
  );
}
