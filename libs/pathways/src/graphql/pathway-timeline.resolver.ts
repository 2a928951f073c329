import { ResolveField, Resolver } from '@nestjs/graphql';
import { actingOf, loadersOf, type GraphQLRequestContext } from '@bedside/graphql-common';
import { PathwayTimelines } from '../application/pathway-timelines';
import type { TimelineStep as Step } from '../domain/timeline';
import { Pathway } from './pathway.types';
import { TimelineStep } from './pathway-timeline.types';

const toStep = (step: Step): TimelineStep => ({ ...step, doneAt: step.doneAt === null ? null : new Date(step.doneAt), slots: step.slots as TimelineStep['slots'] });

/** The per-request loader of timelines (a `pathway` query may provide its pathway's timeline to it). */
export const PATHWAY_TIMELINE_LOADER = 'pathway-timeline';

/** `Pathway.timeline`: every pathway of a list is answered by one read. */
@Resolver(() => Pathway)
export class PathwayTimelineResolver {
  constructor(private readonly timelines: PathwayTimelines) {}

  @ResolveField(() => [TimelineStep], {
    description:
      'The vein-to-vein timeline of the plan in place (held or booked), in pathway order: each step’s place, unit, start and end, and whether it is planned, under way or done. ' +
      'Empty when no plan is held or booked. Transport and QC release occupy no capacity and are not steps here. Always as recorded now, also under `pathway(asOf:)`.',
  })
  // No parameter decorators: Nest then hands GraphQL the method itself (root, args, context) rather
  // than wrapping every call of it in an execution context and parameter pipes.
  timeline(pathway: Pathway, _args: unknown, context: GraphQLRequestContext): TimelineStep[] | Promise<TimelineStep[]> {
    const loaders = loadersOf(context);
    // Read with the pathway itself (the `pathway` query): answered now, not after a batch tick.
    const given = loaders.take<string, Step[] | Error>(PATHWAY_TIMELINE_LOADER, pathway.coi);
    if (given instanceof Error) throw given;
    if (given) return given.map(toStep);
    const acting = actingOf(context);
    return loaders
      .get<string, Step[]>(PATHWAY_TIMELINE_LOADER, (cois) => this.timelines.forPathways(cois, acting))
      .load(pathway.coi)
      .then((steps) => steps.map(toStep));
  }
}
