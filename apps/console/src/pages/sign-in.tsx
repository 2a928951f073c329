import { useEffect, useState } from 'preact/hooks';
import { ErrorSummary } from '../layout';
import type { IdentityProvider } from '../oidc';
import { ROLE_NAMES, type Role, type Session } from '../session';

// The OpenID Connect client (oauth4webapi) is loaded only where a trust's provider signs people in.
const oidc = () => import('../oidc');

/** True when this page is the provider sending the user back (with a code, or an error). */
const isSignInReturn = () => {
  const query = new URLSearchParams(location.search);
  return query.has('state') && (query.has('code') || query.has('error'));
};

interface SignInOptions {
  readonly development: boolean;
  readonly identityProvider: IdentityProvider | null;
}

/**
 * Who the token names, as the API judges it (GET /console/identity): a provider's account that Bedside
 * gives no role is refused here, in the API's words, before any page is shown.
 */
async function identify(token: string): Promise<Omit<Session, 'token' | 'expiresAt'>> {
  const response = await fetch('/console/identity', { headers: { authorization: `Bearer ${token}` } });
  const body = (await response.json()) as Omit<Session, 'token' | 'expiresAt'> & { message?: string };
  if (!response.ok) throw new Error(body.message ?? 'Bedside did not accept this sign-in.');
  return { actor: body.actor, role: body.role, trusts: body.trusts };
}

/**
 * Sign-in. On a developer's machine (the API trusts its development key and no identity provider) the
 * page mints a development token for a chosen role, name and trust, as `npm run token` does. Against an
 * identity provider, sign-in goes through the trust's OpenID Connect provider (authorisation code with
 * PKCE, oidc.ts), which sends the user back here; the API then says who the token names.
 */
export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [options, setOptions] = useState<SignInOptions | null>(null);
  const [role, setRole] = useState<Role>('scheduler');
  const [trust, setTrust] = useState('');
  const [actor, setActor] = useState('');
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  const returning = isSignInReturn();
  useEffect(() => {
    fetch('/console/sign-in-options')
      .then((r) => r.json() as Promise<SignInOptions>)
      .then(async (found) => {
        setOptions(found);
        if (!returning || !found.identityProvider) return;
        try {
          const { token, expiresAt } = await (await oidc()).finishSignIn(found.identityProvider);
          onSignedIn({ token, expiresAt, ...(await identify(token)) });
        } catch (error) {
          setErrors([error instanceof Error ? error.message : 'Sign-in did not complete. Sign in again.']);
        }
      }, () => setErrors(['Bedside could not be reached. Check the connection and reload the page.']));
  }, []);

  const signInAtTrust = async () => {
    setBusy(true);
    try {
      await (await oidc()).startSignIn(options!.identityProvider!);
    } catch {
      setErrors(["Your trust's sign-in could not be reached. Check the connection and try again."]);
      setBusy(false);
    }
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      const response = await fetch('/console/development-token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ role, actor, trusts: trust.split(',').map((t) => t.trim()).filter(Boolean) }),
      });
      const body = (await response.json()) as Session & { message?: string };
      if (!response.ok) setErrors([body.message ?? 'Sign-in was refused.']);
      else onSignedIn({ token: body.token, actor: body.actor, role: body.role, trusts: body.trusts, expiresAt: body.expiresAt });
    } catch {
      setErrors(['Bedside could not be reached. Check the connection and try again.']);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>Sign in to Bedside</h1>
      <ErrorSummary title="You are not signed in" errors={errors} />
      {returning && errors.length === 0 && (
        <p class="nhsuk-body" aria-live="polite">
          Signing you in…
        </p>
      )}
      {options?.identityProvider && !(returning && errors.length === 0) && (
        <>
          <p class="nhsuk-body">Sign in with the account your trust gave you. You will come back here once your trust has signed you in.</p>
          <button class="nhsuk-button" type="button" disabled={busy} onClick={signInAtTrust}>
            Sign in with your trust's account
          </button>
        </>
      )}
      {options && !options.development && !options.identityProvider && (
        <p class="nhsuk-body">This server takes sign-ins from your trust's identity provider only. Ask your trust's IT service desk for access to Bedside.</p>
      )}
      {options?.development && (
        <form onSubmit={submit} noValidate>
          <div class="nhsuk-inset-text">
            <span class="nhsuk-u-visually-hidden">Information: </span>
            <p>Development sign-in: this server mints its own tokens. A real deployment signs people in through their trust.</p>
          </div>
          <div class="nhsuk-form-group">
            <fieldset class="nhsuk-fieldset">
              <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">Your role</legend>
              <div class="nhsuk-radios">
                {(Object.keys(ROLE_NAMES) as Role[]).map((r) => (
                  <div class="nhsuk-radios__item" key={r}>
                    <input class="nhsuk-radios__input" id={`role-${r}`} name="role" type="radio" value={r} checked={role === r} onChange={() => setRole(r)} />
                    <label class="nhsuk-label nhsuk-radios__label" for={`role-${r}`}>
                      {ROLE_NAMES[r]}
                    </label>
                  </div>
                ))}
              </div>
            </fieldset>
          </div>
          <div class="nhsuk-form-group">
            <label class="nhsuk-label" for="trust">
              Trust
            </label>
            <div class="nhsuk-hint" id="trust-hint">
              Its ODS code, such as RBV for The Christie. A scheduler books for one trust.
            </div>
            <input class="nhsuk-input nhsuk-input--width-10" id="trust" name="trust" type="text" aria-describedby="trust-hint" value={trust} onInput={(e) => setTrust(e.currentTarget.value)} />
          </div>
          <div class="nhsuk-form-group">
            <label class="nhsuk-label" for="actor">
              Your name or email (optional)
            </label>
            <input class="nhsuk-input nhsuk-input--width-20" id="actor" name="actor" type="text" autocomplete="username" value={actor} onInput={(e) => setActor(e.currentTarget.value)} />
          </div>
          <button class="nhsuk-button" type="submit" disabled={busy}>
            Sign in
          </button>
        </form>
      )}
    </>
  );
}
