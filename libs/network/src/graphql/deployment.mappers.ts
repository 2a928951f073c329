import type { LocalDate } from '@bedside/shared';
import type { Deployment as DeploymentData } from '../domain';
import { DeploymentStatusEnum, type Deployment } from './deployment.types';

/** Where a deployment stands on `today`, given the one after it (if any). */
export function deploymentStatus(d: DeploymentData, next: DeploymentData | undefined, today: LocalDate): DeploymentStatusEnum {
  if (today < d.leavesOn) return DeploymentStatusEnum.PLANNED;
  if (today < d.availableFrom) return DeploymentStatusEnum.MOVING;
  return next && next.leavesOn <= today ? DeploymentStatusEnum.ENDED : DeploymentStatusEnum.IN_PLACE;
}

export const toDeployment = (d: DeploymentData, next: DeploymentData | undefined, today: LocalDate): Deployment => ({
  id: d.deploymentId,
  unitId: d.unitId,
  fromSiteCode: d.fromSiteCode,
  toSiteCode: d.toSiteCode,
  recall: d.recall,
  leavesOn: d.leavesOn,
  availableFrom: d.availableFrom,
  tearDownDays: d.move.tearDownDays,
  travelDays: d.move.travelDays,
  travelHours: d.travelHours,
  setUpDays: d.move.setUpDays,
  requalificationDays: d.move.requalificationDays,
  reason: d.reason,
  strandedCois: [...d.strandedCois],
  status: deploymentStatus(d, next, today),
});
