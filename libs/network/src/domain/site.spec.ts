import { ConflictError, replay, signatureOf, ValidationError, type ElectronicSignature } from '@bedside/shared';
import { changeSiteStatus, registerSite, siteEvolver, type RegisterSite, type SiteState } from './site';
import { SITE_STATUSES, SITE_TRANSITIONS, siteActionsFrom, type SiteAction } from './site-lifecycle';
import type { SiteEvent } from './site-events';

const christie: RegisterSite = {
  code: 'rbv02 ',
  name: 'The Christie',
  kind: 'HOSPITAL',
  timeZone: 'Europe/London',
  location: { latitude: 53.4293, longitude: -2.2306 },
  region: 'nw',
  trustCode: 'RBV',
};

/** Given these events happened, when the decision is made, then... */
function given(...decisions: ((state: SiteState) => SiteEvent[])[]): SiteState {
  const events: SiteEvent[] = [];
  for (const decide of decisions) events.push(...decide(replay(siteEvolver, events)));
  return replay(siteEvolver, events);
}

describe('site registration', () => {
  it('records a proposed site with a normalised code', () => {
    const [event] = registerSite(undefined, christie);
    expect(event!.type).toBe('SiteRegistered');
    expect(event!.data).toEqual({ ...christie, code: 'RBV02', region: 'NW', address: undefined, trustCode: 'RBV' } as never);
    expect(replay(siteEvolver, [event!])).toEqual({ code: 'RBV02', kind: 'HOSPITAL', status: 'PROPOSED', timeZone: 'Europe/London', region: 'NW' });
  });

  it.each([
    ['code', { code: 'R-1' }],
    ['name', { name: '   ' }],
    ['kind', { kind: 'SPACESHIP' }],
    ['timeZone', { timeZone: 'Europe/Manchester' }],
    ['location.latitude', { location: { latitude: 91, longitude: 0 } }],
    ['location.longitude', { location: { latitude: 53, longitude: Number.NaN } }],
    ['trustCode', { trustCode: 'x' }],
    ['region', { region: 'Mercia' }],
  ])('rejects a bad %s with a message naming the field', (field, change) => {
    const attempt = () => registerSite(undefined, { ...christie, ...change } as RegisterSite);
    expect(attempt).toThrow(ValidationError);
    try {
      attempt();
    } catch (error) {
      expect((error as ValidationError).field).toBe(field);
    }
  });

  it('refuses to register the same code twice', () => {
    const state = given((s) => registerSite(s, christie));
    expect(() => registerSite(state, christie)).toThrow(/already registered/);
  });
});

/** Control Site QA's signature, signed in five minutes before (issue 14 §2). */
const signed: ElectronicSignature = signatureOf(
  { actor: 'qa.lead@control-site', role: 'control_site_qa', signedInAt: '2027-03-01T09:55:00Z' },
  'APPROVED',
  'the suspension of site RBV02',
  new Date('2027-03-01T10:00:00Z'),
  { maxAgeMinutes: 15 },
);

describe('site lifecycle', () => {
  const registered = (s: SiteState) => registerSite(s, christie);

  it('goes proposed → onboarding → active → paused → active → suspended → active → ceased', () => {
    const state = given(
      registered,
      (s) => changeSiteStatus(s, 'RBV02', 'onboard'),
      (s) => changeSiteStatus(s, 'RBV02', 'activate'),
      (s) => changeSiteStatus(s, 'RBV02', 'pause', 'Cleanroom deep clean'),
      (s) => changeSiteStatus(s, 'RBV02', 'activate'),
      (s) => changeSiteStatus(s, 'RBV02', 'suspend', 'Sterility deviation under investigation', signed),
      (s) => changeSiteStatus(s, 'RBV02', 'activate', 'CAPA closed by QA'),
      (s) => changeSiteStatus(s, 'RBV02', 'cease', 'Programme moved to RBV03'),
    );
    expect(state?.status).toBe('CEASED');
  });

  it('records the status it left and the reason', () => {
    const state = given(registered, (s) => changeSiteStatus(s, 'RBV02', 'onboard'), (s) => changeSiteStatus(s, 'RBV02', 'activate'));
    expect(changeSiteStatus(state, 'RBV02', 'pause', ' Staff shortage ')[0]!.data).toEqual({ code: 'RBV02', from: 'ACTIVE', reason: 'Staff shortage' });
  });

  it('refuses to activate a ceased site, saying what to do instead', () => {
    const state = given(registered, (s) => changeSiteStatus(s, 'RBV02', 'cease', 'Never opened'));
    expect(() => changeSiteStatus(state, 'RBV02', 'activate')).toThrow(ConflictError);
    expect(() => changeSiteStatus(state, 'RBV02', 'activate')).toThrow(/ceased.*Register a new site/);
  });

  it('refuses steps out of lifecycle order', () => {
    const state = given(registered);
    expect(() => changeSiteStatus(state, 'RBV02', 'activate')).toThrow(/PROPOSED; it can be activated only when ONBOARDING or PAUSED or SUSPENDED/);
    expect(() => changeSiteStatus(state, 'RBV02', 'pause', 'x')).toThrow(ConflictError);
    expect(() => changeSiteStatus(undefined, 'RBV09', 'onboard')).toThrow(/No site with id "RBV09"/);
  });

  it.each([
    ['pause', 'ACTIVE'],
    ['suspend', 'ACTIVE'],
    ['cease', 'ACTIVE'],
    ['activate', 'SUSPENDED'],
  ] as const)('needs a reason to %s from %s', (action, _from) => {
    const steps = [registered, (s: SiteState) => changeSiteStatus(s, 'RBV02', 'onboard'), (s: SiteState) => changeSiteStatus(s, 'RBV02', 'activate')];
    if (action === 'activate') steps.push((s) => changeSiteStatus(s, 'RBV02', 'suspend', 'audit finding', signed));
    const state = given(...steps);
    expect(() => changeSiteStatus(state, 'RBV02', action, '  ', signed)).toThrow(ValidationError);
  });

  it('records the suspending QA lead’s signature, meaning approved, with when they signed in', () => {
    const state = given(registered, (s) => changeSiteStatus(s, 'RBV02', 'onboard'), (s) => changeSiteStatus(s, 'RBV02', 'activate'));
    expect(changeSiteStatus(state, 'RBV02', 'suspend', 'Sterility deviation', signed)[0]!.data.signature).toEqual({
      signer: 'qa.lead@control-site',
      role: 'control_site_qa',
      meaning: 'APPROVED',
      signedAt: '2027-03-01T10:00:00.000Z',
      signedInAt: '2027-03-01T09:55:00.000Z',
    });
    // A pause is not signed.
    expect(changeSiteStatus(state, 'RBV02', 'pause', 'Deep clean')[0]!.data.signature).toBeUndefined();
  });
});

