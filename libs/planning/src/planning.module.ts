import { Module, type OnModuleInit } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { EventTypeRegistry } from '@bedside/event-store';
import { ProjectionRegistry } from '@bedside/read-model';
import { CreateScenarioHandler, UpdateScenarioHandler } from './application/scenario-commands';
import { ScenarioReads } from './application/scenario-reads';
import { ScenarioCreated, ScenarioRevised } from './domain/scenario';
import { ScenarioResolver } from './graphql/scenario.resolver';
import { ScenariosProjection } from './projections/scenarios.projection';

/** Surge planning (issue 13): scenarios so far; runs, deployments and committing a plan follow. */
@Module({
  imports: [CqrsModule],
  providers: [CreateScenarioHandler, UpdateScenarioHandler, ScenarioReads, ScenarioResolver],
})
export class PlanningModule implements OnModuleInit {
  constructor(
    private readonly events: EventTypeRegistry,
    private readonly projections: ProjectionRegistry,
  ) {}

  onModuleInit(): void {
    this.events.register(ScenarioCreated, ScenarioRevised);
    this.projections.register(new ScenariosProjection());
  }
}
