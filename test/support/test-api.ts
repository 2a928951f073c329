import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { runMigrations } from '@bedside/database';
import { CommandBus } from '@nestjs/cqrs';
import { EVENT_STORE, type EventStore } from '@bedside/event-store';
import { seedDemoNetwork } from '@bedside/network';
import type { QueryLimits } from '@bedside/graphql-common';
import { DEFAULT_CLAIMS, DEVELOPMENT_AUDIENCE, DEVELOPMENT_ISSUER, mintToken, newSigningKey, type AuthConfig, type SigningKey } from '@bedside/identity';
import { CLOCK, localDateOf, PinnedClock, type Clock, type Role } from '@bedside/shared';
import { ProjectionEngine, ProjectionRegistry } from '@bedside/read-model';
import { createApi } from '../../apps/api/src/bootstrap';
import type { ConsoleSignIn } from '../../apps/api/src/auth-config';
import { MIGRATIONS } from '../../apps/api/src/migrations';
import { createTestDatabase, type TestDatabase } from './test-database';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data: T | null;
  errors?: { message: string; path?: string[]; extensions: { code: string } & Record<string, unknown> }[];
}

/** Someone calling the API: a token is minted for them with the test API's own signing key. */
export interface Persona {
  readonly role: Role;
  readonly trusts?: readonly string[];
  readonly actor?: string;
  /** Token lifetime in seconds from now (negative: already expired). */
  readonly expiresIn?: number;
}

/** Control Site QA, who may do anything: the default caller. */
export const AS_QA: Persona = { role: 'control_site_qa', actor: 'qa.lead@control-site' };
/** A trust scheduler at The Christie (RBV). */
export const AS_SCHEDULER: Persona = { role: 'scheduler', trusts: ['RBV'], actor: 'coordinator@rbv' };
export const AS_PLANNER: Persona = { role: 'planner', actor: 'planner@network' };
export const AS_DASHBOARD: Persona = { role: 'dashboard', actor: 'dashboard@network' };

const isPersona = (as: Persona | Record<string, string>): as is Persona => typeof (as as Persona).role === 'string' && !('authorization' in as);

export interface TestApi {
  readonly url: string;
  readonly database: TestDatabase;
  readonly app: NestFastifyApplication;
  /** The API's clock: pinned at `testInstant()` (or the instant given) and running from there. */
  readonly clock: PinnedClock;
  /** Sends a GraphQL operation over real HTTP, as a client would. */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, as?: Persona | Record<string, string>): Promise<GraphQLResponse<T>>;
  /** A bearer token for a persona, signed with the key this API trusts. */
  token(persona: Persona): Promise<string>;
  /** The signing key this API trusts (to forge near-misses in tests). */
  readonly signingKey: SigningKey;
  /** Waits until every read model has applied the whole log (after writes made around GraphQL). */
  caughtUp(): Promise<void>;
  /** Sends a raw body as Control Site QA, for malformed and oversized requests; headers replace the token. */
  post(body: string, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/**
 * The instant tests start at: BEDSIDE_TEST_NOW when set (`npm run test:instants` runs the
 * date-dependent suites at each instant of test/support/instants.ts), else the real now.
 */
export function testInstant(): Date {
  const pinned = process.env.BEDSIDE_TEST_NOW;
  if (!pinned) return new Date();
  const instant = new Date(pinned);
  if (Number.isNaN(instant.getTime())) throw new Error(`BEDSIDE_TEST_NOW must be an ISO instant, e.g. 2026-12-24T17:00:00Z; got "${pinned}".`);
  return instant;
}

/** The whole API on a fresh database, listening on a free port on 127.0.0.1. */
export async function startTestApi(
  options: {
    clock?: PinnedClock;
    runProjections?: boolean;
    holdSeconds?: number;
    holdExpirySweepMs?: number;
    database?: TestDatabase;
    limits?: QueryLimits;
    bodyLimit?: number;
    /** Tokens from an identity provider instead of the development key (nothing is then minted by the API). */
    identityProvider?: { auth: AuthConfig; consoleSignIn: ConsoleSignIn };
  } = {},
): Promise<TestApi> {
  const database = options.database ?? (await createTestDatabase());
  await runMigrations(database.url, MIGRATIONS);
  const signingKey = await newSigningKey('test');
  const clock = options.clock ?? new PinnedClock(testInstant());
  const app = await createApi(
    {
      databaseUrl: database.url,
      auth: options.identityProvider?.auth ?? { keys: signingKey.publicKeys, issuer: DEVELOPMENT_ISSUER, audience: DEVELOPMENT_AUDIENCE, claims: DEFAULT_CLAIMS },
      developmentKey: options.identityProvider ? null : signingKey,
      consoleSignIn: options.identityProvider?.consoleSignIn ?? null,
      runProjections: options.runProjections ?? true,
      projectionPollIntervalMs: 25,
      graphiql: false,
      holdSeconds: options.holdSeconds,
      holdExpirySweepMs: options.holdExpirySweepMs ?? 200,
      limits: options.limits,
      clock,
    },
    { bodyLimit: options.bodyLimit ?? 1_048_576 },
    false,
  );
  await app.listen(0, '127.0.0.1');
  const url = `${await app.getUrl()}/graphql`;
  // Tokens are minted on the API's clock, and again once that clock has moved on (a test may jump it days ahead).
  const tokens = new Map<string, { token: Promise<string>; issuedAt: number }>();
  const token = (persona: Persona) => {
    const key = JSON.stringify(persona);
    const now = clock.now();
    const kept = tokens.get(key);
    if (kept && now.getTime() >= kept.issuedAt && now.getTime() - kept.issuedAt < 600_000) return kept.token;
    const minted = mintToken(signingKey, { actor: persona.actor ?? `${persona.role}@test`, role: persona.role, trusts: persona.trusts, expiresIn: persona.expiresIn ?? 3600, issuedAt: now });
    tokens.set(key, { token: minted, issuedAt: now.getTime() });
    return minted;
  };
  const qa = `Bearer ${await token(AS_QA)}`;
  const post = (body: string, headers: Record<string, string> = { authorization: qa }) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return {
    url,
    database,
    app,
    clock,
    post,
    token,
    signingKey,
    async gql(query, variables, as = AS_QA) {
      const headers = isPersona(as) ? { authorization: `Bearer ${await token(as)}` } : as;
      const response = await post(JSON.stringify({ query, variables }), headers);
      const body = (await response.json()) as Omit<GraphQLResponse, 'status'>;
      return { status: response.status, ...body } as never;
    },
    async caughtUp() {
      // Everything recorded, also above an older transaction still open (where headPosition stops).
      const head = await app.get<EventStore>(EVENT_STORE).lastRecordedPosition();
      const reached = await app.get(ProjectionEngine).waitFor(app.get(ProjectionRegistry).names(), head, 20_000);
      if (!reached) throw new Error('read models did not catch up within 20 s');
    },
    async close() {
      await app.close();
      // A database handed in belongs to the caller, who may start another API on it.
      if (!options.database) await database.drop();
    },
  };
}

/** Polls until `check` passes (projections are eventually consistent), failing after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}


/** The API on a fresh database holding the demo network, with every read model caught up. */
export async function startDemoApi(options: Parameters<typeof startTestApi>[0] = {}): Promise<TestApi> {
  const api = await startTestApi(options);
  const now = api.app.get<Clock>(CLOCK).now();
  await seedDemoNetwork(api.app.get(CommandBus), api.app.get(EVENT_STORE), { from: localDateOf(now, 'Europe/London'), now });
  await api.caughtUp();
  return api;
}
