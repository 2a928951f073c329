import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DEFAULT_CLAIMS, DEVELOPMENT_AUDIENCE, DEVELOPMENT_ISSUER, developmentSigningKey, type AuthConfig, type SigningKey } from '@bedside/identity';

/** The development signing key lives beside the embedded database's data. */
export const developmentKeyFile = (env: NodeJS.ProcessEnv = process.env) => join(resolve(env.BEDSIDE_DATA_DIR ?? '.bedside'), 'development-signing-key.json');

/** True when tokens come from a real identity provider rather than `npm run token`. */
export const usesIdentityProvider = (env: NodeJS.ProcessEnv = process.env) => !!(env.AUTH_JWKS_URL || env.AUTH_JWKS_FILE);

/**
 * What production may not start without (issue 14 §6): tokens from a real identity provider, checked for
 * who issued them and whom they are for. Checked before anything starts, so a half-configured server
 * stops at once with the variable to set, instead of accepting tokens meant for another service.
 */
export function requireProductionAuth(env: NodeJS.ProcessEnv = process.env): void {
  if (env.NODE_ENV !== 'production') return;
  const missing = [
    ...(usesIdentityProvider(env) ? [] : ['AUTH_JWKS_URL (or AUTH_JWKS_FILE)']),
    ...(env.AUTH_ISSUER ? [] : ['AUTH_ISSUER']),
    ...(env.AUTH_AUDIENCE ? [] : ['AUTH_AUDIENCE']),
  ];
  if (missing.length > 0) {
    throw new Error(
      `NODE_ENV=production needs ${missing.join(', ')}: Bedside accepts only tokens from your identity provider (AUTH_JWKS_URL, AUTH_ISSUER) that are meant for it (AUTH_AUDIENCE, the "aud" your provider writes for Bedside).`,
    );
  }
}

/**
 * How the console signs people in through the trust's OpenID Connect provider (issue 15 §2): the
 * authorisation code flow with PKCE, as a public client registered there for the console.
 */
export interface ConsoleSignIn {
  /** The provider's issuer: its discovery document is at <issuer>/.well-known/openid-configuration. */
  readonly issuer: string;
  /** The console's client id at the provider (AUTH_CONSOLE_CLIENT_ID). */
  readonly clientId: string;
  /** What the console asks for; it must bring an access token meant for Bedside (AUTH_AUDIENCE). */
  readonly scope: string;
  /** The resource indicator (RFC 8707) naming Bedside, for providers that take one; null when not needed. */
  readonly resource: string | null;
}

/** How tokens are verified, and the development key that signs them when there is no identity provider. */
export interface AuthSettings {
  readonly auth: AuthConfig;
  /** Null behind an identity provider: then nothing is minted (the console's sign-in goes to the provider). */
  readonly developmentKey: SigningKey | null;
  /** Null without an identity provider, or when no console client is registered there (AUTH_CONSOLE_CLIENT_ID). */
  readonly consoleSignIn: ConsoleSignIn | null;
}

/** The console's sign-in at the identity provider, when a client is registered for it. */
export function consoleSignInFromEnv(env: NodeJS.ProcessEnv): ConsoleSignIn | null {
  if (!usesIdentityProvider(env) || !env.AUTH_CONSOLE_CLIENT_ID || !env.AUTH_ISSUER) return null;
  return { issuer: env.AUTH_ISSUER, clientId: env.AUTH_CONSOLE_CLIENT_ID, scope: env.AUTH_CONSOLE_SCOPE || 'openid', resource: env.AUTH_CONSOLE_RESOURCE || null };
}

/**
 * How bearer tokens are verified. With AUTH_JWKS_URL (an OIDC provider's keys) or AUTH_JWKS_FILE, tokens
 * from that issuer are accepted as they are, their claims mapped by AUTH_*_CLAIM. Without either, and
 * not in production, a development key signs and verifies the tokens `npm run token` and the console's
 * development sign-in mint.
 */
export async function authConfigFromEnv(env: NodeJS.ProcessEnv, warn: (line: string) => void): Promise<AuthSettings> {
  requireProductionAuth(env);
  const claims = {
    actorClaims: env.AUTH_ACTOR_CLAIMS ? env.AUTH_ACTOR_CLAIMS.split(',').map((c) => c.trim()) : DEFAULT_CLAIMS.actorClaims,
    roleClaim: env.AUTH_ROLE_CLAIM ?? DEFAULT_CLAIMS.roleClaim,
    trustClaim: env.AUTH_TRUST_CLAIM ?? DEFAULT_CLAIMS.trustClaim,
  };
  if (usesIdentityProvider(env)) {
    if (!env.AUTH_ISSUER) throw new Error('AUTH_ISSUER must name the token issuer (the "iss" your identity provider writes) when AUTH_JWKS_URL or AUTH_JWKS_FILE is set.');
    const auth = {
      jwksUrl: env.AUTH_JWKS_URL || null,
      keys: env.AUTH_JWKS_FILE ? JSON.parse(await readFile(env.AUTH_JWKS_FILE, 'utf8')) : null,
      issuer: env.AUTH_ISSUER,
      audience: env.AUTH_AUDIENCE || null,
      claims,
    };
    return { auth, developmentKey: null, consoleSignIn: consoleSignInFromEnv(env) };
  }
  const file = developmentKeyFile(env);
  warn(`authentication: development tokens signed by ${file} (mint one with: npm run token -- --role scheduler --trust RBV)`);
  const key = await developmentSigningKey(file);
  return { auth: { keys: key.publicKeys, issuer: DEVELOPMENT_ISSUER, audience: DEVELOPMENT_AUDIENCE, claims }, developmentKey: key, consoleSignIn: null };
}
