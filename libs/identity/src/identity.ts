import { BedsideError, ROLES, type Role } from '@bedside/shared';

/** Who is calling, from a verified bearer token: never from the request body. */
export interface Identity {
  /** The person or system (the token's subject, or the claim configured for it). */
  readonly actor: string;
  readonly role: Role;
  /** ODS codes of the trusts a scheduler may act for (empty for network-wide roles). */
  readonly trusts: readonly string[];
  /** When they signed in: the token's `auth_time` (OpenID Connect), else when it was issued (`iat`). */
  readonly signedInAt?: string;
}

export class UnauthenticatedError extends BedsideError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('UNAUTHENTICATED', message, details);
  }
}

/** Which claims carry the actor, the role and the trusts: OIDC providers name them differently. */
export interface ClaimMapping {
  /** Claim paths tried in turn for the actor, e.g. ['preferred_username', 'email', 'sub']. */
  readonly actorClaims: readonly string[];
  /** Claim path of the role(s), e.g. 'roles' or 'realm_access.roles' (a string or a list). */
  readonly roleClaim: string;
  /** Claim path of the trust codes (a string, a list, or space- or comma-separated). */
  readonly trustClaim: string;
}

export const DEFAULT_CLAIMS: ClaimMapping = { actorClaims: ['preferred_username', 'email', 'sub'], roleClaim: 'roles', trustClaim: 'trusts' };

const at = (claims: Record<string, unknown>, path: string): unknown =>
  path.split('.').reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), claims);

const list = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? value.split(/[\s,]+/).filter(Boolean) : [];

/**
 * The identity a verified token carries. A token naming several Bedside roles acts in the first of
 * them in ROLES order; a scheduler must name at least one trust, since everything they do is for one.
 */
export function identityFromClaims(claims: Record<string, unknown>, mapping: ClaimMapping = DEFAULT_CLAIMS): Identity {
  const actor = mapping.actorClaims.map((c) => at(claims, c)).find((v): v is string => typeof v === 'string' && v.trim() !== '');
  if (!actor) throw new UnauthenticatedError(`The token names no user (claims ${mapping.actorClaims.join(', ')}).`);
  const granted = list(at(claims, mapping.roleClaim)).map((r) => r.toLowerCase());
  const role = ROLES.find((r) => granted.includes(r));
  if (!role) {
    throw new UnauthenticatedError(`The token grants no Bedside role: claim "${mapping.roleClaim}" must include one of ${ROLES.join(', ')}. Ask your administrator for access.`, {
      roleClaim: mapping.roleClaim,
    });
  }
  const trusts = [...new Set(list(at(claims, mapping.trustClaim)).map((t) => t.toUpperCase()))];
  if (role === 'scheduler' && trusts.length === 0) {
    throw new UnauthenticatedError(`A scheduler's token must name the trust(s) they schedule for in claim "${mapping.trustClaim}".`, { trustClaim: mapping.trustClaim });
  }
  const signedIn = [claims.auth_time, claims.iat].find((t): t is number => typeof t === 'number' && Number.isFinite(t));
  return { actor: actor.trim(), role, trusts, ...(signedIn !== undefined && { signedInAt: new Date(signedIn * 1000).toISOString() }) };
}
