import 'reflect-metadata';
import { DEFAULT_LIMITS } from '@bedside/graphql-common';
import { DEFAULT_CLAIMS } from '@bedside/identity';
import type { JSONWebKeySet } from 'jose';
import { createApi } from '../../apps/api/src/bootstrap';

/**
 * Bedside's API as `npm start` serves it (projections and the hold-expiry sweep running), in its own
 * process so the load generator does not share its event loop; only the per-identity rate limit is
 * off, since every benchmark request comes from one identity (depth and cost limits stay on).
 */
async function main(): Promise<void> {
  const app = await createApi(
    {
      databaseUrl: process.env.DATABASE_URL!,
      auth: { keys: JSON.parse(process.env.BENCH_JWKS!) as JSONWebKeySet, issuer: process.env.BENCH_ISSUER!, audience: process.env.BENCH_AUDIENCE!, claims: DEFAULT_CLAIMS },
      runProjections: true,
      projectionPollIntervalMs: 250,
      graphiql: false,
      limits: { ...DEFAULT_LIMITS, requestsPerMinute: 0 },
    },
    { bodyLimit: 1_048_576 },
    false,
  );
  await app.listen(0, '127.0.0.1');
  process.send?.({ port: Number(new URL(await app.getUrl()).port) });
  process.on('SIGTERM', () => {
    void app.close().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
