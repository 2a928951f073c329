import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { mintToken, UnauthenticatedError, type Identity, type SigningKey } from '@bedside/identity';
import type { ConsoleSignIn } from '../auth-config';
import { ROLES, type Clock, type Role } from '@bedside/shared';

/** Where `npm run build:console` writes the console (apps/console/build.ts); BEDSIDE_CONSOLE_DIR overrides it. */
export const consoleDir = (env: NodeJS.ProcessEnv = process.env) => resolve(env.BEDSIDE_CONSOLE_DIR ?? join(process.cwd(), 'dist', 'console'));

/**
 * The console's pages (issue 15 §1): each is the same page, which draws itself from its address. Listed
 * rather than caught by a wildcard, so an address that is not a page is a 404, as it should be.
 */
export const CONSOLE_PAGES = ['/', '/sign-in', '/patients', '/patients/:coi', '/refer', '/at-risk', '/waitlist', '/sites', '/products', '/deployments', '/capacity', '/dashboard', '/audit', '/scenarios', '/scenarios/new', '/scenarios/:id', '/scenarios/:id/edit', '/runs/:id', '/compare'] as const;

export interface ConsoleOptions {
  /** The development signing key, when the API trusts one (no identity provider): the sign-in page may then mint tokens. */
  readonly developmentKey: SigningKey | null;
  /** The trust's OpenID Connect provider the console signs people in through, when one is registered for it. */
  readonly identityProvider: ConsoleSignIn | null;
  /** Who a bearer token says its holder is, as the API judges it for every request (TokenVerifier). */
  readonly identify: (authorization: string | undefined) => Promise<Identity>;
  readonly clock: Clock;
  readonly dir?: string;
}

/** How long a development sign-in lasts: a working day, as `npm run token` mints. */
const DEVELOPMENT_SIGN_IN_SECONDS = 8 * 3600;

/**
 * The console served by the API's own process, beside /graphql (same origin, so no CORS and no second
 * server). Its pages use the public GraphQL API only, with the token the user signs in with; nothing here
 * reads the database. In development (a development key and no identity provider), a sign-in mints a
 * token for the role, actor and trusts chosen, as `npm run token` does.
 */
export async function registerConsole(app: FastifyInstance, options: ConsoleOptions): Promise<void> {
  const dir = options.dir ?? consoleDir();
  const built = existsSync(join(dir, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, { root: dir, prefix: '/console/', index: false, preCompressed: true });
    // The NHS design system's own icons, which its stylesheet names from /assets/images.
    await app.register(fastifyStatic, { root: join(dir, 'assets'), prefix: '/assets/', decorateReply: false, wildcard: false });
  }
  for (const page of CONSOLE_PAGES) {
    app.get(page, (_request, reply) => {
      if (!built) return reply.code(503).type('text/plain; charset=utf-8').send(`The console is not built in ${dir}: run npm run build:console (npm start builds it).`);
      return reply.header('cache-control', 'no-cache').sendFile('index.html', dir);
    });
  }

  app.get('/console/sign-in-options', async () => ({ development: options.developmentKey !== null, roles: ROLES, identityProvider: options.identityProvider }));

  // Who the token from a sign-in says its holder is, judged as every request is: a provider's account
  // that Bedside gives no role is refused here, in words, before any page is shown.
  app.get('/console/identity', async (request, reply) => {
    try {
      const { actor, role, trusts } = await options.identify(request.headers.authorization);
      return { actor, role, trusts };
    } catch (error) {
      if (error instanceof UnauthenticatedError) return reply.code(401).send({ code: 'UNAUTHENTICATED', message: error.message });
      throw error;
    }
  });

  app.post('/console/development-token', async (request, reply) => {
    if (!options.developmentKey) {
      return reply.code(404).send({ code: 'NOT_FOUND', message: 'Development sign-in is off: this server trusts an identity provider. Sign in through your trust.' });
    }
    const refused = (message: string) => reply.code(400).send({ code: 'BAD_USER_INPUT', message });
    const body = (request.body ?? {}) as { role?: unknown; actor?: unknown; trusts?: unknown };
    const role = body.role as Role;
    if (!ROLES.includes(role)) return refused(`Choose a role: ${ROLES.join(', ')}.`);
    const trusts = (Array.isArray(body.trusts) ? body.trusts : [])
      .filter((t): t is string => typeof t === 'string')
      .map((t) => t.trim().toUpperCase())
      .filter(Boolean);
    if (trusts.some((t) => !/^[A-Z0-9]{3,5}$/.test(t))) return refused('A trust is its ODS code: three to five letters or digits, such as RBV.');
    if (role === 'scheduler' && trusts.length === 0) return refused('A scheduler books for a trust: give its ODS code, such as RBV.');
    const actor = typeof body.actor === 'string' && body.actor.trim() ? body.actor.trim() : `${role.replace(/_/g, '-')}${trusts.length ? `@${trusts[0]!.toLowerCase()}` : '@bedside.local'}`;
    if (actor.length > 100) return refused('Give a name of at most 100 characters.');
    // A token counts whole seconds (JWT iat and exp), so the expiry said is the one the token carries.
    const issuedAt = new Date(Math.floor(options.clock.now().getTime() / 1000) * 1000);
    const token = await mintToken(options.developmentKey, { actor, role, trusts, expiresIn: DEVELOPMENT_SIGN_IN_SECONDS, issuedAt });
    return { token, actor, role, trusts, expiresAt: new Date(issuedAt.getTime() + DEVELOPMENT_SIGN_IN_SECONDS * 1000).toISOString() };
  });
}
