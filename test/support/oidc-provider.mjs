// A real OpenID Connect provider (panva's oidc-provider) for the console's sign-in tests (issue 15 §2):
// the trust's identity provider, started on this machine. It runs in its own process because the
// package is ESM-only; test/support/identity-provider.ts starts it and talks to it over stdin/stdout.
//
// 1. It listens on a free port and prints {"issuer": ...}.
// 2. It reads one line, {"redirectUri", "audience", "resource"}: where the console lives, and what
//    Bedside's tokens carry as "aud".
// 3. It prints {"ready": true} and serves the authorisation code flow, PKCE required of the console
//    (a public client), with its own login and consent pages (oidc-provider's devInteractions).
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { exportJWK, generateKeyPair } from 'jose';
import { Provider } from 'oidc-provider';

/** The trust's directory: who may sign in, and the Bedside role and trusts the provider puts in their tokens. */
const ACCOUNTS = {
  'coordinator@rbv': { roles: ['scheduler'], trusts: ['RBV'] },
  'qa.lead@control-site': { roles: ['control_site_qa'], trusts: [] },
  // A member of staff the trust has not given Bedside: signs in at the trust, has no Bedside role.
  'porter@rbv': { roles: [], trusts: ['RBV'] },
};

let handle = (_request, response) => response.writeHead(503).end();
const server = createServer((request, response) => handle(request, response));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;
process.stdout.write(`${JSON.stringify({ issuer })}\n`);

const lines = createInterface({ input: process.stdin });
const { redirectUri, audience, resource } = JSON.parse(await new Promise((resolve) => lines.once('line', resolve)));

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const signingKey = { ...(await exportJWK(privateKey)), kid: 'trust-idp-test', alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: [{ client_id: 'bedside-console', token_endpoint_auth_method: 'none', redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
  jwks: { keys: [signingKey] },
  cookies: { keys: ['bedside-oidc-test-cookie-key'] },
  scopes: ['openid', 'email', 'bedside'],
  claims: { openid: ['sub'], email: ['email'] },
  async findAccount(_ctx, id) {
    if (!ACCOUNTS[id]) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, email: id }) };
  },
  // Bedside's access tokens are JWTs for its audience, carrying the role and trusts the trust grants.
  features: {
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, indicator) => {
        if (indicator !== resource) throw new Error(`unknown resource ${indicator}`);
        return { scope: 'bedside', audience, accessTokenFormat: 'jwt', accessTokenTTL: 3600 };
      },
    },
  },
  async extraTokenClaims(_ctx, token) {
    const account = ACCOUNTS[token.accountId];
    return account ? { preferred_username: token.accountId, roles: account.roles, trusts: account.trusts } : undefined;
  },
});
handle = provider.callback();
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
