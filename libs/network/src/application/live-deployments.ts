import { Injectable, type OnModuleInit } from '@nestjs/common';
import { recordedOfTypes, type RecordedEvent } from '@bedside/event-store';
import { LiveUpdates } from '@bedside/read-model';
import type { DeploymentEvent } from '../domain';

export const DEPLOYMENT_CHANGED = 'DEPLOYMENT_CHANGED';

export interface DeploymentChangedPayload {
  readonly unitId: string;
  readonly deploymentId: string;
}

/** Feeds deploymentChanged from the modular-units projection: a subscriber is told once the read model shows the move. */
@Injectable()
export class LiveDeployments implements OnModuleInit {
  constructor(private readonly live: LiveUpdates) {}

  onModuleInit(): void {
    this.live.feed(['modular-units'], DEPLOYMENT_CHANGED, async (events: readonly RecordedEvent[]) =>
      recordedOfTypes<DeploymentEvent>(events, ['UnitDeployed', 'UnitRecalled']).map((e): DeploymentChangedPayload => ({ unitId: e.data.unitId, deploymentId: e.data.deploymentId })),
    );
  }
}
