import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { PATIENT_LEVEL, ROLE_NAMES, type Session } from './session';

/** The pages a role may open, in the header's menu: only those whose data the API lets the role read. */
export function pagesFor(session: Session): { href: string; label: string }[] {
  const patientLevel = PATIENT_LEVEL.includes(session.role);
  return [
    { href: '/', label: 'Home' },
    ...(patientLevel
      ? [
          { href: '/patients', label: 'Patients' },
          { href: '/refer', label: 'Refer a patient' },
          { href: '/at-risk', label: 'At risk' },
          { href: '/waitlist', label: 'Waitlist' },
        ]
      : []),
    ...(session.role === 'control_site_qa' || session.role === 'planner'
      ? [
          { href: '/sites', label: 'Sites and units' },
          { href: '/products', label: 'Products (DMMF)' },
          { href: '/deployments', label: 'Deployments' },
          { href: '/scenarios', label: 'Scenarios' },
        ]
      : []),
    { href: '/capacity', label: 'Capacity' },
    { href: '/dashboard', label: 'Dashboard' },
    { href: '/audit', label: 'Audit trail' },
  ];
}

/** The NHS design system's header (nhsuk-frontend "header"), with who is signed in and a way out. */
export function Header({ session, onSignOut }: { session: Session | null; onSignOut: () => void }) {
  const { path } = useLocation();
  return (
    <header class="nhsuk-header nhsuk-header--inline" role="banner">
      <div class="nhsuk-header__container nhsuk-width-container">
        <div class="nhsuk-header__service">
          <a class="nhsuk-header__service-logo" href="/" aria-label="Bedside home">
            <span class="nhsuk-header__service-name">Bedside</span>
          </a>
        </div>
        {session && (
          <nav class="nhsuk-header__account" aria-label="Account">
            <ul class="nhsuk-header__account-list">
              <li class="nhsuk-header__account-item" data-testid="signed-in-as">
                {session.actor}, {ROLE_NAMES[session.role]}
                {session.trusts.length > 0 && ` for ${session.trusts.join(', ')}`}
              </li>
              <li class="nhsuk-header__account-item">
                <button class="nhsuk-header__account-button" type="button" onClick={onSignOut}>
                  Sign out
                </button>
              </li>
            </ul>
          </nav>
        )}
      </div>
      {session && (
        <nav class="nhsuk-header__navigation" aria-label="Menu">
          <div class="nhsuk-header__navigation-container nhsuk-width-container">
            <ul class="nhsuk-header__navigation-list">
              {pagesFor(session).map((page) => (
                <li key={page.href} class={`nhsuk-header__navigation-item${path === page.href ? ' nhsuk-header__navigation-item--current' : ''}`}>
                  <a class="nhsuk-header__navigation-link" href={page.href} aria-current={path === page.href ? 'page' : undefined}>
                    {page.label}
                  </a>
                </li>
              ))}
            </ul>
          </div>
        </nav>
      )}
    </header>
  );
}

export function Main({ children }: { children: ComponentChildren }) {
  return (
    <div class="nhsuk-width-container">
      <main class="nhsuk-main-wrapper" id="main-content">
        {children}
      </main>
    </div>
  );
}

/** An error summary (nhsuk-frontend "error-summary"): what went wrong and what to do, focused so a screen reader reads it at once. */
export function ErrorSummary({ title, errors }: { title: string; errors: readonly string[] }) {
  // Two summaries may stand on one page (a refused action above a list that failed to load): each its own title.
  const titleId = useId();
  const summary = useRef<HTMLDivElement>(null);
  // Focused when it appears or says something new, so a screen reader reads it at once; never again while
  // the person types the correction (a page re-drawn on every key must not take the focus back).
  const said = errors.join('\n');
  useEffect(() => summary.current?.focus(), [said]);
  if (errors.length === 0) return null;
  return (
    <div class="nhsuk-error-summary" aria-labelledby={titleId} role="alert" tabIndex={-1} ref={summary}>
      <h2 class="nhsuk-error-summary__title" id={titleId}>
        {title}
      </h2>
      <div class="nhsuk-error-summary__body">
        <ul class="nhsuk-list nhsuk-error-summary__list">
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      </div>
    </div>
  );
}

/** A wide table that scrolls in its own region on a narrow screen, reachable and scrollable by keyboard (WCAG 2.1.1). */
export function ScrollRegion({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="bedside-scroll" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}
