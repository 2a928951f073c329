import { pagesFor } from '../layout';
import { ROLE_NAMES, type Session } from '../session';

/** Where a signed-in user starts: the pages their role may open. */
export function Home({ session }: { session: Session }) {
  const pages = pagesFor(session).filter((p) => p.href !== '/');
  return (
    <>
      <h1>Bedside</h1>
      <p class="nhsuk-body-l">
        Signed in as {session.actor}, {ROLE_NAMES[session.role]}.
      </p>
      {pages.length > 0 ? (
        <ul class="nhsuk-list">
          {pages.map((p) => (
            <li key={p.href}>
              <a class="nhsuk-action-link__link" href={p.href}>
                {p.label}
              </a>
            </li>
          ))}
        </ul>
      ) : (
        <p class="nhsuk-body">The console has no pages for this role yet. The GraphQL API at /graphql answers everything the role may see.</p>
      )}
    </>
  );
}

export function NotFound() {
  return (
    <>
      <h1>Page not found</h1>
      <p class="nhsuk-body">
        There is no such page in Bedside. Go to the <a href="/">home page</a>.
      </p>
    </>
  );
}
