import type { DataSource, EntityManager } from 'typeorm';
import { isAfter, START_OF_LOG, type EventStore, type EventSubscription, type GlobalPosition, type RecordedEvent } from '@bedside/event-store';
import { quoteIdentifier } from '@bedside/database';
import { advanceCheckpoint, ensureCheckpoint, lockCheckpointForBatch, lockReactorCheckpoint, readCheckpoint, resetCheckpoint, type Checkpoint } from './checkpoint-store';
import type { AnyProjection } from './projection';
import type { AnyReactor } from './reactor';
import { TimerChanges } from './reactor-timers';

export interface ProjectionStatus {
  readonly name: string;
  readonly position: GlobalPosition;
  readonly eventsApplied: number;
  /** True when every event recorded so far has been applied. */
  readonly caughtUp: boolean;
  /** About how many events of the log are still to be read (global positions can have gaps). */
  readonly behindBy: number;
  readonly lastEventRecordedAt: Date | null;
  readonly updatedAt: Date;
  readonly rebuiltAt: Date | null;
}

export interface RebuildProgress {
  readonly name: string;
  readonly eventsRead: number;
  readonly eventsApplied: number;
  /** Estimated total, from the head of the log when the rebuild began. */
  readonly eventsEstimated: number;
  readonly elapsedMs: number;
  readonly done: boolean;
}

/** A batch a projection has committed: its read model now shows these events. */
export interface AppliedBatch {
  readonly projection: string;
  readonly events: readonly RecordedEvent[];
}

export interface EngineLogger {
  log(message: string): void;
  error(message: string, error?: unknown): void;
}

/** The stored checkpoint is behind what this process delivered: a rebuild reset it. */
class CheckpointMovedBack extends Error {}

const REBUILD_BATCH = 5000;

/**
 * How long a checkpoint may stay behind batches that held nothing its projection reads. Moving it
 * costs a transaction; most projections read few event types, and under a steady write load each
 * would otherwise commit a checkpoint-only transaction for every batch (about 150 a second at 300
 * bookings/s, for five of the eight projections). A waiter in this process flushes it at once.
 */
const IDLE_CHECKPOINT_MS = 1000;

export interface StartOptions {
  readonly pollIntervalMs?: number;
  readonly batchSize?: number;
  /** How long a checkpoint may stay behind batches with nothing the projection reads (IDLE_CHECKPOINT_MS). */
  readonly idleCheckpointMs?: number;
}

/** How a follower's checkpoint is held for a batch's transaction. */
type CheckpointLock = (manager: EntityManager, name: string) => Promise<Checkpoint>;

/** A projection (or reactor) following the log in this process. */
interface Running {
  readonly projection: Pick<AnyProjection, 'name' | 'eventTypes'>;
  readonly lock: CheckpointLock;
  readonly subscription: EventSubscription;
  /** The checkpoint as this process last stored or read it: never behind the stored one unless a rebuild reset it. */
  stored: GlobalPosition;
  /** The last event of batches handled since `stored` that held nothing the projection reads. */
  skipped?: { readonly position: GlobalPosition; readonly recordedAt: Date };
  timer?: NodeJS.Timeout;
  /** Batches and checkpoint flushes, one after another. */
  queue: Promise<unknown>;
}

/**
 * Runs projections from the durable event log: each batch is applied and its checkpoint stored in
 * one transaction, and events at or below the checkpoint are skipped, so redelivery is harmless.
 */
export class ProjectionEngine {
  private readonly running = new Map<string, Running>();
  private readonly listeners = new Set<(batch: AppliedBatch) => void>();

  /**
   * Called after each live batch a projection commits, with the events it applied: what GraphQL
   * subscribers are told, so they see exactly what the read model shows (issue 5 §3). Rebuilds do
   * not call it. Returns the way to stop listening.
   */
  onApplied(listener: (batch: AppliedBatch) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    private readonly logger: EngineLogger,
  ) {}

