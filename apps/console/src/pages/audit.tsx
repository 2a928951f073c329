import { useState } from 'preact/hooks';
import { useQuery } from '@urql/preact';
import { useLocation } from 'preact-iso';
import { errorWords } from '../api';
import { ErrorSummary } from '../layout';
import type { Session } from '../session';
import { showDateTime } from '../words';

const TRAIL = `query Audit($streamId: ID!) {
  auditTrail(streamId: $streamId, first: 500) {
    edges { node { position recordedAt type actor role onBehalfOf reason } }
    pageInfo { hasNextPage }
  }
}`;

interface Entry {
  position: number;
  recordedAt: string;
  type: string;
  actor: string;
  role: string | null;
  onBehalfOf: string | null;
  reason: string | null;
}

/**
 * The audit trail of one stream (issue 15 §5): every event, oldest first, with who, in which role, for
 * whom, when and why, and the same as CSV from the API's export (`/audit/<stream>/csv`, the same access
 * rules), saved with the signed-in user's token.
 */
export function Audit({ session }: { session: Session }) {
  const { query, route } = useLocation();
  const streamId = query.stream ?? '';
  const [typed, setTyped] = useState(streamId);
  const [download, setDownload] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const [{ data, fetching, error }] = useQuery<{ auditTrail: { edges: { node: Entry }[]; pageInfo: { hasNextPage: boolean } } }>({
    query: TRAIL,
    variables: { streamId },
    pause: !streamId,
  });

  const saveCsv = async () => {
    setDownload({ busy: true, error: null });
    try {
      const response = await fetch(`/audit/${encodeURIComponent(streamId)}/csv`, { headers: { authorization: `Bearer ${session.token}` } });
      if (!response.ok) {
        const body = (await response.json().catch(() => null)) as { message?: string } | null;
        return setDownload({ busy: false, error: body?.message ?? `The export was refused (${response.status}).` });
      }
      const link = document.createElement('a');
      link.href = URL.createObjectURL(await response.blob());
      link.download = `${streamId.replace(/[^\w.-]/g, '_')}.csv`;
      link.click();
      URL.revokeObjectURL(link.href);
      setDownload({ busy: false, error: null });
    } catch {
      setDownload({ busy: false, error: 'Bedside could not be reached. Check the connection and try again.' });
    }
  };

  const entries = data?.auditTrail.edges.map((e) => e.node) ?? [];
  return (
    <>
      <h1>Audit trail</h1>
      <form
        class="bedside-filters"
        onSubmit={(e) => {
          e.preventDefault();
          route(`/audit?stream=${encodeURIComponent(typed.trim())}`);
        }}
      >
        <div class="nhsuk-form-group">
          <label class="nhsuk-label" for="stream">
            Stream
          </label>
          <div class="nhsuk-hint" id="stream-hint">
            Such as site-RBV01, unit-MCT-01 or pathway- followed by a Chain of Identity.
          </div>
          <input class="nhsuk-input nhsuk-input--width-20" id="stream" aria-describedby="stream-hint" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} />
        </div>
        <div class="nhsuk-form-group">
          <button class="nhsuk-button" type="submit">
            Show
          </button>
        </div>
      </form>
      {error && <ErrorSummary title="The audit trail could not be shown" errors={errorWords(error)} />}
      {download.error && <ErrorSummary title="The CSV could not be saved" errors={[download.error]} />}
      {streamId && fetching && !data && <p class="nhsuk-body">Loading the audit trail…</p>}
      {data && (
        <>
          <p class="nhsuk-body" data-testid="audit-count">
            {entries.length} {entries.length === 1 ? 'event' : 'events'} in {streamId}
            {data.auditTrail.pageInfo.hasNextPage ? ' (the first 500; the CSV has them all)' : ''}.
          </p>
          <button class="nhsuk-button nhsuk-button--secondary" type="button" disabled={download.busy} onClick={saveCsv}>
            Save as CSV
          </button>
          <table class="nhsuk-table">
            <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">Events of {streamId}, oldest first</caption>
            <thead class="nhsuk-table__head">
              <tr class="nhsuk-table__row">
                <th class="nhsuk-table__header" scope="col">#</th>
                <th class="nhsuk-table__header" scope="col">Recorded (UK time)</th>
                <th class="nhsuk-table__header" scope="col">What</th>
                <th class="nhsuk-table__header" scope="col">Who</th>
                <th class="nhsuk-table__header" scope="col">Why</th>
              </tr>
            </thead>
            <tbody class="nhsuk-table__body">
              {entries.map((e) => (
                <tr class="nhsuk-table__row" key={e.position} data-testid="audit-row">
                  <td class="nhsuk-table__cell">{e.position}</td>
                  <td class="nhsuk-table__cell">{showDateTime(e.recordedAt)}</td>
                  <td class="nhsuk-table__cell">{e.type}</td>
                  <td class="nhsuk-table__cell">
                    {e.actor}
                    {e.role ? ` (${e.role})` : ''}
                    {e.onBehalfOf ? ` for ${e.onBehalfOf}` : ''}
                  </td>
                  <td class="nhsuk-table__cell">{e.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}
