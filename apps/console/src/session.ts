/** Who is signed in to the console: the token the API checks on every request, and what it says. */
export const ROLE_NAMES = {
  scheduler: 'Trust scheduler',
  planner: 'Network planner',
  control_site_qa: 'Control Site QA',
  dashboard: 'Dashboard (read only)',
} as const;
export type Role = keyof typeof ROLE_NAMES;

export interface Session {
  readonly token: string;
  readonly actor: string;
  readonly role: Role;
  readonly trusts: readonly string[];
  readonly expiresAt: string;
}

// Per browser tab, gone when the tab closes: a shared ward computer keeps no sign-in.
const KEY = 'bedside.session';

/**
 * The sign-in kept in this tab. Whether it still holds is the API's to say (by its own clock, never the
 * browser's, which may be wrong): a refused token shows "sign in again" (api.ts errorWords).
 */
export function loadSession(): Session | null {
  const kept = sessionStorage.getItem(KEY);
  if (!kept) return null;
  try {
    return JSON.parse(kept) as Session;
  } catch {
    sessionStorage.removeItem(KEY); // an unreadable sign-in is no sign-in
    return null;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}

/** Who may read which pages: the API's own rules (README "Who may do what"), so the console offers nothing it would refuse. */
export const PATIENT_LEVEL: readonly Role[] = ['scheduler', 'control_site_qa'];