  /**
   * Applies one batch in one transaction with the checkpoint row locked, so two processes running
   * the same projection (or a rebuild beside a live server) serialise instead of double-applying.
   * `deliveredAfter`, when given, is where the caller believes the checkpoint stands.
   */
  async applyBatch(projection: AnyProjection, events: readonly RecordedEvent[], deliveredAfter?: GlobalPosition): Promise<number> {
    return (await this.applyAndReturn(projection, events, deliveredAfter)).applied;
  }

  /**
   * How many events this call applied, and the events of the batch its read model now shows: those it
   * applied and those another process running the same projection had applied before it (the batch
   * came after where this process stood). Subscribers of every process are told the latter (issue 12 §5).
   */
  private async applyAndReturn(projection: AnyProjection, events: readonly RecordedEvent[], deliveredAfter?: GlobalPosition): Promise<{ applied: number; shown: readonly RecordedEvent[] }> {
    if (events.length === 0) return { applied: 0, shown: [] };
    const wanted = new Set(projection.eventTypes);
    return this.withCheckpoint(projection.name, deliveredAfter, async (manager, checkpoint) => {
      const fresh = events.filter((e) => isAfter(e.globalPosition, checkpoint.position));
      const relevant = fresh.filter((e) => wanted.has(e.type));
      if (relevant.length > 0) await projection.apply(relevant, manager);
      const last = fresh[fresh.length - 1];
      if (last) await advanceCheckpoint(manager, projection.name, last.globalPosition, relevant.length, last.recordedAt);
      // Delivered after where this process stood (deliveredAfter, checked against the checkpoint), so the
      // events before the checkpoint were applied by another process, each once: shown here too.
      return { applied: relevant.length, shown: deliveredAfter ? events.filter((e) => wanted.has(e.type)) : relevant };
    });
  }

  /**
   * Reacts to each event the reactor reads, one transaction each holding its checkpoint, which moves
   * past the event (and the events after it that it does not read) only once the reaction is done.
   */
  private async react(reactor: AnyReactor, events: readonly RecordedEvent[], deliveredAfter: GlobalPosition, triggers: readonly number[]): Promise<void> {
    const wanted = new Set(reactor.eventTypes);
    if (reactor.onlySetsTimers) return this.reactToBatch(reactor, wanted, events, deliveredAfter);
    for (const [n, i] of triggers.entries()) {
      const event = events[i]!;
      const upTo = events[(triggers[n + 1] ?? events.length) - 1]!;
      await this.withCheckpoint(
        reactor.name,
        deliveredAfter,
        async (manager, checkpoint) => {
          if (!isAfter(upTo.globalPosition, checkpoint.position)) return;
          // Another process may have reacted already (it held the lock first): then only move on.
          const due = isAfter(event.globalPosition, checkpoint.position);
          if (due) {
            const timers = new TimerChanges();
            await reactor.react(event, timers);
            // Written last, just before the checkpoint: a write gives the transaction an id, which would
            // hide what the reactor appended from log readers until it ends (lockReactorCheckpoint).
            await timers.store(manager, reactor.name);
          }
          await advanceCheckpoint(manager, reactor.name, upTo.globalPosition, due ? 1 : 0, upTo.recordedAt);
        },
        lockReactorCheckpoint,
      );
      deliveredAfter = upTo.globalPosition;
    }
  }

  /**
   * A reactor that only sets timers (no commands, no appends) reacts to a whole batch in one transaction:
   * its timers and its checkpoint land together, as a projection's rows do, at a projection's cost.
   */
  private async reactToBatch(reactor: AnyReactor, wanted: ReadonlySet<string>, events: readonly RecordedEvent[], deliveredAfter: GlobalPosition): Promise<void> {
    const last = events[events.length - 1];
    if (!last) return;
    await this.withCheckpoint(
      reactor.name,
      deliveredAfter,
      async (manager, checkpoint) => {
        const fresh = events.filter((e) => isAfter(e.globalPosition, checkpoint.position));
        if (fresh.length === 0) return;
        const timers = new TimerChanges();
        const due = fresh.filter((e) => wanted.has(e.type));
        for (const event of due) await reactor.react(event, timers);
        await timers.store(manager, reactor.name);
        await advanceCheckpoint(manager, reactor.name, last.globalPosition, due.length, last.recordedAt);
      },
      lockReactorCheckpoint,
    );
  }

