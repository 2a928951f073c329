import { useEffect } from 'preact/hooks';
import { useSubscription } from '@urql/preact';
import { RUN_PROGRESS } from './scenario-api';

interface Progress {
  runId: string;
  status: 'RUNNING' | 'FINISHED' | 'FAILED';
  stage: string;
  progress: number;
}

/**
 * A run at work (issue 15 §7: every long operation shows progress): a progress bar and its stage in
 * words, following `scenarioRunProgress`; `onEnded` is told once the run has finished or failed.
 */
export function RunProgress({ runId, stage, progress, onEnded }: { runId: string; stage: string; progress: number; onEnded: () => void }) {
  const [{ data }] = useSubscription<{ scenarioRunProgress: Progress }>({ query: RUN_PROGRESS, variables: { runId } });
  const live = data?.scenarioRunProgress;
  const ended = live && live.status !== 'RUNNING';
  useEffect(() => {
    if (ended) onEnded();
  }, [ended]);
  const share = live?.progress ?? progress;
  const words = live?.stage ?? stage;
  return (
    <div data-testid="run-progress">
      <label class="nhsuk-label" for={`progress-${runId}`}>
        Working: {words}
      </label>
      <progress class="bedside-progress" id={`progress-${runId}`} max={1} value={share}>
        {Math.round(share * 100)}%
      </progress>
      <span class="nhsuk-body-s bedside-reasons" aria-live="polite">
        {Math.round(share * 100)}% done
      </span>
    </div>
  );
}
