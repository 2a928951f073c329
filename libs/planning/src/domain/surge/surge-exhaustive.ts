import type { SurgeInstance } from './surge-instance';
import { evaluateSurgePlan, timelineOf, type SurgePlan } from './surge-plan';

/**
 * The best plan by trying every one (issue 13 §3: the optimiser's objective is proved against it on small
 * questions). Every unit may choose any region on every day; `timelineOf` turns the choices into where it
 * is, so every plan the optimiser could find is among those tried. Grows as regions^(days × units).
 */
export function exhaustiveSurgePlan(instance: SurgeInstance): { plan: SurgePlan; weightedUnmetDoseDays: number } {
  const choicesPerUnit = instance.regions.length ** instance.days;
  const combinations = choicesPerUnit ** instance.units.length;
  if (combinations > 2_000_000) throw new Error(`Too many plans to try (${combinations}); the exhaustive search is for small questions.`);
  let best: { plan: SurgePlan; weightedUnmetDoseDays: number } | undefined;
  for (let code = 0; code < combinations; code++) {
    let rest = code;
    const plan: SurgePlan = {
      timelines: instance.units.map((u) => {
        const choice = rest % choicesPerUnit;
        rest = Math.floor(rest / choicesPerUnit);
        return timelineOf(instance, u.unitId, u.region, (day) => Math.floor(choice / instance.regions.length ** day) % instance.regions.length);
      }),
    };
    const { weightedUnmetDoseDays } = evaluateSurgePlan(instance, plan);
    if (!best || weightedUnmetDoseDays < best.weightedUnmetDoseDays) best = { plan, weightedUnmetDoseDays };
  }
  return best!;
}
