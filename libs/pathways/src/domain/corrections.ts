import { eventClass, NETWORK_TIME_ZONE, localDateOf, optionalReason, ValidationError, ConflictError, NotFoundError } from '@bedside/shared';
import { freshHoldEndsAt, shelfLifeEndsAt } from './clinical-rules';
import { evolveProgress, NOT_STARTED, productTrackRestarted, type LifecycleEvent, type LifecycleProcess, type Progress } from './lifecycle';

/**
 * Corrections, never overwrites (docs/domain.md "Rules that come from regulation": corrections are new
 * entries with a reason; MHRA GXP data integrity 6.15; issue 14 §3). A recorded step keeps its event; a
 * correction is a new event naming it (by its id and its place in the pathway's stream) with what was
 * recorded, what is true, why and, in its metadata, who. A step can also be marked entered in error
 * (recorded on the wrong pathway, or never happened). Where the pathway stands is then folded again
 * from its steps as corrected, so every rule after it (the fresh hold, the shelf life, the infusion
 * window) judges the corrected facts.
 */

/** The facts of a step a correction may change: when it happened, and a collection's own facts. */
export interface CorrectableFacts {
  readonly at?: string;
  readonly firstSessionStartedAt?: string;
  readonly sessions?: number;
  readonly cd3YieldE9?: number | null;
}

const COLLECTION_ONLY = ['firstSessionStartedAt', 'sessions', 'cd3YieldE9'] as const;

export class StepCorrected extends eventClass<
  'StepCorrected',
  {
    readonly coi: string;
    /** The event corrected: its id in the log and its place in the pathway's stream. */
    readonly eventId: string;
    readonly position: number;
    readonly step: LifecycleEvent['type'];
    /** What the step said before this correction, and what it says now (only the facts changed). */
    readonly was: CorrectableFacts;
    readonly now: CorrectableFacts;
    readonly reason: string;
    /** Rules the steps already recorded break on the corrected facts, in words (for QA to investigate). */
    readonly deviations: readonly string[];
    /** The batch the corrected step names (issue 14 §1), when it names one. */
    readonly batchId?: string;
  }
>('StepCorrected') {}

export class StepEnteredInError extends eventClass<
  'StepEnteredInError',
  { readonly coi: string; readonly eventId: string; readonly position: number; readonly step: LifecycleEvent['type']; readonly reason: string; readonly batchId?: string }
>('StepEnteredInError') {}

/** The batch a recorded step names, for a correction of it to name too. */
const batchOf = (entry: StepEntry) => (typeof entry.data.batchId === 'string' ? { batchId: entry.data.batchId } : {});

export type CorrectionEvent = StepCorrected | StepEnteredInError;

/**
 * One recorded step of a pathway as it stands after corrections: `TrackRestarted` marks a new collection
 * after a failed product (PlanRepaired with recollection), which starts the product's track again.
 */
export interface StepEntry {
  readonly position: number;
  /** The event's id, when and by whom it was recorded: kept by the read model, for the reader (the rules do not read them). */
  readonly eventId?: string;
  readonly recordedAt?: string;
  readonly recordedBy?: string;
  readonly type: LifecycleEvent['type'] | 'TrackRestarted';
  readonly data: Record<string, unknown>;
  /** Each correction made to it, oldest first. */
  readonly corrections?: readonly { readonly reason: string; readonly was: CorrectableFacts }[];
  readonly enteredInError?: { readonly reason: string };
}

/** Where both tracks stand, folded from the steps as corrected; steps entered in error count for nothing. */
export function progressOfSteps(steps: readonly StepEntry[]): Progress {
  let progress = NOT_STARTED;
  for (const entry of steps) {
    if (entry.enteredInError) continue;
    progress = entry.type === 'TrackRestarted' ? productTrackRestarted(progress) : evolveProgress(progress, { type: entry.type, data: entry.data } as LifecycleEvent);
  }
  return progress;
}

/** What the read model keeps of where an event was recorded (StepEntry's eventId, recordedAt, recordedBy). */
export interface StepRecorded {
  readonly eventId: string;
  readonly recordedAt: string;
  readonly recordedBy: string;
}

