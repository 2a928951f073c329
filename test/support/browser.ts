import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDemoApi, type TestApi } from './test-api';

/** Debian's Chromium (apt-get install chromium); never a browser download, which cannot work here. CHROMIUM_PATH overrides it. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Why the browser tests cannot run, or null when they can. `.ci/run` installs Chromium and sets
 * BEDSIDE_REQUIRE_BROWSER, so in CI a missing browser fails instead of skipping.
 */
export function browserSkipReason(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const reason = `no Chromium at ${CHROMIUM} (install Debian's: apt-get install chromium, or set CHROMIUM_PATH)`;
  if (process.env.BEDSIDE_REQUIRE_BROWSER) throw new Error(`The browser tests must run here, but there is ${reason}.`);
  return reason;
}

/**
 * `describe` for a suite driven in the browser: skipped, with the reason printed, where there is no
 * Chromium (and failing instead in CI, see browserSkipReason).
 */
export function describeInBrowser(name: string, suite: () => void): void {
  const reason = browserSkipReason();
  if (!reason) return describe(name, suite);
  process.stderr.write(`\nSKIPPED: ${name}, in a real browser: ${reason}.\n`);
  describe.skip(name, suite);
}

/** Headless Chromium, with the flags this machine's closed network needs (no background connections to Google). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** The screens the console is checked on (issue 15 §7): a desktop, a tablet held upright, a wall screen. */
export const SCREENS = {
  desktop: { width: 1280, height: 720 },
  tablet: { width: 768, height: 1024 },
  wall: { width: 1920, height: 1080 },
} as const;

/**
 * A page in a fresh browser context, in British English on the screen named, its script errors
 * collected into `pageErrors`. `clock`: the page's clock starts at this instant and runs (the API's
 * pinned clock, so that the page and the API agree on "now").
 */
export async function openPage(
  browser: Browser,
  pageErrors: string[],
  options: { screen?: keyof typeof SCREENS; clock?: Date; acceptDownloads?: boolean; timeoutMs?: number } = {},
): Promise<Page> {
  const screen = options.screen ?? 'desktop';
  const context = await browser.newContext({ viewport: SCREENS[screen], locale: 'en-GB', acceptDownloads: options.acceptDownloads ?? false, hasTouch: screen === 'tablet' });
  if (options.clock) {
    await context.clock.install({ time: options.clock });
    await context.clock.resume();
  }
  const page = await context.newPage();
  page.setDefaultTimeout(options.timeoutMs ?? 15_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return page;
}

/** axe-core's findings against WCAG 2.2 A and AA on the page as it stands, one line each (empty: none). */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`);
}

/**
 * A screenshot for the README and docs/console (issue 15), written only when UPDATE_SCREENSHOTS is set,
 * so an ordinary test run leaves the working tree as it was. A long page is shown as far as the screen
 * reaches (`fullPage: false`), from where it is scrolled to.
 */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  if (!process.env.UPDATE_SCREENSHOTS) return;
  const dir = join(__dirname, '..', '..', 'docs', 'console');
  await mkdir(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: options.fullPage ?? true });
}

/** Signs in through the console's development sign-in page, as a person would, and waits for the page it leads to. */
export async function signIn(page: Page, base: string, who: { role: string; trust?: string; actor?: string }): Promise<void> {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel(who.role).check();
  if (who.trust) await page.getByLabel('Trust', { exact: true }).fill(who.trust);
  if (who.actor) await page.getByLabel('Your name or email (optional)').fill(who.actor);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('signed-in-as').waitFor();
}

/** Who signs in on the development sign-in page: the role's label there, the trust, the name. */
export interface SignInAs {
  readonly role: string;
  readonly trust?: string;
  readonly actor?: string;
}
export const RBV_SCHEDULER: SignInAs = { role: 'Trust scheduler', trust: 'RBV', actor: 'coordinator@rbv' };
export const CONTROL_SITE_QA: SignInAs = { role: 'Control Site QA', actor: 'qa.lead@control-site' };
export const NETWORK_PLANNER: SignInAs = { role: 'Network planner', actor: 'planner@network' };

/** The API on the demo network, Chromium and one page in it, as a browser suite drives them. */
export interface ConsoleUnderTest {
  readonly api: TestApi;
  readonly browser: Browser;
  readonly page: Page;
  /** Where the console is served: the API's own origin. */
  readonly base: string;
  readonly pageErrors: string[];
  close(): Promise<void>;
}

/**
 * Starts the API on the demo network, records what `given` records through it, then opens one page on
 * the screen named with its clock at the API's (so the page and the API agree on now) and signs in as
 * `who` (not at all when not given).
 */
export async function startConsole(
  options: { who?: SignInAs; screen?: keyof typeof SCREENS; acceptDownloads?: boolean; given?: (api: TestApi) => Promise<void> } = {},
): Promise<ConsoleUnderTest> {
  const api = await startDemoApi();
  const pageErrors: string[] = [];
  let browser: Browser | undefined;
  try {
    await options.given?.(api);
    browser = await launchBrowser();
    const page = await openPage(browser, pageErrors, { screen: options.screen, acceptDownloads: options.acceptDownloads, clock: api.clock.now() });
    const base = api.url.replace(/\/graphql$/, '');
    if (options.who) await signIn(page, base, options.who);
    const opened = browser;
    return { api, browser: opened, page, base, pageErrors, close: async () => void (await opened.close(), await api.close()) };
  } catch (error) {
    await browser?.close();
    await api.close();
    throw error;
  }
}
