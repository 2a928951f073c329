import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { DEFAULT_CLAIMS, DEVELOPMENT_AUDIENCE, DEVELOPMENT_ISSUER, newSigningKey, TokenVerifier, type SigningKey } from '@bedside/identity';
import { PinnedClock } from '@bedside/shared';
import { registerConsole } from '../../apps/api/src/console/console-routes';

/** Issue 15 §1-2: the console's pages and its development sign-in, as the API's HTTP server serves them. */
describe('the console routes', () => {
  const clock = new PinnedClock(new Date('2027-03-28T00:30:00Z')); // the night the clocks go forward
  let dir: string;
  let key: SigningKey;
  const servers: FastifyInstance[] = [];
  const PROVIDER = { issuer: 'https://login.trust.example', clientId: 'bedside-console', scope: 'openid bedside', resource: 'urn:bedside' };
  const serve = async (developmentKey: SigningKey | null, at = dir) => {
    const app = Fastify();
    servers.push(app);
    // Tokens are judged as the API judges them: the real verifier, trusting the development key when there is one.
    const verifier = new TokenVerifier({ keys: (developmentKey ?? key).publicKeys, issuer: DEVELOPMENT_ISSUER, audience: DEVELOPMENT_AUDIENCE, claims: DEFAULT_CLAIMS }, clock);
    await registerConsole(app, { developmentKey, identityProvider: developmentKey ? null : PROVIDER, identify: (a) => verifier.verify(a), clock, dir: at });
    return app;
  };
  const signIn = async (app: FastifyInstance, body: unknown) => app.inject({ method: 'POST', url: '/console/development-token', payload: body as object });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bedside-console-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>Bedside</title>');
    key = await newSigningKey('console-test');
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the same page at every console address, and 404 elsewhere', async () => {
    const app = await serve(key);
    for (const url of ['/', '/sign-in', '/patients', '/patients/B0001260000021', '/refer', '/at-risk', '/waitlist', '/dashboard', '/sites', '/products', '/deployments', '/scenarios', '/scenarios/new', '/scenarios/0f8e-1', '/scenarios/0f8e-1/edit', '/runs/0f8e-2', '/compare']) {
      const page = await app.inject({ url });
      expect([url, page.statusCode, page.body]).toEqual([url, 200, '<!doctype html><title>Bedside</title>']);
    }
    expect((await app.inject({ url: '/no-such-page' })).statusCode).toBe(404);
  });

  it('says how to build the console when it is not built', async () => {
    const page = await (await serve(key, join(dir, 'missing'))).inject({ url: '/' });
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain('run npm run build:console');
  });

  it('mints a development token the API accepts, for the role, trust and name chosen, on the API clock', async () => {
    const app = await serve(key);
    expect((await app.inject({ url: '/console/sign-in-options' })).json()).toEqual({ development: true, roles: ['scheduler', 'planner', 'control_site_qa', 'dashboard'], identityProvider: null });
    const response = await signIn(app, { role: 'scheduler', trusts: [' rbv '], actor: 'coordinator@rbv' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ actor: 'coordinator@rbv', role: 'scheduler', trusts: ['RBV'], expiresAt: '2027-03-28T08:30:00.000Z' });
    const verifier = new TokenVerifier({ keys: key.publicKeys, issuer: DEVELOPMENT_ISSUER, audience: DEVELOPMENT_AUDIENCE, claims: DEFAULT_CLAIMS }, clock);
    expect(await verifier.verify(`Bearer ${body.token}`)).toMatchObject({ actor: 'coordinator@rbv', role: 'scheduler', trusts: ['RBV'] });
  });

  it('refuses a sign-in it cannot make, saying what to give', async () => {
    const app = await serve(key);
    const refused = async (body: unknown) => {
      const response = await signIn(app, body);
      return [response.statusCode, response.json().code, response.json().message];
    };
    expect(await refused({ role: 'scheduler' })).toEqual([400, 'BAD_USER_INPUT', 'A scheduler books for a trust: give its ODS code, such as RBV.']);
    expect(await refused({ role: 'admin' })).toEqual([400, 'BAD_USER_INPUT', 'Choose a role: scheduler, planner, control_site_qa, dashboard.']);
    expect(await refused({ role: 'planner', trusts: ['R B V'] })).toEqual([400, 'BAD_USER_INPUT', 'A trust is its ODS code: three to five letters or digits, such as RBV.']);
  });

  it('mints nothing where tokens come from an identity provider', async () => {
    const app = await serve(null);
    // The console is sent to the trust's provider instead, as the client registered there.
    expect((await app.inject({ url: '/console/sign-in-options' })).json()).toMatchObject({ development: false, identityProvider: PROVIDER });
    const response = await signIn(app, { role: 'control_site_qa' });
    expect(response.statusCode).toBe(404);
    expect(response.json().message).toBe('Development sign-in is off: this server trusts an identity provider. Sign in through your trust.');
  });

  it("says who a sign-in's token names, as the API judges it, and refuses one it would refuse", async () => {
    const app = await serve(key);
    const { token } = (await signIn(app, { role: 'scheduler', trusts: ['RBV'], actor: 'coordinator@rbv' })).json();
    const identity = await app.inject({ url: '/console/identity', headers: { authorization: `Bearer ${token}` } });
    expect([identity.statusCode, identity.json()]).toEqual([200, { actor: 'coordinator@rbv', role: 'scheduler', trusts: ['RBV'] }]);
    const none = await app.inject({ url: '/console/identity' });
    expect([none.statusCode, none.json().code]).toEqual([401, 'UNAUTHENTICATED']);
    expect(none.json().message).toMatch(/^Sign in: send an "Authorization: Bearer <token>" header/);
    const forged = await app.inject({ url: '/console/identity', headers: { authorization: `Bearer ${token.slice(0, -4)}AAAA` } });
    expect([forged.statusCode, forged.json().message]).toEqual([401, 'Your token could not be verified: sign in again.']);
  });
});
