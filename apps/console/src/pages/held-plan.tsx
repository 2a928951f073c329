import { useEffect, useState } from 'preact/hooks';
import { useMutation } from '@urql/preact';
import { errorWords } from '../api';
import { browserNow } from '../clock';
import { ErrorSummary } from '../layout';
import { showDateTime } from '../words';

const CONFIRM = `mutation Confirm($holdId: ID!, $key: String!) { confirmHold(holdId: $holdId, idempotencyKey: $key) { status } }`;
const RELEASE = `mutation Release($holdId: ID!) { releaseHold(holdId: $holdId, reason: "Released by the scheduler in the console") { status } }`;

/** Minutes and seconds left, "29:05"; the browser's clock only counts down to the instant the API gave. */
function left(until: number, now: number): string {
  const seconds = Math.max(0, Math.floor((until - now) / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/**
 * A plan held for the patient (issue 15 §3): its places are reserved until the hold runs out, shown
 * counting down, and it is confirmed into a booking or released with one click each.
 */
export function HeldPlan({ holdId, expiresAt, onChange }: { holdId: string; expiresAt: string; onChange: (confirmed: boolean) => void }) {
  const until = Date.parse(expiresAt);
  const [now, setNow] = useState(browserNow);
  useEffect(() => {
    const timer = setInterval(() => setNow(browserNow()), 1000);
    return () => clearInterval(timer);
  }, []);
  const [confirm, confirmHold] = useMutation(CONFIRM);
  const [release, releaseHold] = useMutation(RELEASE);
  const [key] = useState(() => crypto.randomUUID());
  const expired = now >= until;
  return (
    <div class="nhsuk-warning-callout" data-testid="held-plan">
      <h2 class="nhsuk-warning-callout__label">
        <span class="nhsuk-u-visually-hidden">Important: </span>A plan is held
      </h2>
      {expired ? (
        <p aria-live="polite">The hold has run out and its places are free again. Find plans again to book.</p>
      ) : (
        <p>
          Its places are reserved until {showDateTime(expiresAt)} (UK time): <strong data-testid="hold-countdown">{left(until, now)}</strong> left to confirm.
        </p>
      )}
      {confirm.error && <ErrorSummary title="The booking could not be confirmed" errors={errorWords(confirm.error)} />}
      {release.error && <ErrorSummary title="The hold could not be released" errors={errorWords(release.error)} />}
      <div class="nhsuk-button-group">
        <button class="nhsuk-button" type="button" disabled={expired || confirm.fetching} onClick={async () => !(await confirmHold({ holdId, key })).error && onChange(true)}>
          Confirm booking
        </button>
        <button class="nhsuk-button nhsuk-button--secondary" type="button" disabled={release.fetching} onClick={async () => !(await releaseHold({ holdId })).error && onChange(false)}>
          Release the hold
        </button>
      </div>
    </div>
  );
}
