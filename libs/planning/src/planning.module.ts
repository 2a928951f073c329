import { Module, type OnModuleInit } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { EventTypeRegistry } from '@bedside/event-store';
import { ProjectionRegistry } from '@bedside/read-model';
import { NetworkModule } from '@bedside/network';
import { CreateScenarioHandler, UpdateScenarioHandler } from './application/scenario-commands';
import { ScenarioReads } from './application/scenario-reads';
import { RunScenarioHandler, ScenarioRunner } from './application/scenario-runs';
import { CommitScenarioPlanHandler } from './application/commit-scenario-plan';
import { ScenarioCreated, ScenarioRevised } from './domain/scenario';
import { ScenarioPlanCommitted, ScenarioRunFailed, ScenarioRunFinished, ScenarioRunRequested } from './domain/scenario-run';
import { ScenarioRunResolver, ScenarioRunsResolver } from './graphql/scenario-run.resolver';
import { ScenarioResolver } from './graphql/scenario.resolver';
import { ScenarioRunsProjection } from './projections/scenario-runs.projection';
import { ScenariosProjection } from './projections/scenarios.projection';

/** Surge planning (issue 13): scenarios, their runs, and committing a run's plan as deployments. */
@Module({
  imports: [CqrsModule, NetworkModule],
  providers: [CreateScenarioHandler, UpdateScenarioHandler, ScenarioReads, ScenarioResolver, ScenarioRunner, RunScenarioHandler, CommitScenarioPlanHandler, ScenarioRunResolver, ScenarioRunsResolver],
})
export class PlanningModule implements OnModuleInit {
  constructor(
    private readonly events: EventTypeRegistry,
    private readonly projections: ProjectionRegistry,
  ) {}

  onModuleInit(): void {
    this.events.register(ScenarioCreated, ScenarioRevised, ScenarioRunRequested, ScenarioRunFinished, ScenarioRunFailed, ScenarioPlanCommitted);
    this.projections.register(new ScenariosProjection());
    this.projections.register(new ScenarioRunsProjection());
  }
}
