import { useEffect } from 'preact/hooks';
import { useSubscription } from '@urql/preact';

/**
 * Keeps a page current (issue 15 §7): follows a subscription and, once a burst of changes has been told
 * (one booking moves a pathway, capacity and perhaps a risk at once), asks the page's query again. The
 * subscriptions are driven by the read models, so the query then sees what was told (README "Subscriptions").
 * Returns the latest message, and whether the live connection failed.
 */
export function useAskAgainOn<Told extends object>(subscription: string, variables: Record<string, unknown>, askAgain: () => void): { told: Told | null; failed: boolean } {
  // Every message counts, even one just like the last (a booking flagged, cleared and flagged again).
  const [live] = useSubscription<Told, { count: number; last: Told }>({ query: subscription, variables }, (seen, told) => ({ count: (seen?.count ?? 0) + 1, last: told }));
  const count = live.data?.count ?? 0;
  useEffect(() => {
    if (count === 0) return;
    const timer = setTimeout(askAgain, 300);
    return () => clearTimeout(timer);
  }, [count]);
  return { told: live.data?.last ?? null, failed: !!live.error };
}
