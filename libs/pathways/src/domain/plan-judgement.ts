import { addDays, daysBetween, ValidationError } from '@bedside/shared';
import { conditioningDaysBeforeInfusion, conditioningMayStart, freshHoldEndsAt, icuCover, icuCoverWords, infusionGapDays, outOfReachWords, shelfLifeEndsAt, staysWithinReach } from './clinical-rules';
import { searchPlans, type FreeSlot, type PlanSearchInput, type VeinToVeinPlan } from './plan-search';
import { describeSlot, slotStreamId, type SlotRef } from './slot';

/**
 * A hold holds a plan (issue 11 §4): the slots given to `holdPlan` must be one complete, feasible
 * vein-to-vein plan for the pathway, under the rules the plan search applies (plan-search.ts R1-R10).
 * The judge is the search itself: it runs on the live network with only the given slots free, and the
 * slots stand when the plan it finds uses exactly them. So a plan the search offers is always held, and
 * a set the search could never offer is never held. What the slots break is then named, rule by rule.
 */
export class PlanRuleError extends ValidationError {
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super('slots', `These slots are not a plan Bedside can book (${rule}): ${message}`);
    Object.assign(this.details, { rule });
  }
}

/** What the slots of a held plan are, by kind: parsed from their resource keys. */
interface Parts {
  readonly chairs: SlotRef[];
  readonly bays: SlotRef[];
  readonly conditioning: SlotRef[];
  readonly infusion: SlotRef[];
  readonly monitoring: SlotRef[];
  readonly icu: SlotRef[];
}

const KIND_WORDS = {
  APHERESIS_CHAIR: 'apheresis chair session',
  CONDITIONING_CHAIR: 'conditioning chair session',
  INFUSION_BED: 'infusion bed day',
  MONITORING_BED: 'monitoring bed day',
} as const;

const siteOf = (slot: SlotRef) => slot.resourceKey.split(':')[1]!;
const unitOf = (slot: SlotRef) => slot.resourceKey.slice('unit:'.length);
const byDay = (a: SlotRef, b: SlotRef) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function partsOf(slots: readonly SlotRef[]): Parts {
  const parts: Parts = { chairs: [], bays: [], conditioning: [], infusion: [], monitoring: [], icu: [] };
  for (const slot of slots) {
    if (slot.resourceKey.startsWith('unit:')) parts.bays.push(slot);
    else if (slot.resourceKey.endsWith(':APHERESIS_CHAIR')) parts.chairs.push(slot);
    else if (slot.resourceKey.endsWith(':CONDITIONING_CHAIR')) parts.conditioning.push(slot);
    else if (slot.resourceKey.endsWith(':INFUSION_BED')) parts.infusion.push(slot);
    else if (slot.resourceKey.endsWith(':MONITORING_BED')) parts.monitoring.push(slot);
    else if (slot.resourceKey.endsWith(':ICU_BED')) parts.icu.push(slot);
    else throw new PlanRuleError('one plan', `${describeSlot(slot)} is not a place a vein-to-vein plan uses (apheresis and conditioning chairs, a unit's bay, infusion, monitoring and ICU beds).`);
  }
  for (const list of Object.values(parts)) list.sort(byDay);
  return parts;
}

