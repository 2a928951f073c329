import type { Browser, Page, Request } from 'playwright-core';
import { DEFAULT_CLAIMS } from '@bedside/identity';
import { accessibilityViolations, describeInBrowser, launchBrowser, openPage } from '../support/browser';
import { startIdentityProvider, type IdentityProvider } from '../support/identity-provider';
import { startDemoApi, type TestApi } from '../support/test-api';

/**
 * Issue 15 §2: in production the console signs people in through their trust's OpenID Connect provider,
 * authorisation code with PKCE, against the issuer the API trusts. The provider is a real one
 * (oidc-provider) started on this machine; the browser goes through its login and consent pages as a
 * person would, and the token it brings back is the one the API accepts or refuses.
 */
const AUDIENCE = 'bedside-test';
const RESOURCE = 'urn:bedside';

describeInBrowser('the console: sign-in through the trust\'s OpenID Connect provider', () => {
  let idp: IdentityProvider;
  let api: TestApi;
  let browser: Browser;
  let base: string;
  const pageErrors: string[] = [];

  /** A fresh browser (no session at the provider yet), at a console page. */
  const openConsole = async (path: string) => {
    const page = await openPage(browser, pageErrors);
    await page.goto(`${base}${path}`);
    return page;
  };
  /** Signs in at the provider's own pages: its login form, then its consent page. */
  const signInAtTrust = async (page: Page, login: string) => {
    await page.getByRole('button', { name: "Sign in with your trust's account" }).click();
    await page.waitForURL((url) => url.origin === idp.issuer);
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('any password the trust checks');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
  };

  beforeAll(async () => {
    idp = await startIdentityProvider();
    api = await startDemoApi({
      identityProvider: {
        auth: { jwksUrl: idp.jwksUrl, issuer: idp.issuer, audience: AUDIENCE, claims: DEFAULT_CLAIMS },
        consoleSignIn: { issuer: idp.issuer, clientId: 'bedside-console', scope: 'openid email bedside', resource: RESOURCE },
      },
    });
    base = api.url.replace(/\/graphql$/, '');
    await idp.serve({ redirectUri: `${base}/sign-in`, audience: AUDIENCE, resource: RESOURCE });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await idp?.close();
  });

  it("signs a scheduler in at the trust with PKCE, and the API acts on the provider's token as them", async () => {
    const page = await openConsole('/patients');
    const requests: Request[] = [];
    page.on('request', (request) => requests.push(request));
    await page.getByRole('heading', { name: 'Sign in to Bedside' }).waitFor();
    // Nothing is minted behind an identity provider: the page offers the trust's sign-in only.
    expect(await page.getByRole('button', { name: 'Sign in', exact: true }).count()).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);

    await signInAtTrust(page, 'coordinator@rbv');
    await page.getByTestId('signed-in-as').getByText('coordinator@rbv, Trust scheduler for RBV').waitFor();
    await page.waitForURL(`${base}/patients`);

    // PKCE: the provider was sent only the verifier's S256 hash; the verifier went with the code, from this page.
    const authorisation = new URL(requests.find((r) => r.url().startsWith(`${idp.issuer}/auth`))!.url());
    expect(authorisation.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorisation.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorisation.searchParams.get('redirect_uri')).toBe(`${base}/sign-in`);
    const exchange = new URLSearchParams(requests.find((r) => r.url() === `${idp.issuer}/token`)!.postData() ?? '');
    expect(exchange.get('grant_type')).toBe('authorization_code');
    expect(exchange.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(exchange.get('code_verifier')).not.toBe(authorisation.searchParams.get('code_challenge'));
    // The code is gone from the address once used.
    expect(page.url()).not.toContain('code=');

    // The token is the provider's, and the API takes it as the RBV scheduler: a referral recorded with it
    // is the scheduler's, and shows on their patients page.
    const { token } = JSON.parse((await page.evaluate(() => sessionStorage.getItem('bedside.session')))!) as { token: string };
    const referral = await api.gql<{ referPatient: { coi: string } }>(
      `mutation($input: ReferralInput!) { referPatient(input: $input) { coi } }`,
      { input: { patientRef: 'OIDC-1', homeDistrict: 'M20', referringTrust: 'RBV', productCode: 'POC-CAR19', washout: { drugClass: 'NONE' }, priority: 'ROUTINE' } },
      { authorization: `Bearer ${token}` },
    );
    expect(referral.errors).toBeUndefined();
    await page.reload();
    await page.getByRole('link', { name: 'OIDC-1' }).waitFor();
    const audit = await api.gql<{ auditTrail: { edges: { node: { actor: string; role: string } }[] } }>(
      `query($s: ID!) { auditTrail(streamId: $s) { edges { node { actor role } } } }`,
      { s: `pathway-${referral.data!.referPatient.coi}` },
      { authorization: `Bearer ${token}` },
    );
    expect(audit.data!.auditTrail.edges[0]!.node).toEqual({ actor: 'coordinator@rbv', role: 'scheduler' });
    expect(pageErrors).toEqual([]);
  });

  it("refuses, in the API's words, a trust account that Bedside gives no role, and keeps no sign-in", async () => {
    const page = await openConsole('/sign-in');
    await signInAtTrust(page, 'porter@rbv');
    const alert = page.getByRole('alert');
    await alert.getByText('You are not signed in').waitFor();
    expect(await alert.innerText()).toContain('The token grants no Bedside role: claim "roles" must include one of scheduler, planner, control_site_qa, dashboard. Ask your administrator for access.');
    expect(await page.evaluate(() => sessionStorage.getItem('bedside.session'))).toBeNull();
    expect(await page.getByTestId('signed-in-as').count()).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);
  });
});
