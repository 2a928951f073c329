import { DataSource } from 'typeorm';
import { decodeProtectedHeader, SignJWT, importJWK } from 'jose';
import { DEVELOPMENT_AUDIENCE, DEVELOPMENT_ISSUER, mintToken, newSigningKey } from '@bedside/identity';
import { AS_SCHEDULER, startTestApi, type TestApi } from '../support/test-api';

const REGISTER = `mutation { registerSite(input: { code: "RTH01", name: "Oxford", kind: HOSPITAL, location: { latitude: 51.76, longitude: -1.22 }, region: SE }) { code } }`;

describe('identity from bearer tokens', () => {
  let api: TestApi;
  const events = async () => Number((await api.app.get(DataSource).query('SELECT count(*) AS n FROM events'))[0].n);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it('refuses every request without a valid token, saying how to get one, and records nothing', async () => {
    const before = await events();
    const otherKey = await newSigningKey('attacker');
    const genuine = await api.token({ role: 'control_site_qa', actor: 'qa@control' });
    const [header, payload] = genuine.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, roles: ['control_site_qa'], preferred_username: 'someone-else' })).toString('base64url')}.${genuine.split('.')[2]}`;
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    const hmac = await new SignJWT({ roles: ['control_site_qa'] })
      .setProtectedHeader({ alg: 'HS256', kid: decodeProtectedHeader(genuine).kid })
      .setSubject('x')
      .setIssuer(DEVELOPMENT_ISSUER)
      .setAudience(DEVELOPMENT_AUDIENCE)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('a shared secret that is not a key'));
    const cases: [string, Record<string, string>, RegExp][] = [
      ['no header', {}, /^Sign in: send an "Authorization: Bearer <token>" header\. For a development token run: npm run token/],
      ['another scheme', { authorization: 'Basic cWE6cWE=' }, /^Sign in/],
      ['forged: signed with another key', bearer(await mintToken(otherKey, { actor: 'mallory', role: 'control_site_qa' })), /could not be verified/],
      ['tampered payload', bearer(tampered), /could not be verified/],
      ['unsigned (alg none)', bearer(unsigned), /could not be verified/],
      ['symmetric algorithm', bearer(hmac), /could not be verified/],
      ['garbage', bearer('not.a.jwt'), /could not be verified/],
      ['expired', bearer(await api.token({ role: 'control_site_qa', expiresIn: -120 })), /has expired: sign in again/],
      ['another issuer', bearer(await mintToken(api.signingKey, { actor: 'qa', role: 'control_site_qa', issuer: 'https://login.example.org' })), /not for Bedside \(iss does not match\)/],
      ['another audience', bearer(await mintToken(api.signingKey, { actor: 'qa', role: 'control_site_qa', audience: 'other-app' })), /not for Bedside \(aud does not match\)/],
    ];
    for (const [name, headers, message] of cases) {
      const result = await api.gql(REGISTER, {}, headers);
      expect({ name, code: result.errors?.[0]?.extensions.code, message: result.errors?.[0]?.message }).toEqual({ name, code: 'UNAUTHENTICATED', message: expect.stringMatching(message) });
      expect(result.data).toBeNull();
      expect(JSON.stringify(result)).not.toMatch(/at .*\.ts|node_modules|stack/);
    }
    // Reads need a token too.
    expect((await api.gql(`{ network { controlSite { code } } }`, {}, {})).errors![0]!.extensions.code).toBe('UNAUTHENTICATED');
    expect(await events()).toBe(before);
  });

  it('refuses a token that grants no Bedside role, or a scheduler token with no trust', async () => {
    const key = await importJWK(api.signingKey.privateJwk, 'ES256');
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'test' }).setSubject('u1').setIssuer(DEVELOPMENT_ISSUER).setAudience(DEVELOPMENT_AUDIENCE).setExpirationTime('1h').sign(key);
    const noRole = await api.gql(REGISTER, {}, bearer(await sign({ roles: ['admin'] })));
    expect(noRole.errors![0]).toMatchObject({ message: expect.stringMatching(/grants no Bedside role/), extensions: { code: 'UNAUTHENTICATED' } });
    const noTrust = await api.gql(REGISTER, {}, bearer(await sign({ roles: ['scheduler'] })));
    expect(noTrust.errors![0]).toMatchObject({ message: expect.stringMatching(/must name the trust/), extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('records the actor and the trust acted for from the token, not from what the request says', async () => {
    await api.gql(REGISTER);
    const audit = await api.gql(`{ auditTrail(streamId: "site-RTH01") { edges { node { actor role onBehalfOf } } } }`);
    expect(audit.data!.auditTrail.edges[0].node).toEqual({ actor: 'qa.lead@control-site', role: 'control_site_qa', onBehalfOf: null });
    // A scheduler's events say which trust they acted for.
    const site = await api.gql(`{ site(code: "RTH01") { code } }`, {}, AS_SCHEDULER);
    expect(site.errors).toBeUndefined();
  });
});