/** One place for each step, the counts the product's process sets, one slot a day. */
function checkShape(input: PlanSearchInput, { chairs, bays, conditioning, infusion, monitoring, icu }: Parts): void {
  const p = input.process;
  const onePlace = (list: SlotRef[], what: string, rule: string, place: (s: SlotRef) => string) => {
    const places = [...new Set(list.map(place))];
    if (places.length > 1) throw new PlanRuleError(rule, `${what} must be at one place; these are at ${places.join(', ')}.`);
    const days = list.map((s) => s.day);
    const twice = days.find((d, i) => days.indexOf(d) !== i);
    if (twice) throw new PlanRuleError(rule, `${what} takes one slot a day; these take two on ${twice}.`);
  };
  const count = (list: SlotRef[], wanted: number, what: string, rule: string) => {
    if (list.length === 0 && wanted > 0) {
      throw new PlanRuleError(rule, `a held plan covers every step from collection to monitoring, and these slots have no ${what} (this product needs ${wanted}). Hold the slots of a plan from planOptions.`);
    }
    if (list.length !== wanted) throw new PlanRuleError(rule, `this product needs ${plural(wanted, what)}; these slots give ${list.length}.`);
  };
  count(chairs, p.apheresisSessions, KIND_WORDS.APHERESIS_CHAIR, 'R2 apheresis');
  onePlace(chairs, 'Collection', 'R2 apheresis', siteOf);
  count(bays, p.manufactureDays, 'manufacturing bay day', 'R5 manufacture');
  onePlace(bays, 'Manufacture', 'R5 manufacture', unitOf);
  const first = bays[0]!.day;
  bays.forEach((bay, k) => {
    if (bay.day !== addDays(first, k)) throw new PlanRuleError('R5 manufacture', `manufacture runs on ${p.manufactureDays} consecutive days from ${first}; ${addDays(first, k)} is missing.`);
  });
  count(conditioning, p.conditioningDays.length, KIND_WORDS.CONDITIONING_CHAIR, 'R7 treatment');
  count(infusion, 1, KIND_WORDS.INFUSION_BED, 'R7 treatment');
  count(monitoring, p.monitoringInpatientDays, KIND_WORDS.MONITORING_BED, 'R7 treatment');
  const treatment = [...conditioning, ...infusion, ...monitoring];
  const centres = [...new Set(treatment.map(siteOf))];
  if (centres.length > 1) throw new PlanRuleError('R7 treatment', `conditioning, infusion and monitoring happen at one treatment centre; these are at ${centres.join(', ')}.`);
  onePlace(conditioning, 'Conditioning', 'R7 treatment', siteOf);
  onePlace(monitoring, 'Monitoring', 'R7 treatment', siteOf);
  const infusionDay = infusion[0]!.day;
  monitoring.forEach((bed, k) => {
    if (bed.day !== addDays(infusionDay, k)) throw new PlanRuleError('R7 treatment', `monitoring beds run from the infusion day (${infusionDay}) for ${p.monitoringInpatientDays} days; ${addDays(infusionDay, k)} is missing.`);
  });
  for (const centre of new Set([siteOf(chairs[0]!), centres[0]!])) {
    if (!input.treatmentCentres.includes(centre)) throw new PlanRuleError('R7 treatment', `${centre} is not an active treatment centre with apheresis, conditioning, infusion and monitoring.`);
  }
  // R10: ICU cover at the centre on days 5 and 6 after the infusion, and nothing else of ICU.
  const cover = icuCover(p, infusionDay);
  const coverDays = icu.map((s) => s.day).join();
  if (coverDays !== cover.days.join() || icu.some((s) => siteOf(s) !== centres[0])) {
    throw new PlanRuleError(
      'R10 ICU cover',
      cover.days.length === 0
        ? `this product reserves no ICU cover; these slots hold ICU beds (${icu.map(describeSlot).join(', ')}).`
        : `${icuCoverWords(p, centres[0]!, cover)}; these slots hold ${icu.length === 0 ? 'no ICU bed' : icu.map(describeSlot).join(', ')}. Hold the slots of a plan from planOptions, which include the cover.`,
    );
  }
  const stay = input.stay;
  if (stay && !staysWithinReach(p, stay.minutesTo(centres[0]!))) {
    throw new PlanRuleError(
      'R9 stay within reach',
      `${outOfReachWords(p, stay.district, centres[0]!, stay.minutesTo(centres[0]!))}. Hold a plan at a centre within reach (planOptions offers only those), or arrange a stay near ${centres[0]} first (arrangeMonitoringStay).`,
    );
  }
}

/** The network as the search sees it, with only the given slots free (opening days still count). */
function restricted(input: PlanSearchInput, parts: Parts, given: ReadonlySet<string>): PlanSearchInput {
  const unitId = unitOf(parts.bays[0]!);
  const centres = [siteOf(parts.chairs[0]!), siteOf(parts.infusion[0]!)];
  return {
    ...input,
    count: 1,
    preferredCentre: null,
    designatedUnits: input.designatedUnits.filter((u) => u.unitId === unitId),
    treatmentCentres: input.treatmentCentres.filter((c) => centres.includes(c)),
    // Capacity is the slot streams' to judge when the hold is placed (SLOT_TAKEN); here only the shape. Only
    // the places the slots name are looked at (the centres' resources and the unit), full or not.
    free: input.free
      .filter((slot) => (slot.unitId === null ? centres.includes(slot.siteCode) : slot.unitId === unitId))
      .map((slot): FreeSlot => ({ ...slot, free: given.has(slotStreamId(slot)) ? 1 : 0 })),
  };
}

