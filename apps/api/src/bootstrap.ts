import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Logger, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { systemClock } from '@bedside/shared';
import { TokenVerifier } from '@bedside/identity';
import { AppModule } from './app.module';
import { registerConsole } from './console/console-routes';
import type { ApiConfig, ServerConfig } from './config';

/** Builds the API application (not yet listening) on an already-migrated database. */
export async function createApi(config: ApiConfig, server: Pick<ServerConfig, 'bodyLimit'>, logger?: LoggerService | false): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: server.bodyLimit,
    // A client's correlation id is kept so its logs and ours can be joined; otherwise one is made.
    genReqId: (request: { headers: Record<string, string | string[] | undefined> }) => {
      const given = request.headers['x-correlation-id'];
      return typeof given === 'string' && /^[\w.:-]{1,100}$/.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: logger ?? new Logger(),
    bufferLogs: false,
  });
  // The console (issue 15) beside the API, on the same origin; not in command-line tools that serve no GraphQL.
  if (config.serveGraphQL !== false) {
    const verifier = app.get(TokenVerifier);
    await registerConsole(app.getHttpAdapter().getInstance(), {
      developmentKey: config.developmentKey ?? null,
      identityProvider: config.consoleSignIn ?? null,
      identify: (authorization) => verifier.verify(authorization),
      clock: config.clock ?? systemClock,
    });
  }
  return app;
}
