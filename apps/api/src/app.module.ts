import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventStoreModule } from '@bedside/event-store';
import { APP_GUARD } from '@nestjs/core';
import { AccessGuard, subscriberIdentity, checkCost, DEFAULT_LIMITS, formatGraphQLErrors, RequestRateLimiter, validationRules, withoutPropertyResolvers } from '@bedside/graphql-common';
import { TokenVerifier } from '@bedside/identity';
import { CapacityModule } from '@bedside/capacity';
import { NetworkModule, SiteRecord } from '@bedside/network';
import { PathwaysModule } from '@bedside/pathways';
import { PlanningModule } from '@bedside/planning';
import { ReadModelModule } from '@bedside/read-model';
import { DEFAULT_SIGNATURE_MAX_AGE_MINUTES, systemClock } from '@bedside/shared';
import { AuditExportController } from './audit/audit-export.controller';
import { AuditResolver } from './audit/audit.resolver';
import { ClockModule } from './clock.module';
import { SignaturePolicyModule } from './signature-policy.module';
import type { ApiConfig } from './config';

const requireAuth = (config: ApiConfig) => {
  if (!config.auth) throw new Error('Serving GraphQL needs an authentication configuration (ApiConfig.auth).');
  return config.auth;
};

/** The Bedside GraphQL API. Its database (embedded or external) is opened, and migrated, before it is built. */
@Module({})
export class AppModule {
  static forRoot(config: ApiConfig): DynamicModule {
    const verifier = config.serveGraphQL === false ? null : new TokenVerifier(requireAuth(config), config.clock ?? systemClock);
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        ClockModule.forRoot(config.clock ?? systemClock),
        SignaturePolicyModule.forRoot({ maxAgeMinutes: config.signatureMaxAgeMinutes ?? DEFAULT_SIGNATURE_MAX_AGE_MINUTES }),
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: config.databaseUrl,
          entities: [SiteRecord],
          synchronize: false,
          migrationsRun: false,
          extra: { max: 10 },
        }),
        EventStoreModule.forRoot({ connectionString: config.databaseUrl, eventStoreUrl: config.eventStoreUrl }),
        // Reactors' timers (hold expiry) fire only where reactors run: never in one-off commands (seed, rebuild).
        ReadModelModule.forRoot({ runProjections: config.runProjections, pollIntervalMs: config.projectionPollIntervalMs, timerPollMs: config.holdExpirySweepMs ?? 5000 }),
        ...(config.serveGraphQL === false
          ? []
          : [
              GraphQLModule.forRoot<MercuriusDriverConfig>({
                driver: MercuriusDriver,
                autoSchemaFile: true,
                sortSchema: true,
                // Plain fields read their property without a resolver call (graphql-jit inlines them).
                transformSchema: withoutPropertyResolvers,
                jit: 1,
                graphiql: config.graphiql,
                queryDepth: (config.limits ?? DEFAULT_LIMITS).maxDepth,
                validationRules: validationRules(config.limits ?? DEFAULT_LIMITS),
                hooks: {
                  preExecution: async (schema, document, _context, variables) => {
                    checkCost(config.limits ?? DEFAULT_LIMITS, schema, document, variables as Record<string, unknown> | undefined);
                  },
                },
                errorFormatter: formatGraphQLErrors as MercuriusDriverConfig['errorFormatter'],
                // Subscriptions over WebSocket (graphql-ws protocol); the token comes in connection_init.
                subscription: {
                  onConnect: async ({ payload }: { payload: unknown }) => {
                    try {
                      return { identity: await subscriberIdentity(verifier!, payload) };
                    } catch {
                      return false; // closes the connection: no subscription without a valid token
                    }
                  },
                },
              }),
            ]),
        NetworkModule,
        CapacityModule,
        PlanningModule,
        PathwaysModule.forRoot({
          holdSeconds: config.holdSeconds ?? 1800,
          maxHoldMinutes: config.maxHoldMinutes ?? 24 * 60,
          coiFacilityId: config.coiFacilityId ?? 'B0001',
          lateRecordingMinutes: config.lateRecordingMinutes ?? 60,
        }),
      ],
      controllers: config.serveGraphQL === false ? [] : [AuditExportController],
      providers: [
        AuditResolver,
        ...(config.serveGraphQL === false
          ? []
          : [
              { provide: TokenVerifier, useValue: verifier },
              { provide: RequestRateLimiter, useValue: new RequestRateLimiter((config.limits ?? DEFAULT_LIMITS).requestsPerMinute) },
              { provide: APP_GUARD, useClass: AccessGuard },
            ]),
      ],
    };
  }
}