/**
 * Judges a set of slots as one plan for the pathway the search input describes; returns the plan they
 * make, or throws PlanRuleError naming the first rule they break (`input.free` lists the network's
 * slots over the days concerned, full ones too).
 */
export function judgePlanSlots(input: PlanSearchInput, slots: readonly SlotRef[]): VeinToVeinPlan {
  const parts = partsOf(slots);
  checkShape(input, parts);
  const unitId = unitOf(parts.bays[0]!);
  if (!input.designatedUnits.some((u) => u.unitId === unitId)) {
    throw new PlanRuleError('R5 manufacture', `unit ${unitId} is not designated for this product under the pathway's DMMF version (or not at a designated site now); choose a designated unit.`);
  }
  const given = new Set(slots.map(slotStreamId));
  const [plan] = searchPlans(restricted(input, parts, given)).plans;
  if (plan && plan.slots.length === given.size && plan.slots.every((s) => given.has(slotStreamId(s)))) return plan;
  throw explain(input, parts);
}

/** The first timing rule the slots break, in the search's order (plan-search.ts R1-R10). */
function explain(input: PlanSearchInput, parts: Parts): PlanRuleError {
  const p = input.process;
  const layout = new Map(input.free.map((s) => [slotStreamId(s), s]));
  const real = (slot: SlotRef) => layout.get(slotStreamId(slot));
  const { chairs, bays, conditioning, infusion } = parts;
  const centre = siteOf(chairs[0]!);
  const unit = input.designatedUnits.find((u) => u.unitId === unitOf(bays[0]!))!;
  const treatment = siteOf(infusion[0]!);
  if (chairs[0]!.day < input.earliestCollectionDate) return new PlanRuleError('R1 washout', `collection on ${chairs[0]!.day} is before ${input.earliestCollectionDate}, the first day the patient may be collected.`);
  for (let k = 1; k < chairs.length; k++) {
    const open = input.free.find((s) => s.resourceKey === chairs[k]!.resourceKey && s.day > chairs[k - 1]!.day && s.day < chairs[k]!.day);
    if (open) return new PlanRuleError('R2 apheresis', `collection sessions fall on consecutive opening days; ${centre}'s chairs are open on ${open.day}, between ${chairs[k - 1]!.day} and ${chairs[k]!.day}.`);
  }
  const toUnit = input.travelHours(centre, unit.siteCode) ?? (centre === unit.siteCode ? 0 : undefined);
  if (toUnit === undefined) return new PlanRuleError('R3 starting material', `no route is known from ${centre} to ${unit.siteCode}, where ${unit.unitId} is.`);
  if (p.startingMaterial === 'FRESH' && centre !== unit.siteCode && !input.freshCourier(centre, unit.siteCode)) {
    return new PlanRuleError('R3 starting material', `fresh starting material cannot travel from ${centre} to ${unit.siteCode}: the route has no fresh courier.`);
  }
  const [firstChair, lastChair, firstBay] = [real(chairs[0]!), real(chairs.at(-1)!), real(bays[0]!)];
  if (firstChair && lastChair && firstBay) {
    const arrival = lastChair.endsAt.getTime() + toUnit * 3_600_000;
    if (firstBay.endsAt.getTime() <= arrival) {
      return new PlanRuleError('R4 manufacture start', `the starting material reaches ${unit.siteCode} at ${new Date(arrival).toISOString()}, after ${unit.unitId}'s bay day ${firstBay.day} ends.`);
    }
    const start = new Date(Math.max(arrival, firstBay.startsAt.getTime()));
    const holdEnds = freshHoldEndsAt(p, firstChair.startsAt);
    if (holdEnds && start > holdEnds) {
      return new PlanRuleError('R3 fresh hold', `manufacture would start at ${start.toISOString()}, after the ${p.maxFreshHoldHours} h hold from the first collection session (${firstChair.startsAt.toISOString()}) ends.`);
    }
    const firstCourse = real(conditioning[0]!);
    if (firstCourse && !conditioningMayStart(p.conditioningGate, start, firstCourse.startsAt)) {
      return new PlanRuleError('R8 gate', `conditioning would start at ${firstCourse.startsAt.toISOString()}, before manufacture starts (${start.toISOString()}): the unit can confirm only a batch under way.`);
    }
  }
  const infusionDay = infusion[0]!.day;
  const gap = daysBetween(conditioning.at(-1)!.day, infusionDay);
  const window = infusionGapDays(p);
  if (gap < window.min || gap > window.max) {
    return new PlanRuleError('R7 treatment', `infusion on ${infusionDay} is ${gap} day(s) after the last conditioning day; this product is infused ${window.min === window.max ? window.min : `${window.min} to ${window.max}`} days after it.`);
  }
  const pattern = conditioningDaysBeforeInfusion(p, gap);
  const days = conditioning.map((s) => daysBetween(infusionDay, s.day));
  if (days.join() !== pattern.join()) {
    return new PlanRuleError('R7 treatment', `conditioning falls on days ${pattern.join(', ')} of infusion (${pattern.map((d) => addDays(infusionDay, d)).join(', ')}), not ${days.join(', ')}.`);
  }
  if (conditioning[0]!.day <= chairs.at(-1)!.day) return new PlanRuleError('R8 gate', `conditioning (${conditioning[0]!.day}) starts after the last collection day (${chairs.at(-1)!.day}).`);
  const toCentre = input.travelHours(unit.siteCode, treatment) ?? (unit.siteCode === treatment ? 0 : undefined);
  if (toCentre === undefined) return new PlanRuleError('R7 treatment', `no route is known from ${unit.siteCode} to ${treatment} for the product.`);
  const ready = addDays(bays[0]!.day, p.manufactureDays + (p.conditioningGate === 'RELEASE_BEFORE_CONDITIONING' ? p.qcReleaseDays : 0));
  if (p.conditioningGate === 'RELEASE_BEFORE_CONDITIONING') {
    const inStock = addDays(ready, Math.ceil(toCentre / 24));
    if (conditioning[0]!.day < inStock) return new PlanRuleError('R8 gate', `the product is released on ${ready} and in stock at ${treatment} from ${inStock}; conditioning cannot start before (${conditioning[0]!.day}).`);
  } else {
    if (infusionDay !== ready) return new PlanRuleError('R8 gate', `this product is infused on the day it is ready (${ready}), not on ${infusionDay}.`);
    if (toCentre > p.shelfLifeHours) return new PlanRuleError('R8 gate', `the ${toCentre} h journey from ${unit.siteCode} to ${treatment} is longer than the product's ${p.shelfLifeHours} h shelf life.`);
  }
  const [lastBay, bed] = [real(bays.at(-1)!), real(infusion[0]!)];
  if (lastBay && bed) {
    // The product keeps shelfLifeHours from the end of manufacture (clinical-rules.ts shelfLifeEndsAt).
    const expires = shelfLifeEndsAt(p, lastBay.endsAt);
    const arrival = new Date(lastBay.endsAt.getTime() + toCentre * 3_600_000);
    if (p.conditioningGate === 'CONDITIONING_DURING_MANUFACTURE' && arrival >= bed.endsAt) {
      return new PlanRuleError('R8 gate', `the product leaves ${unit.siteCode} at the end of manufacture (${lastBay.endsAt.toISOString()}) and reaches ${treatment} at ${arrival.toISOString()}, after the infusion day ${infusionDay}.`);
    }
    const infusedAt = p.conditioningGate === 'CONDITIONING_DURING_MANUFACTURE' && arrival > bed.startsAt ? arrival : bed.startsAt;
    if (infusedAt > expires) return new PlanRuleError('R8 shelf life', `infusion on ${infusionDay} is after the product's ${p.shelfLifeHours} h shelf life ends (${expires.toISOString()}).`);
  }
  const missing = [...chairs, ...bays, ...conditioning, ...infusion, ...parts.monitoring, ...parts.icu].find((s) => !real(s));
  if (missing) return new PlanRuleError('one plan', `${describeSlot(missing)} is not in the network's calendars.`);
  return new PlanRuleError('R1-R10', 'they do not make one vein-to-vein plan the search could offer. Hold the slots of a plan from planOptions.');
}
