import { DEFAULT_CLAIMS } from './identity';
import { DEVELOPMENT_AUDIENCE, DEVELOPMENT_ISSUER, mintToken, newSigningKey, type SigningKey } from './development-keys';
import { TokenVerifier } from './token-verifier';

/** A verified token is remembered for a while (bench:api), but never past its expiry and never for a bad token. */
describe('token verification cache', () => {
  let key: SigningKey;
  let verifier: TokenVerifier;
  beforeAll(async () => {
    key = await newSigningKey('cache-test');
  });
  beforeEach(() => {
    verifier = new TokenVerifier({ keys: key.publicKeys, issuer: DEVELOPMENT_ISSUER, audience: DEVELOPMENT_AUDIENCE, claims: DEFAULT_CLAIMS });
  });
  afterEach(() => jest.useRealTimers());

  it('answers a token seen before with the identity it verified to', async () => {
    const token = `Bearer ${await mintToken(key, { actor: 'coordinator@rbv', role: 'scheduler', trusts: ['RBV'], expiresIn: 3600 })}`;
    const first = await verifier.verify(token);
    expect(first).toEqual({ actor: 'coordinator@rbv', role: 'scheduler', trusts: ['RBV'], signedInAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(await verifier.verify(token)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('still refuses a forged token, and a token once it has expired', async () => {
    const other = await newSigningKey('someone-else');
    await verifier.verify(`Bearer ${await mintToken(key, { actor: 'a', role: 'planner', expiresIn: 3600 })}`);
    await expect(verifier.verify(`Bearer ${await mintToken(other, { actor: 'a', role: 'planner', expiresIn: 3600 })}`)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });

    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const shortLived = `Bearer ${await mintToken(key, { actor: 'b', role: 'planner', expiresIn: 2 })}`;
    await verifier.verify(shortLived);
    // Past its expiry and the 30 s of clock skew allowed: verified again, and refused.
    jest.setSystemTime(Date.now() + 33_000);
    await expect(verifier.verify(shortLived)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', details: { reason: 'expired' } });
  });
});