  /** A transaction holding the projection's checkpoint row, refused if the checkpoint is behind `deliveredAfter`. */
  private withCheckpoint<T>(
    name: string,
    deliveredAfter: GlobalPosition | undefined,
    work: (manager: EntityManager, checkpoint: Checkpoint) => Promise<T>,
    lock: CheckpointLock = lockCheckpointForBatch,
  ): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const checkpoint = await lock(manager, name);
      if (deliveredAfter && isAfter(deliveredAfter, checkpoint.position)) throw new CheckpointMovedBack();
      return work(manager, checkpoint);
    });
  }

  /**
   * Starts following the log from the projection's checkpoint: history first, then live. A batch with
   * nothing the projection reads opens no transaction: its checkpoint moves on with the next batch
   * that has, or after IDLE_CHECKPOINT_MS, or when something here waits for it (waitFor, status).
   */
  async start(projection: AnyProjection, options: StartOptions = {}): Promise<void> {
    if (this.running.has(projection.name)) return;
    await ensureCheckpoint(this.dataSource.manager, projection.name);
    await this.follow(projection, lockCheckpointForBatch, options, async (events, deliveredAfter) => (await this.applyAndReturn(projection, events, deliveredAfter)).shown, () =>
      this.start(projection, options),
    );
  }

  /**
   * Starts a reactor from its checkpoint, like a projection (history first, then live), but each
   * event it reads in a transaction of its own (see `react`). A reactor new to a log starts at its
   * head: it acts on what happens from when it is first deployed, not again on the whole history
   * (unless it asks to start at the log's start: Reactor.startsAt).
   */
  async startReactor(reactor: AnyReactor, options: StartOptions = {}): Promise<void> {
    if (this.running.has(reactor.name)) return;
    await ensureCheckpoint(this.dataSource.manager, reactor.name, reactor.startsAt === 'start' ? START_OF_LOG : await this.store.headPosition());
    await this.follow(reactor, lockReactorCheckpoint, options, async (events, deliveredAfter) => {
      const triggers = await this.triggersOf(reactor, events);
      if (triggers.length === 0) return null;
      await this.react(reactor, events, deliveredAfter, triggers);
      return [];
    }, () => this.startReactor(reactor, options));
  }

  /**
   * The events of a batch a reactor reacts to: those of its types, less those it reacts to only while a
   * timer of its own is set (Reactor.armedBy) when none is. One read of its timers for the batch, and no
   * transaction for a batch it does not react to. A reaction earlier in the batch may set such a timer,
   * so what follows one is reacted to whatever the read found.
   */
  private async triggersOf(reactor: AnyReactor, events: readonly RecordedEvent[]): Promise<number[]> {
    const wanted = new Set(reactor.eventTypes);
    const typed = events.flatMap((e, i) => (wanted.has(e.type) ? [i] : []));
    if (!reactor.armedBy) return typed;
    const keys = new Map(typed.flatMap((i) => {
      const key = reactor.armedBy!(events[i]!);
      return key === undefined ? [] : [[i, key] as const];
    }));
    if (keys.size === 0) return typed;
    const firstAlways = typed.find((i) => !keys.has(i)) ?? Number.POSITIVE_INFINITY;
    const rows: { key: string }[] = await this.dataSource.query('SELECT key FROM reactor_timers WHERE reactor = $1 AND key = ANY($2)', [reactor.name, [...new Set(keys.values())]]);
    const armed = new Set(rows.map((r) => r.key));
    return typed.filter((i) => !keys.has(i) || i > firstAlways || armed.has(keys.get(i)!));
  }

  private async follow(
    projection: Pick<AnyProjection, 'name' | 'eventTypes'>,
    lock: CheckpointLock,
    options: StartOptions,
    /** Applies a batch, returning what subscribers are told; null: nothing in it for this follower (as a batch without its types). */
    apply: (events: readonly RecordedEvent[], deliveredAfter: GlobalPosition) => Promise<readonly RecordedEvent[] | null>,
    again: () => Promise<void>,
  ): Promise<void> {
    const { position } = await readCheckpoint(this.dataSource.manager, projection.name);
    const wanted = new Set(projection.eventTypes);
    let restarting = false;
    const moved = (error: unknown) => {
      if (!(error instanceof CheckpointMovedBack)) throw error;
      if (!restarting) {
        restarting = true;
        this.logger.log(`projection ${projection.name}: its checkpoint was reset (rebuild?); following the log again from there`);
        void this.restart(projection.name, again);
      }
    };
    const running: Running = {
      projection,
      lock,
      stored: position,
      queue: Promise.resolve(),
      subscription: this.store.subscribe({
        name: `projection:${projection.name}`,
        after: position,
        batchSize: options.batchSize ?? 1000,
        pollIntervalMs: options.pollIntervalMs ?? 250,
        handle: (events) =>
          this.serially(running, async () => {
            const last = events[events.length - 1]!;
            const skip = () => {
              running.skipped = { position: last.globalPosition, recordedAt: last.recordedAt };
              running.timer ??= setTimeout(() => {
                this.storeSkipped(running).catch((error) => (error instanceof CheckpointMovedBack ? moved(error) : this.logger.error(`projection ${projection.name} could not store its checkpoint; it will try again`, error)));
              }, options.idleCheckpointMs ?? IDLE_CHECKPOINT_MS).unref();
            };
            if (!events.some((e) => wanted.has(e.type))) return skip();
            try {
              const applied = await apply(events, running.stored);
              if (applied === null) return skip();
              this.markStored(running, last.globalPosition);
              if (applied.length > 0) this.tell({ projection: projection.name, events: applied });
            } catch (error) {
              moved(error);
            }
          }),
        onError: (error) => this.logger.error(`projection ${projection.name} failed a batch; it will retry`, error),
      }),
    };
    this.running.set(projection.name, running);
  }

  private serially<T>(running: Running, work: () => Promise<T>): Promise<T> {
    const result = running.queue.then(work);
    running.queue = result.catch(() => undefined);
    return result;
  }

  /** The checkpoint now stands at `position`: batches skipped up to there need not be stored. */
  private markStored(running: Running, position: GlobalPosition): void {
    if (isAfter(position, running.stored)) running.stored = position;
    if (running.skipped && !isAfter(running.skipped.position, running.stored)) {
      running.skipped = undefined;
      clearTimeout(running.timer);
      running.timer = undefined;
    }
  }

  /** Stores the checkpoint past batches skipped so far, if any (true if there were); never moves it back. */
  private storeSkipped(running: Running): Promise<boolean> {
    return this.serially(running, async () => {
      clearTimeout(running.timer);
      running.timer = undefined;
      const skipped = running.skipped;
      if (!skipped) return false;
      await this.withCheckpoint(
        running.projection.name,
        running.stored,
        async (manager, checkpoint) => {
          if (isAfter(skipped.position, checkpoint.position)) await advanceCheckpoint(manager, running.projection.name, skipped.position, 0, skipped.recordedAt);
        },
        running.lock,
      );
      this.markStored(running, skipped.position);
      return true;
    });
  }

  private async restart(name: string, again: () => Promise<void>): Promise<void> {
    const current = this.running.get(name);
    this.running.delete(name);
    if (current) clearTimeout(current.timer);
    await current?.subscription.stop();
    await again();
  }

  /**
   * Stores skipped batches' checkpoints of the named projections running here, so the table shows
   * them; true if there were any.
   */
  private async storeSkippedOf(names: readonly string[]): Promise<boolean> {
    const behind = names.map((name) => this.running.get(name)).filter((r): r is Running => r?.skipped !== undefined);
    // A reset checkpoint is the subscription's to find and follow; a waiter just keeps polling.
    const stored = await Promise.all(behind.map((r) => this.storeSkipped(r).catch((error) => (error instanceof CheckpointMovedBack ? false : Promise.reject(error)))));
    return stored.includes(true);
  }

  private tell(batch: AppliedBatch): void {
    for (const listener of this.listeners) {
      try {
        listener(batch);
      } catch (error) {
        this.logger.error(`a listener to projection ${batch.projection} failed`, error);
      }
    }
  }

  /** Stops every projection, storing the checkpoints of batches they skipped, so a restart starts from there. */
  async stopAll(): Promise<void> {
    const running = [...this.running.values()];
    this.running.clear();
    await Promise.all(
      running.map(async (r) => {
        await r.subscription.stop();
        await this.storeSkipped(r).catch((error) => this.logger.error(`projection ${r.projection.name}: could not store its checkpoint on stopping`, error));
      }),
    );
  }

  /** Empties the projection's tables and replays the whole log into them. */
  async rebuild(projection: AnyProjection, onProgress: (progress: RebuildProgress) => void = () => undefined): Promise<RebuildProgress> {
    const head = await this.store.headPosition();
    await ensureCheckpoint(this.dataSource.manager, projection.name);
    await this.dataSource.transaction(async (manager) => {
      await readCheckpoint(manager, projection.name, true);
      if (projection.tables.length > 0) await manager.query(`TRUNCATE ${projection.tables.map(quoteIdentifier).join(', ')}`);
      await resetCheckpoint(manager, projection.name);
    });
    const started = performance.now();
    let lastReport = started;
    let position = START_OF_LOG;
    let eventsRead = 0;
    let eventsApplied = 0;
    const progress = (done: boolean): RebuildProgress => ({
      name: projection.name,
      eventsRead,
      eventsApplied,
      eventsEstimated: Math.max(Number(head.position), eventsRead),
      elapsedMs: performance.now() - started,
      done,
    });
    // Read the next batch while the current one is applied: replay is bound by both.
    let next = this.store.readAll({ after: position, maxCount: REBUILD_BATCH });
    for (;;) {
      const batch = await next;
      if (batch.length === 0) break;
      position = batch[batch.length - 1]!.globalPosition;
      next = this.store.readAll({ after: position, maxCount: REBUILD_BATCH });
      eventsApplied += await this.applyBatch(projection, batch);
      eventsRead += batch.length;
      if (performance.now() - lastReport >= 1000) {
        lastReport = performance.now();
        onProgress(progress(false));
      }
    }
    const report = progress(true);
    onProgress(report);
    return report;
  }

  /**
   * Read-your-writes for mutations: waits until the named projections have applied the log up to
   * `position` (or `timeoutMs` passes; the caller then reads what is there, which may be older).
   */
  async waitFor(names: readonly string[], position: GlobalPosition, timeoutMs = 5000): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const rows: { transaction_id: string; global_position: string }[] = await this.dataSource.query(
        'SELECT transaction_id, global_position FROM projection_checkpoints WHERE name = ANY($1)',
        [names],
      );
      const reached =
        rows.length === names.length &&
        rows.every((r) => !isAfter(position, { transactionId: BigInt(r.transaction_id), position: BigInt(r.global_position) }));
      if (reached) return true;
      if (performance.now() > deadline) return false;
      // Projections here may have handled the position already in batches they skipped: look again at once.
      if (await this.storeSkippedOf(names)) continue;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async status(projections: readonly AnyProjection[]): Promise<ProjectionStatus[]> {
    const head = await this.store.lastRecordedPosition();
    await this.storeSkippedOf(projections.map((p) => p.name));
    const statuses: ProjectionStatus[] = [];
    for (const projection of projections) {
      const checkpoint = await readCheckpoint(this.dataSource.manager, projection.name);
      const caughtUp = !isAfter(head, checkpoint.position);
      statuses.push({
        name: projection.name,
        position: checkpoint.position,
        eventsApplied: checkpoint.eventsApplied,
        caughtUp,
        behindBy: caughtUp ? 0 : Math.max(1, Number(head.position - checkpoint.position.position)),
        lastEventRecordedAt: checkpoint.lastEventRecordedAt,
        updatedAt: checkpoint.updatedAt,
        rebuiltAt: checkpoint.rebuiltAt,
      });
    }
    return statuses;
  }
}
