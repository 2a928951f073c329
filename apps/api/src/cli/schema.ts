import 'reflect-metadata';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { databaseSettingsFromEnv, openDatabase, runMigrations } from '@bedside/database';
import { DEFAULT_CLAIMS, DEVELOPMENT_AUDIENCE, DEVELOPMENT_ISSUER, newSigningKey } from '@bedside/identity';
import { createApi } from '../bootstrap';
import { apiConfigFromEnv } from '../config';
import { MIGRATIONS } from '../migrations';
import { SCHEMA_FILE, writeContract } from '../schema-artefact';
import { runCli } from './cli-context';

/** `npm run schema`: writes schema.graphql from the code, and lists breaking changes in CHANGELOG.md. */
runCli('schema', async () => {
  const database = await openDatabase(databaseSettingsFromEnv(), (line) => console.error(line));
  try {
    await runMigrations(database.url, MIGRATIONS, (line) => console.error(line));
    // The schema is built from the resolvers; a throwaway key stands in for the identity provider.
    const key = await newSigningKey('schema');
    const app = await createApi(
      { ...apiConfigFromEnv(database.url), runProjections: false, auth: { keys: key.publicKeys, issuer: DEVELOPMENT_ISSUER, audience: DEVELOPMENT_AUDIENCE, claims: DEFAULT_CLAIMS } },
      { bodyLimit: 1_048_576 },
      false,
    );
    await app.init();
    try {
      const { changed, breaking } = await writeContract(app.get(GraphQLSchemaHost).schema);
      console.log(changed ? `wrote ${SCHEMA_FILE}` : `${SCHEMA_FILE} is up to date`);
      for (const line of breaking) console.log(`BREAKING: ${line}`);
      if (breaking.length > 0) console.log('These are listed in CHANGELOG.md under "Unreleased": say there what clients must change.');
      return 0;
    } finally {
      await app.close();
    }
  } finally {
    await database.close();
  }
});
