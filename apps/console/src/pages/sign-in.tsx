import { useEffect, useState } from 'preact/hooks';
import { ErrorSummary } from '../layout';
import { ROLE_NAMES, type Role, type Session } from '../session';

interface SignInOptions {
  readonly development: boolean;
}

/**
 * Sign-in. On a developer's machine (the API trusts its development key and no identity provider) the
 * page mints a development token for a chosen role, name and trust, as `npm run token` does. Against an
 * identity provider, sign-in goes through the trust's OpenID Connect provider instead.
 */
export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [options, setOptions] = useState<SignInOptions | null>(null);
  const [role, setRole] = useState<Role>('scheduler');
  const [trust, setTrust] = useState('');
  const [actor, setActor] = useState('');
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    fetch('/console/sign-in-options')
      .then((r) => r.json() as Promise<SignInOptions>)
      .then(setOptions, () => setErrors(['Bedside could not be reached. Check the connection and reload the page.']));
  }, []);

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
      {options && !options.development && (
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
