import * as oauth from 'oauth4webapi';
import { browserNow } from './clock';

/** The trust's OpenID Connect provider, as the API names it (GET /console/sign-in-options; README "The console"). */
export interface IdentityProvider {
  readonly issuer: string;
  readonly clientId: string;
  readonly scope: string;
  readonly resource: string | null;
}

/** What a sign-in in progress keeps in the tab until the provider sends the user back. */
interface Pending {
  readonly codeVerifier: string;
  readonly state: string;
  readonly nonce: string;
}
const PENDING = 'bedside.oidc';

/** Where the provider sends the user back: the sign-in page itself, registered with the provider as the console's redirect URI. */
export const redirectUri = () => `${location.origin}/sign-in`;

// Plain http only to a provider on this machine (RFC 8252 §8.3 loopback); anywhere else, https.
const options = (issuer: URL) => ({ [oauth.allowInsecureRequests]: ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname) });

async function discover(provider: IdentityProvider): Promise<{ as: oauth.AuthorizationServer; client: oauth.Client }> {
  const issuer = new URL(provider.issuer);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, options(issuer)));
  return { as, client: { client_id: provider.clientId } };
}

/**
 * Sends the user to the provider to sign in (authorisation code with PKCE, RFC 7636): the code verifier,
 * state and nonce stay in this tab; only the verifier's hash leaves it.
 */
export async function startSignIn(provider: IdentityProvider): Promise<void> {
  const { as } = await discover(provider);
  if (!as.authorization_endpoint) throw new Error(`The identity provider ${provider.issuer} names no authorisation endpoint.`);
  const pending: Pending = { codeVerifier: oauth.generateRandomCodeVerifier(), state: oauth.generateRandomState(), nonce: oauth.generateRandomNonce() };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set('client_id', provider.clientId);
  url.searchParams.set('redirect_uri', redirectUri());
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', provider.scope);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(pending.codeVerifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', pending.state);
  url.searchParams.set('nonce', pending.nonce);
  if (provider.resource) url.searchParams.set('resource', provider.resource);
  location.assign(url.href);
}

/**
 * Finishes a sign-in the provider sent back: checks the state, exchanges the code with the verifier,
 * checks the ID token, and returns the access token with when the provider says it runs out.
 */
export async function finishSignIn(provider: IdentityProvider): Promise<{ token: string; expiresAt: string }> {
  const kept = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  if (!kept) throw new Error('This sign-in was not started in this tab. Sign in again.');
  const pending = JSON.parse(kept) as Pending;
  const { as, client } = await discover(provider);
  const issuer = new URL(provider.issuer);
  try {
    const params = oauth.validateAuthResponse(as, client, new URL(location.href), pending.state);
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirectUri(), pending.codeVerifier, {
      ...options(issuer),
      ...(provider.resource ? { additionalParameters: { resource: provider.resource } } : {}),
    });
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: pending.nonce, requireIdToken: true });
    return { token: tokens.access_token, expiresAt: new Date(browserNow() + (tokens.expires_in ?? 3600) * 1000).toISOString() };
  } catch (error) {
    // The provider's refusal (the user cancelled, or was not allowed) in its own words where it gives them.
    if (error instanceof oauth.AuthorizationResponseError || error instanceof oauth.ResponseBodyError) {
      throw new Error(`Your trust's sign-in did not complete: ${error.error_description ?? error.error}. Sign in again.`);
    }
    throw error;
  } finally {
    history.replaceState(null, '', location.pathname);
  }
}
