import { BedsideError } from './errors';

/**
 * Electronic signatures where the regulation asks for one (issue 14 §2; 21 CFR 11.50, 11.200; EU GMP
 * Annex 11 §14): the signer, what the signature means, when it was made, and proof that the signer
 * signed in recently. Bedside takes the signer from the verified token, never from the request, and a
 * signature needs a sign-in no older than the policy allows: a token left open on a ward computer
 * cannot sign.
 */
export type SignatureMeaning = 'AUTHORED' | 'REVIEWED' | 'APPROVED';

export interface ElectronicSignature {
  readonly signer: string;
  readonly role: string | null;
  readonly meaning: SignatureMeaning;
  /** When it was signed (ISO instant, Bedside's clock). */
  readonly signedAt: string;
  /** When the signer last signed in (ISO instant): the token's `auth_time`, else its `iat`. */
  readonly signedInAt: string;
}

/** Who signs: the acting user, and when they signed in (absent when the token does not say). */
export interface Signer {
  readonly actor: string;
  readonly role?: string;
  readonly signedInAt?: string;
}

/** How recent a sign-in must be to sign (SIGNATURE_MAX_AGE_MINUTES). */
export interface SignaturePolicy {
  readonly maxAgeMinutes: number;
}

export const SIGNATURE_POLICY = Symbol('SIGNATURE_POLICY');
export const DEFAULT_SIGNATURE_MAX_AGE_MINUTES = 15;

/** Asked of a signer whose sign-in is too old (or unknown) to sign: sign in again, then repeat the action. */
export class SignInAgainError extends BedsideError {
  constructor(what: string, message: string, details: Record<string, unknown> = {}) {
    super('UNAUTHENTICATED', `To sign ${what}, sign in again: ${message} Nothing was recorded.`, { ...details, reauthenticate: true });
  }
}

/**
 * The signature `signer` makes on `what` at `now`, meaning `meaning`; refused (UNAUTHENTICATED) when
 * their sign-in is older than the policy's minutes, or not known.
 */
export function signatureOf(signer: Signer, meaning: SignatureMeaning, what: string, now: Date, policy: SignaturePolicy): ElectronicSignature {
  if (!signer.signedInAt) throw new SignInAgainError(what, 'your sign-in does not say when you signed in.');
  const signedInAt = new Date(signer.signedInAt);
  const ageMinutes = (now.getTime() - signedInAt.getTime()) / 60_000;
  if (!(ageMinutes <= policy.maxAgeMinutes)) {
    throw new SignInAgainError(what, `a signature needs a sign-in within the last ${policy.maxAgeMinutes} minutes, and yours was at ${signedInAt.toISOString()}.`, {
      signedInAt: signedInAt.toISOString(),
      maxAgeMinutes: policy.maxAgeMinutes,
    });
  }
  return { signer: signer.actor, role: signer.role ?? null, meaning, signedAt: now.toISOString(), signedInAt: signedInAt.toISOString() };
}