/** The steps after one more event of the pathway's stream (unchanged when the event is not about the steps). */
export function stepsAfter(steps: readonly StepEntry[], position: number, event: { type: string; data: object }, recorded?: StepRecorded): readonly StepEntry[] {
  const data = event.data as Record<string, unknown>;
  switch (event.type) {
    case 'StepCorrected': {
      const { position: corrected, now, reason, was } = event.data as StepCorrected['data'];
      return steps.map((s) => (s.position === corrected ? { ...s, data: { ...s.data, ...now }, corrections: [...(s.corrections ?? []), { reason, was }] } : s));
    }
    case 'StepEnteredInError': {
      const { position: wrong, reason } = event.data as StepEnteredInError['data'];
      return steps.map((s) => (s.position === wrong ? { ...s, enteredInError: { reason } } : s));
    }
    case 'PlanRepaired':
      return data.recollection ? [...steps, { position, type: 'TrackRestarted', data: {}, ...recorded }] : steps;
    default:
      return [...steps, { position, type: event.type as LifecycleEvent['type'], data, ...recorded }];
  }
}

/** A correction as a scheduler or QA asks for it. */
export interface StepCorrection {
  /** The recorded step, by its event id (the audit trail shows it) and its place in the stream. */
  readonly eventId: string;
  readonly position: number;
  readonly occurredAt?: Date | null;
  readonly firstSessionStartedAt?: Date | null;
  readonly sessions?: number | null;
  readonly cd3YieldE9?: number | null;
  readonly reason: string;
}

const iso = (d: Date) => d.toISOString();
const dayOf = (instant: string) => localDateOf(new Date(instant), NETWORK_TIME_ZONE);

function stepToCorrect(coi: string, steps: readonly StepEntry[], eventId: string, position: number): StepEntry {
  const entry = steps.find((s) => s.position === position);
  if (!entry || entry.type === 'TrackRestarted') {
    throw new NotFoundError('recorded step', eventId, `Event ${eventId} is not a clinical step of pathway ${coi}: take the event id from the pathway's audit trail.`);
  }
  if (entry.enteredInError) throw new ConflictError(`That ${entry.type} was marked entered in error (${entry.enteredInError.reason}): it no longer counts, so it cannot be corrected.`, { eventId });
  return entry;
}

/**
 * Judges a correction: something changes, a reason is given, a collection's own facts only on a
 * collection, and the corrected instant keeps the steps in the order they happened and is not in the
 * future. The steps already recorded after it are judged again on the corrected facts: a rule they now
 * break is named in the correction (`deviations`), for QA to investigate; the record is not refused,
 * since it states what happened.
 */
export function correctStep(coi: string, steps: readonly StepEntry[], process: LifecycleProcess, input: StepCorrection, now: Date): StepCorrected[] {
  const entry = stepToCorrect(coi, steps, input.eventId, input.position);
  const reason = optionalReason(input.reason);
  if (!reason) throw new ValidationError('reason', 'Say why the step is corrected: the audit trail keeps the original and the reason.');
  const changes: { -readonly [K in keyof CorrectableFacts]: CorrectableFacts[K] } = {};
  if (input.occurredAt) changes.at = iso(checkedInstant('occurredAt', input.occurredAt, now));
  if (input.firstSessionStartedAt) changes.firstSessionStartedAt = iso(checkedInstant('firstSessionStartedAt', input.firstSessionStartedAt, now));
  if (input.sessions !== undefined && input.sessions !== null) {
    if (!Number.isInteger(input.sessions) || input.sessions < 1 || input.sessions > 4) throw new ValidationError('sessions', 'Collection takes 1 to 4 apheresis sessions.');
    changes.sessions = input.sessions;
  }
  if (input.cd3YieldE9 !== undefined && input.cd3YieldE9 !== null) {
    if (!(input.cd3YieldE9 >= 0)) throw new ValidationError('cd3YieldE9', 'A CD3+ yield is a number of ×10⁹ cells, 0 or more.');
    changes.cd3YieldE9 = input.cd3YieldE9;
  }
  if (entry.type !== 'CollectionRecorded') {
    const field = COLLECTION_ONLY.find((f) => changes[f] !== undefined);
    if (field) throw new ValidationError(field, `Only a collection has ${field}; for this ${entry.type} correct when it happened (occurredAt).`);
  }
  const was: Record<string, unknown> = {};
  const changed: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(changes)) {
    if (entry.data[field] === value) continue;
    was[field] = entry.data[field] ?? null;
    changed[field] = value;
  }
  if (Object.keys(changed).length === 0) throw new ValidationError('occurredAt', 'Nothing to correct: give the fact that was recorded wrongly with its right value.');
  const corrected = { ...entry.data, ...changed };
  if (corrected.firstSessionStartedAt && Date.parse(corrected.firstSessionStartedAt as string) > Date.parse(corrected.at as string)) {
    throw new ValidationError('firstSessionStartedAt', `The first session cannot begin (${corrected.firstSessionStartedAt as string}) after the collection ended (${corrected.at as string}).`);
  }
  checkOrder(steps, entry, corrected.at as string);
  const after = steps.map((s) => (s.position === entry.position ? { ...s, data: corrected } : s));
  return [new StepCorrected({ coi, eventId: input.eventId, position: entry.position, step: entry.type as LifecycleEvent['type'], was, now: changed, reason, deviations: deviationsOf(after, process), ...batchOf(entry) })];
}

