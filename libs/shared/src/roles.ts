import { BedsideError } from './errors';

/** Roles of Bedside's users (domain.md "Users"). */
export const ROLES = ['scheduler', 'planner', 'control_site_qa', 'dashboard'] as const;
export type Role = (typeof ROLES)[number];

export class ForbiddenError extends BedsideError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('FORBIDDEN', message, details);
  }
}

/**
 * Authorisation lives in the application layer, beside the command it guards, so every entry
 * point (GraphQL, seeding, later integrations) is checked the same way.
 */
export function requireRole(actingAs: string | undefined, allowed: readonly Role[], action: string): void {
  if (actingAs && (allowed as readonly string[]).includes(actingAs)) return;
  throw new ForbiddenError(
    `Only ${allowed.map((r) => r.replace(/_/g, ' ')).join(' or ')} may ${action}${actingAs ? `; you are acting as ${actingAs.replace(/_/g, ' ')}` : ''}.`,
    { requiredRoles: allowed, role: actingAs ?? null },
  );
}
