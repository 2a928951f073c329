import { evaluateSurgePlan, type SurgePlan, type UnitSegment, type UnitTimeline } from './surge-plan';
import type { SurgeInstance } from './surge-instance';

/**
 * The plan without the moves that buy nothing (issue 15 §4: a committed plan deploys every move). The
 * model prices doses waiting, not moves, so once a unit's work is done the solver may send it anywhere
 * at no cost to its objective; committed, each such move would take the unit down, put it on the road
 * and requalify it for nothing. Each unit's last move is dropped (the unit stays filling where it then
 * stands) as long as the plan's weighted unmet dose-days do not rise, working back from its last move;
 * the plan is never worse for it.
 */
export function withoutIdleMoves(instance: SurgeInstance, plan: SurgePlan): SurgePlan {
  let current = plan;
  let score = evaluateSurgePlan(instance, plan).weightedUnmetDoseDays;
  // Dose-days are sums of doses over days: a difference within a millionth is rounding, not a dose.
  const noWorse = (trial: number) => trial <= score + 1e-6 * Math.max(1, Math.abs(score));
  for (let u = 0; u < current.timelines.length; u++) {
    for (;;) {
      const timeline = current.timelines[u]!;
      const lastMove = timeline.segments.findLastIndex((s) => s.kind === 'MOVING');
      if (lastMove < 0) break;
      const trial: SurgePlan = { timelines: current.timelines.map((t, i) => (i === u ? stayingFrom(instance, timeline, lastMove) : t)) };
      const trialScore = evaluateSurgePlan(instance, trial).weightedUnmetDoseDays;
      if (!noWorse(trialScore)) break;
      current = trial;
      score = Math.min(score, trialScore);
    }
  }
  return current;
}

/** The unit's timeline with the move at `index` and all after it dropped: it fills where it stands from then to the end. */
function stayingFrom(instance: SurgeInstance, timeline: UnitTimeline, index: number): UnitTimeline {
  const kept = timeline.segments.slice(0, index);
  const from = timeline.segments[index]!.from;
  const last = kept.at(-1);
  const home = instance.units.find((u) => u.unitId === timeline.unitId)!.region;
  // Where it stands as the dropped move would have begun: where it was filling, or where its last move took it.
  const region = last?.region ?? home;
  const stay: UnitSegment = { kind: 'FILLING', region, from, to: instance.days };
  const segments = last && last.kind === 'FILLING' && last.region === region && last.to === from ? [...kept.slice(0, -1), { ...last, to: instance.days }] : [...kept, stay];
  return { unitId: timeline.unitId, segments };
}