describe('signing: a recent sign-in, or sign in again (issue 14 §2; 21 CFR 11.200)', () => {
  const signer = { actor: 'qa.lead@control-site', role: 'control_site_qa' };
  const now = new Date('2027-03-01T10:00:00Z');

  it('signs with a sign-in as old as the policy allows, and refuses one a minute older, saying to sign in again', () => {
    expect(signatureOf({ ...signer, signedInAt: '2027-03-01T09:45:00Z' }, 'APPROVED', 'x', now, { maxAgeMinutes: 15 }).signedInAt).toBe('2027-03-01T09:45:00.000Z');
    const stale = () => signatureOf({ ...signer, signedInAt: '2027-03-01T09:44:00Z' }, 'APPROVED', 'the suspension of site RBV02', now, { maxAgeMinutes: 15 });
    expect(stale).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED', details: expect.objectContaining({ reauthenticate: true, maxAgeMinutes: 15 }) }));
    expect(stale).toThrow(/^To sign the suspension of site RBV02, sign in again: a signature needs a sign-in within the last 15 minutes, and yours was at 2027-03-01T09:44:00.000Z\. Nothing was recorded\.$/);
  });

  it('refuses a sign-in that does not say when it was', () => {
    expect(() => signatureOf(signer, 'APPROVED', 'x', now, { maxAgeMinutes: 15 })).toThrow(/does not say when you signed in/);
  });
});

describe('the changes open to a site (what the console offers, issue 15 §5)', () => {
  const at = (status: (typeof SITE_STATUSES)[number]): SiteState => ({ code: 'RBV02', kind: 'HOSPITAL', status, timeZone: 'Europe/London', region: 'NW' });

  it.each(SITE_STATUSES)('from %s: each change offered is accepted, with a reason exactly where one is asked for, and every other is refused', (status) => {
    const offered = siteActionsFrom(status);
    const signedBy = signed;
    for (const { action, to, reasonRequired, signed: needsSignature } of offered) {
      const sign = needsSignature ? signedBy : undefined;
      const [event] = changeSiteStatus(at(status), 'RBV02', action, 'Planned maintenance', sign);
      expect(siteEvolver.evolve(at(status), event!)!.status).toBe(to);
      if (reasonRequired) expect(() => changeSiteStatus(at(status), 'RBV02', action, null, sign)).toThrow(ValidationError);
      else expect(changeSiteStatus(at(status), 'RBV02', action, null, sign)).toHaveLength(1);
    }
    const others = (Object.keys(SITE_TRANSITIONS) as SiteAction[]).filter((a) => !offered.some((o) => o.action === a));
    for (const action of others) expect(() => changeSiteStatus(at(status), 'RBV02', action, 'Planned maintenance', signedBy)).toThrow(ConflictError);
  });

  it('offers a ceased site nothing, and an active one pause, suspension (signed) or closure, each with a reason', () => {
    expect(siteActionsFrom('CEASED')).toEqual([]);
    expect(siteActionsFrom('ACTIVE')).toEqual([
      { action: 'pause', to: 'PAUSED', reasonRequired: true, signed: false },
      { action: 'suspend', to: 'SUSPENDED', reasonRequired: true, signed: true },
      { action: 'cease', to: 'CEASED', reasonRequired: true, signed: false },
    ]);
  });
});
