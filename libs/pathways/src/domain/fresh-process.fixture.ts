import type { LifecycleProcess } from './lifecycle';

/**
 * The demo's fresh point-of-care process as the lifecycle judges it (docs/domain.md "Demo network":
 * POC-CAR19), shared by the domain's specs so a rule added to LifecycleProcess is given once.
 */
export const FRESH_PROCESS: LifecycleProcess = {
  startingMaterial: 'FRESH',
  maxFreshHoldHours: 36,
  apheresisHoursPerSession: 4,
  conditioningGate: 'CONDITIONING_DURING_MANUFACTURE',
  conditioningDays: [-5, -4, -3],
  shelfLifeHours: 6,
  infusionWindowMinDays: 3,
  infusionWindowMaxDays: 3,
  reconditionAfterDays: 14,
  stayWithinReachDays: 28,
  stayWithinReachMinutes: 120,
  icuReserveProbability: 0.3,
};
