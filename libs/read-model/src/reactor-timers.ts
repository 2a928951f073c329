import type { DataSource, EntityManager } from 'typeorm';
import type { AnyReactor, ReactorTimers } from './reactor';

/** The timers one reaction set and cancelled, written when the reaction is done (in its checkpoint's transaction). */
export class TimerChanges implements ReactorTimers {
  private readonly changes = new Map<string, Date | null>();

  set(key: string, dueAt: Date): void {
    if (Number.isNaN(dueAt.getTime())) throw new Error(`timer ${key} is due at an invalid instant`);
    this.changes.set(key, dueAt);
  }

  cancel(key: string): void {
    this.changes.set(key, null);
  }

  async store(manager: EntityManager, reactor: string): Promise<void> {
    const set = [...this.changes].filter((c): c is [string, Date] => c[1] !== null);
    const cancelled = [...this.changes].filter(([, at]) => at === null).map(([key]) => key);
    if (set.length > 0) {
      await manager.query(
        `INSERT INTO reactor_timers (reactor, key, due_at) SELECT $1, unnest($2::text[]), unnest($3::timestamptz[])
         ON CONFLICT (reactor, key) DO UPDATE SET due_at = excluded.due_at`,
        [reactor, set.map(([key]) => key), set.map(([, at]) => at.toISOString())],
      );
    }
    if (cancelled.length > 0) await manager.query('DELETE FROM reactor_timers WHERE reactor = $1 AND key = ANY($2)', [reactor, cancelled]);
  }
}

/** Timers fired per call, at most (the rest wait for the next). */
const BATCH = 100;

/**
 * Fires the reactors' timers that are due at `now` (the clock's). Several processes may fire at once:
 * each timer is taken under an advisory lock (no row lock, which would give the transaction an id and
 * hide the reactor's appends from log readers until it ends), checked to be still due, woken, and
 * deleted in the same transaction; one that failed to wake stays, and is tried again next time.
 */
export async function fireDueTimers(dataSource: DataSource, reactors: readonly AnyReactor[], now: Date, onError: (reactor: string, key: string, error: unknown) => void): Promise<number> {
  const waking = new Map(reactors.filter((r) => r.wake).map((r) => [r.name, r]));
  if (waking.size === 0) return 0;
  const due: { reactor: string; key: string }[] = await dataSource.query(
    'SELECT reactor, key FROM reactor_timers WHERE due_at <= $1 AND reactor = ANY($2) ORDER BY due_at LIMIT $3',
    [now, [...waking.keys()], BATCH],
  );
  let fired = 0;
  for (const { reactor, key } of due) {
    try {
      fired += await dataSource.transaction(async (manager) => {
        const [{ locked }] = await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext('bedside-timer:' || $1 || ':' || $2)) AS locked`, [reactor, key]);
        if (!locked) return 0;
        const [still] = await manager.query('SELECT 1 FROM reactor_timers WHERE reactor = $1 AND key = $2 AND due_at <= $3', [reactor, key, now]);
        if (!still) return 0;
        await waking.get(reactor)!.wake!(key);
        await manager.query('DELETE FROM reactor_timers WHERE reactor = $1 AND key = $2 AND due_at <= $3', [reactor, key, now]);
        return 1;
      });
    } catch (error) {
      onError(reactor, key, error);
    }
  }
  return fired;
}
