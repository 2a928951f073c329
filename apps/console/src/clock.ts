/**
 * The console's one reading of the time (as libs/shared/src/clock.ts is the server's): the browser's
 * clock, which only counts down to instants the API gives and picks today's date for a form. Tests set
 * it to the API's pinned clock (Playwright's clock), so the page and the API agree on "now".
 */
export const browserNow = (): number => Date.now();
