import { identityFromClaims } from './identity';

describe('identity from token claims', () => {
  it('reads the default claims, upper-cases trusts, and picks a Bedside role among others', () => {
    expect(identityFromClaims({ sub: 'u-1', preferred_username: 'coordinator@rbv', roles: ['offline_access', 'scheduler'], trusts: ['rbv', 'RBV', 'rgt'] })).toEqual({
      actor: 'coordinator@rbv',
      role: 'scheduler',
      trusts: ['RBV', 'RGT'],
    });
    expect(identityFromClaims({ sub: 'u-2', roles: 'planner' })).toEqual({ actor: 'u-2', role: 'planner', trusts: [] });
  });

  it('maps an OIDC provider’s own claim names (Keycloak realm roles, a space-separated trust claim)', () => {
    const claims = { sub: 'f:1', email: 'qa@control.nhs.uk', realm_access: { roles: ['default-roles', 'control_site_qa'] }, ods: 'RBV RGT' };
    expect(identityFromClaims(claims, { actorClaims: ['email'], roleClaim: 'realm_access.roles', trustClaim: 'ods' })).toEqual({
      actor: 'qa@control.nhs.uk',
      role: 'control_site_qa',
      trusts: ['RBV', 'RGT'],
    });
  });

  it('refuses a token with no user, no Bedside role, or a scheduler with no trust, saying what is missing', () => {
    expect(() => identityFromClaims({ roles: ['planner'] })).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/names no user/) }));
    expect(() => identityFromClaims({ sub: 'x', roles: ['admin'] })).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/grants no Bedside role/) }));
    expect(() => identityFromClaims({ sub: 'x', roles: ['scheduler'] })).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/must name the trust/) }));
  });
});

describe('when the user signed in (issue 14 §2)', () => {
  it('is the OpenID Connect auth_time when the token has one, else when it was issued', () => {
    expect(identityFromClaims({ sub: 'qa', roles: 'control_site_qa', iat: 1_800_000_600, auth_time: 1_800_000_000 }).signedInAt).toBe(new Date(1_800_000_000_000).toISOString());
    expect(identityFromClaims({ sub: 'qa', roles: 'control_site_qa', iat: 1_800_000_600 }).signedInAt).toBe(new Date(1_800_000_600_000).toISOString());
    expect(identityFromClaims({ sub: 'qa', roles: 'control_site_qa' }).signedInAt).toBeUndefined();
  });
});
