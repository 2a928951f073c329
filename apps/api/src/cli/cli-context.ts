import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { databaseSettingsFromEnv, openDatabase, runMigrations } from '@bedside/database';
import { AppModule } from '../app.module';
import { apiConfigFromEnv } from '../config';
import { MIGRATIONS } from '../migrations';

/**
 * Runs a command-line task with the application's modules on the migrated database (the embedded
 * one, or the running API's, or DATABASE_URL), without serving GraphQL or following the log.
 */
export async function withCliContext<T>(task: (app: INestApplicationContext) => Promise<T>): Promise<T> {
  const database = await openDatabase(databaseSettingsFromEnv(), (line) => console.error(line));
  try {
    await runMigrations(database.url, MIGRATIONS, (line) => console.error(line));
    const app = await NestFactory.createApplicationContext(
      AppModule.forRoot({ ...apiConfigFromEnv(database.url), runProjections: false, serveGraphQL: false }),
      { logger: ['error', 'warn'] },
    );
    try {
      return await task(app);
    } finally {
      await app.close();
    }
  } finally {
    await database.close();
  }
}

/** Exits with the task's code, or 1 with a one-line message when it throws. */
export function runCli(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
