import type { ProductProcess } from '@bedside/network';

/**
 * Clinical timing rules that both the plan search (plan-search.ts) and the lifecycle (lifecycle.ts)
 * judge: one rule, one place (issue 11 §6). A plan Bedside offers must be one its lifecycle records.
 */

const HOUR_MS = 3_600_000;

/**
 * Fresh starting material must start manufacture within its hold, counted from the START of its
 * first collection session (issue 11 §5): cells collected on Friday and Monday are Friday's cells.
 * Null when the material is cryopreserved (no hold binds).
 */
export function freshHoldEndsAt(process: Pick<ProductProcess, 'startingMaterial' | 'maxFreshHoldHours'>, firstSessionStartedAt: Date): Date | null {
  if (process.startingMaterial !== 'FRESH' || process.maxFreshHoldHours === null) return null;
  return new Date(firstSessionStartedAt.getTime() + process.maxFreshHoldHours * HOUR_MS);
}

/** Hours the material has been held at `at`, from the start of its first collection session. */
export const hoursHeld = (firstSessionStartedAt: Date, at: Date): number => (at.getTime() - firstSessionStartedAt.getTime()) / HOUR_MS;

/**
 * Days between the last conditioning dose and infusion that the product allows (domain.md step 8:
 * "infuse exactly on day 0, or 2 to 14 days after conditioning"): [min, max], in whole calendar days.
 */
export function infusionGapDays(process: Pick<ProductProcess, 'infusionWindowMinDays' | 'infusionWindowMaxDays'>): { readonly min: number; readonly max: number } {
  return { min: process.infusionWindowMinDays, max: process.infusionWindowMaxDays };
}
