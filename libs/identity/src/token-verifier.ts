import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { systemClock, type Clock } from '@bedside/shared';
import { identityFromClaims, UnauthenticatedError, type ClaimMapping, type Identity } from './identity';

export interface AuthConfig {
  /** Where the signing keys are: an OIDC provider's JWKS endpoint, or a key set given here. */
  readonly jwksUrl?: string | null;
  readonly keys?: JSONWebKeySet | null;
  /** Required `iss` and `aud` (aud is skipped when null). */
  readonly issuer: string;
  readonly audience: string | null;
  readonly claims: ClaimMapping;
  /** Clock skew allowed on exp and nbf, in seconds. */
  readonly clockToleranceSeconds?: number;
}

/** Asymmetric algorithms only: a shared secret in a hospital network is a secret in many hands. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/**
 * How long a verified token is trusted without checking its signature again (never past its `exp`).
 * A client sends the same token with every request, and an ECDSA verify was a fifth of the CPU of a
 * small query (docs/benchmarks.md, bench:api). Kept short: a key withdrawn from a provider's JWKS
 * stops its tokens within this time.
 */
const VERIFIED_FOR_MS = 60_000;
/** Distinct tokens remembered at once; the oldest is forgotten first. */
const MAX_VERIFIED = 10_000;

/** Verifies bearer tokens (JWT) against the configured keys and turns their claims into an Identity. */
export class TokenVerifier {
  private readonly keySet: JWTVerifyGetKey;
  /** Tokens that verified, with the identity they give and until when (ms). Failures are never kept. */
  private readonly verified = new Map<string, { identity: Identity; until: number }>();

  constructor(
    private readonly config: AuthConfig,
    private readonly clock: Clock = systemClock,
  ) {
    if (config.jwksUrl) this.keySet = createRemoteJWKSet(new URL(config.jwksUrl), { cooldownDuration: 30_000 });
    else if (config.keys) this.keySet = createLocalJWKSet(config.keys);
    else throw new Error('Authentication needs signing keys: set AUTH_JWKS_URL (your OIDC provider) or AUTH_JWKS_FILE.');
  }

  async verify(authorization: string | undefined): Promise<Identity> {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1];
    if (!token) {
      throw new UnauthenticatedError('Sign in: send an "Authorization: Bearer <token>" header. For a development token run: npm run token -- --role scheduler --trust RBV');
    }
    const now = this.clock.now().getTime();
    const known = this.verified.get(token);
    if (known && known.until > now) return known.identity;
    if (known) this.verified.delete(token);
    try {
      const { payload } = await jwtVerify(token, this.keySet, {
        issuer: this.config.issuer,
        ...(this.config.audience ? { audience: this.config.audience } : {}),
        algorithms: ALGORITHMS,
        clockTolerance: this.config.clockToleranceSeconds ?? 30,
        requiredClaims: ['exp'],
        currentDate: new Date(now),
      });
      const identity = Object.freeze(identityFromClaims(payload as Record<string, unknown>, this.config.claims));
      this.remember(token, identity, Math.min(now + VERIFIED_FOR_MS, (payload.exp ?? 0) * 1000));
      return identity;
    } catch (error) {
      if (error instanceof UnauthenticatedError) throw error;
      if (error instanceof errors.JWTExpired) throw new UnauthenticatedError('Your token has expired: sign in again.', { reason: 'expired' });
      if (error instanceof errors.JWTClaimValidationFailed) throw new UnauthenticatedError(`Your token is not for Bedside (${error.claim} does not match): sign in again.`, { reason: 'claim', claim: error.claim });
      // A bad signature, an unknown key or a malformed token: say no more than that.
      throw new UnauthenticatedError('Your token could not be verified: sign in again.', { reason: 'invalid' });
    }
  }

  private remember(token: string, identity: Identity, until: number): void {
    if (this.verified.size >= MAX_VERIFIED) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { identity, until });
  }
}
