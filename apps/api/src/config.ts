import { DEFAULT_LIMITS, type QueryLimits } from '@bedside/graphql-common';
import type { AuthConfig, SigningKey } from '@bedside/identity';
import { DEFAULT_SIGNATURE_MAX_AGE_MINUTES, type Clock } from '@bedside/shared';
import type { ConsoleSignIn } from './auth-config';

export interface ApiConfig {
  readonly databaseUrl: string;
  /** A kurrentdb:// connection string puts the event log in KurrentDB; unset, it is in PostgreSQL at databaseUrl. */
  readonly eventStoreUrl?: string;
  /** How bearer tokens are verified (needed when GraphQL is served). */
  readonly auth?: AuthConfig | null;
  /** The development key `auth` trusts, when there is no identity provider: the console's sign-in page mints tokens with it. */
  readonly developmentKey?: SigningKey | null;
  /** The console's sign-in through the identity provider (authorisation code with PKCE), when one is registered. */
  readonly consoleSignIn?: ConsoleSignIn | null;
  /** Follow the event log and keep read models current in this process. */
  readonly runProjections: boolean;
  /** How often projections look for new events when no notification arrives. */
  readonly projectionPollIntervalMs: number;
  /** GraphiQL (on in development). */
  readonly graphiql: boolean;
  /** Depth, cost, rate and introspection limits (defaults: DEFAULT_LIMITS). */
  readonly limits?: QueryLimits;
  /** Serve GraphQL (off for command-line tools that only need the modules). */
  readonly serveGraphQL?: boolean;
  /** How long a held plan stays reserved unless confirmed. */
  readonly holdSeconds?: number;
  /** The longest a plan may be held, whatever a request asks (minutes). */
  readonly maxHoldMinutes?: number;
  /** How often expired holds are released (0: not in this process). */
  readonly holdExpirySweepMs?: number;
  /** Facility id in the Chain of Identity identifiers Bedside issues. */
  readonly coiFacilityId?: string;
  /** Minutes after which a clinical step recorded late needs a reason (default 60). */
  readonly lateRecordingMinutes?: number;
  /** How recent a sign-in must be, in minutes, to sign a QC release, a DMMF version or a suspension (default 15). */
  readonly signatureMaxAgeMinutes?: number;
  /** Where "now" comes from (default: the system clock; tests and simulations pin one). */
  readonly clock?: Clock;
}

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** Largest request body accepted, in bytes. */
  readonly bodyLimit: number;
  readonly logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
}

const whole = (name: string, value: string | undefined, fallback: number) => {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number (0 or more); got "${value}".`);
  return n;
};

const flag = (value: string | undefined, fallback: boolean) => (value === undefined ? fallback : !['0', 'false', 'off', 'no'].includes(value.toLowerCase()));

export function serverConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a TCP port number; got "${env.PORT}".`);
  const level = (env.LOG_LEVEL ?? 'log') as ServerConfig['logLevel'];
  if (!['error', 'warn', 'log', 'debug', 'verbose'].includes(level)) {
    throw new Error(`LOG_LEVEL must be one of error, warn, log, debug, verbose; got "${env.LOG_LEVEL}".`);
  }
  return { host: env.HOST ?? '127.0.0.1', port, bodyLimit: Number(env.BODY_LIMIT_BYTES ?? 1_048_576), logLevel: level };
}

export function apiConfigFromEnv(databaseUrl: string, env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return {
    databaseUrl,
    eventStoreUrl: env.EVENT_STORE_URL || env.KURRENTDB_URL || undefined,
    runProjections: flag(env.RUN_PROJECTIONS, true),
    projectionPollIntervalMs: Number(env.PROJECTION_POLL_INTERVAL_MS ?? 250),
    graphiql: flag(env.GRAPHIQL, env.NODE_ENV !== 'production'),
    limits: {
      maxDepth: whole('MAX_QUERY_DEPTH', env.MAX_QUERY_DEPTH, DEFAULT_LIMITS.maxDepth),
      maxCost: whole('MAX_QUERY_COST', env.MAX_QUERY_COST, DEFAULT_LIMITS.maxCost),
      requestsPerMinute: whole('RATE_LIMIT_PER_MINUTE', env.RATE_LIMIT_PER_MINUTE, DEFAULT_LIMITS.requestsPerMinute),
      introspection: flag(env.INTROSPECTION, env.NODE_ENV !== 'production'),
    },
    holdSeconds: Number(env.HOLD_MINUTES ?? 30) * 60,
    maxHoldMinutes: whole('HOLD_MAX_MINUTES', env.HOLD_MAX_MINUTES, 24 * 60),
    holdExpirySweepMs: Number(env.HOLD_EXPIRY_SWEEP_MS ?? 5000),
    coiFacilityId: env.COI_FACILITY_ID ?? 'B0001',
    lateRecordingMinutes: whole('LATE_RECORDING_MINUTES', env.LATE_RECORDING_MINUTES, 60),
    signatureMaxAgeMinutes: whole('SIGNATURE_MAX_AGE_MINUTES', env.SIGNATURE_MAX_AGE_MINUTES, DEFAULT_SIGNATURE_MAX_AGE_MINUTES),
  };
}
