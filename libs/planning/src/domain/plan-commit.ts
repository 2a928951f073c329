import { addDays, ConflictError, ValidationError, type LocalDate } from '@bedside/shared';
import { availableAfterMove, siteOn, travelDaysFor, type DeployUnit, type DeploymentData } from '@bedside/network';
import type { ScenarioAssumptions } from './scenario';
import type { ScenarioRunResult } from './scenario-run';

/** The live network as committing a plan reads it. */
export interface CommitFacts {
  /** Today, by Bedside's clock. */
  readonly today: LocalDate;
  /** Registered units: where each is, by its deployments. */
  readonly units: ReadonlyMap<string, { readonly homeSiteCode: string; readonly deployments: readonly DeploymentData[] }>;
  /** Sites that can host a unit (active), with their region. */
  readonly activeSites: readonly { readonly code: string; readonly region: string | null }[];
  readonly travelHours: (from: string, to: string) => number | undefined;
}

export interface PlannedDeployment {
  readonly unitId: string;
  readonly input: DeployUnit;
}

/**
 * A finished run's plan as deployments (issue 13 §5): each move of a unit to a region becomes a deployment
 * to that region's active site with the quickest road from where the unit then is, leaving on the plan's
 * day, with the scenario's tear-down, set-up and requalification days. Refused, naming what no longer
 * fits, when the plan cannot be made real on the live network as it stands: a unit the scenario only
 * assumed, a move due before today, a region with no active site reachable, or a move that would make the
 * unit ready later than the plan counted on (daysLostMoving with the road's real hours). Deciding and
 * recording the deployments is then the network's (deployUnit), all or nothing.
 */
export function deploymentsOfPlan(run: { readonly runId: string; readonly result: ScenarioRunResult }, assumptions: ScenarioAssumptions, facts: CommitFacts, reason: string): PlannedDeployment[] {
  const asOf = assumptions.asOf;
  const assumed = run.result.proposed.timelines.map((t) => t.unitId).filter((id) => !facts.units.has(id));
  if (assumed.length > 0) {
    throw new ConflictError(`The plan uses ${assumed.join(', ')}, which the live network does not have (the scenario assumed ${assumed.length === 1 ? 'it' : 'them'}): register ${assumed.length === 1 ? 'it' : 'them'}, or run a scenario without.`, {
      runId: run.runId,
      units: assumed,
    });
  }
  const planned: PlannedDeployment[] = [];
  for (const timeline of run.result.proposed.timelines) {
    const unit = facts.units.get(timeline.unitId)!;
    let here = siteOn(unit.homeSiteCode, unit.deployments, asOf);
    for (const segment of timeline.segments) {
      if (segment.kind !== 'MOVING') continue;
      const leavesOn = addDays(asOf, segment.from);
      if (leavesOn < facts.today) {
        throw new ConflictError(`The plan moves ${timeline.unitId} to ${segment.region} on ${leavesOn}, before today (${facts.today}): run the scenario again from today.`, { runId: run.runId, unitId: timeline.unitId });
      }
      const from = here;
      const hosts = facts.activeSites
        .filter((s) => s.region === segment.region && s.code !== from && facts.travelHours(from, s.code) !== undefined)
        .sort((a, b) => facts.travelHours(from, a.code)! - facts.travelHours(from, b.code)! || (a.code < b.code ? -1 : 1));
      const host = hosts[0];
      if (!host) throw new ConflictError(`No active site in ${segment.region} has a road from ${from} recorded, so ${timeline.unitId} cannot go there: activate one or record the travel time.`, { runId: run.runId, unitId: timeline.unitId, region: segment.region });
      const move = { tearDownDays: assumptions.teardownDays, setUpDays: assumptions.setupDays, requalificationDays: assumptions.requalificationDays };
      const ready = availableAfterMove(leavesOn, { ...move, travelDays: travelDaysFor(facts.travelHours(from, host.code)!) });
      const planReady = addDays(asOf, segment.to);
      if (segment.to < assumptions.days && ready > planReady) {
        throw new ConflictError(`The plan has ${timeline.unitId} filling in ${segment.region} from ${planReady}, but the road from ${from} to ${host.code} makes it ready on ${ready}: the plan no longer fits the network. Run the scenario again.`, {
          runId: run.runId,
          unitId: timeline.unitId,
        });
      }
      planned.push({ unitId: timeline.unitId, input: { toSiteCode: host.code, leavesOn, ...move, reason } });
      here = host.code;
    }
  }
  if (planned.length === 0) throw new ValidationError('runId', `Run ${run.runId}'s plan keeps every unit where it stands: there is no deployment to commit.`);
  return planned;
}
