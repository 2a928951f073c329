import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { databaseSettingsFromEnv, openDatabase, runMigrations } from '@bedside/database';
import { EVENT_STORE } from '@bedside/event-store';
import { seedDemoNetwork } from '@bedside/network';
import { localDateOf } from '@bedside/shared';
import { AppModule } from '../app.module';
import { apiConfigFromEnv } from '../config';
import { MIGRATIONS } from '../migrations';

/** `npm run seed [-- --scale N]`: loads the demo network (README, "Demo network") unless one is there. */
async function main(args: string[]): Promise<number> {
  const scaleArg = args.indexOf('--scale');
  const scale = scaleArg >= 0 ? Number(args[scaleArg + 1]) : 1;
  if (!Number.isInteger(scale) || scale < 1 || scale > 50) {
    console.error('Usage: npm run seed [-- --scale N]   (N copies of the ten demo centres, 1 to 50)');
    return 2;
  }
  const database = await openDatabase(databaseSettingsFromEnv(), (line) => console.error(line));
  try {
    await runMigrations(database.url, MIGRATIONS, (line) => console.error(line));
    const app = await NestFactory.createApplicationContext(
      AppModule.forRoot({ ...apiConfigFromEnv(database.url), runProjections: false, serveGraphQL: false }),
      { logger: ['error', 'warn'] },
    );
    try {
      const report = await seedDemoNetwork(app.get(CommandBus), app.get(EVENT_STORE), {
        from: localDateOf(new Date(), 'Europe/London'),
        scale,
        log: (line) => console.log(line),
      });
      if (report.seeded) console.log('Read models catch up when the API next runs (npm start), or now with: npm run projections:rebuild -- --all');
      return 0;
    } finally {
      await app.close();
    }
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`Seeding failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