function checkedInstant(field: string, instant: Date, now: Date): Date {
  if (Number.isNaN(instant.getTime())) throw new ValidationError(field, 'Give an ISO instant, e.g. 2027-03-01T13:00:00Z.');
  if (instant.getTime() > now.getTime()) throw new ValidationError(field, `${iso(instant)} is after now (${iso(now)}): a correction states what happened.`);
  return instant;
}

/** A corrected instant stays between the steps recorded before and after it (they happened in that order). */
function checkOrder(steps: readonly StepEntry[], entry: StepEntry, at: string): void {
  const counted = steps.filter((s) => s.type !== 'TrackRestarted' && !s.enteredInError);
  const index = counted.findIndex((s) => s.position === entry.position);
  const before = counted.slice(0, index).at(-1);
  const next = counted[index + 1];
  if (before && Date.parse(at) < Date.parse(before.data.at as string)) {
    throw new ValidationError('occurredAt', `${at} is before the step recorded before it (${before.type} at ${before.data.at as string}). Correct that step first if it is wrong too.`);
  }
  if (next && Date.parse(at) > Date.parse(next.data.at as string)) {
    throw new ValidationError('occurredAt', `${at} is after the step recorded after it (${next.type} at ${next.data.at as string}). Correct that step first if it is wrong too.`);
  }
}

/**
 * The timing rules the recorded steps break on these facts (the rules of clinical-rules.ts that the
 * step handlers apply): manufacture started after the fresh hold, and infusion after the shelf life.
 */
export function deviationsOf(steps: readonly StepEntry[], process: LifecycleProcess): string[] {
  const p = progressOfSteps(steps);
  const found: string[] = [];
  const firstSession = p.collectionStartedAt ?? p.collectedAt;
  const holdEnds = firstSession ? freshHoldEndsAt(process, new Date(firstSession)) : null;
  if (holdEnds && p.manufactureStartedAt && Date.parse(p.manufactureStartedAt) > holdEnds.getTime()) {
    found.push(`Manufacture started at ${p.manufactureStartedAt}, after the ${process.maxFreshHoldHours} h fresh hold that ran from the first session (${firstSession}) ended at ${iso(holdEnds)}.`);
  }
  const expires = p.manufacturedAt ? shelfLifeEndsAt(process, new Date(p.manufacturedAt)) : null;
  if (expires && p.infusedAt && Date.parse(p.infusedAt) > expires.getTime()) {
    found.push(`The patient was infused at ${p.infusedAt}, after the product's ${process.shelfLifeHours} h shelf life ended at ${iso(expires)}.`);
  }
  return found;
}

/**
 * Marks a step entered in error. Only the latest step that counts: the steps after a step were recorded
 * on it (a receipt on a shipment), so they are marked first, latest first.
 */
export function markEnteredInError(coi: string, steps: readonly StepEntry[], eventId: string, position: number, rawReason: string): StepEnteredInError[] {
  const entry = stepToCorrect(coi, steps, eventId, position);
  const reason = optionalReason(rawReason);
  if (!reason) throw new ValidationError('reason', 'Say why the step was entered in error: the audit trail keeps it and the reason.');
  const later = steps.filter((s) => s.position > entry.position && !s.enteredInError);
  if (later.length > 0) {
    const names = later.map((s) => (s.type === 'TrackRestarted' ? 'a new collection planned after the product failed' : `${s.type} (${dayOf(s.data.at as string)})`));
    throw new ConflictError(`Steps were recorded after this ${entry.type}: ${names.join(', ')}. Mark those entered in error first, the latest first, if they are wrong too.`, {
      eventId,
      later: later.map((s) => s.position),
    });
  }
  return [new StepEnteredInError({ coi, eventId, position: entry.position, step: entry.type as LifecycleEvent['type'], reason, ...batchOf(entry) })];
}
