import { CommandBus } from '@nestjs/cqrs';
import { EVENT_STORE } from '@bedside/event-store';
import { seedDemoNetwork } from '@bedside/network';
import { NETWORK_TIME_ZONE, CLOCK, localDateOf, type Clock } from '@bedside/shared';
import { runCli, withCliContext } from './cli-context';

/** `npm run seed [-- --scale N]`: loads the demo network (README, "Demo network") unless one is there. */
runCli('Seeding', async () => {
  const args = process.argv.slice(2);
  const scaleArg = args.indexOf('--scale');
  const scale = scaleArg >= 0 ? Number(args[scaleArg + 1]) : 1;
  if (!Number.isInteger(scale) || scale < 1 || scale > 50) {
    console.error('Usage: npm run seed [-- --scale N]   (N copies of the ten demo centres, 1 to 50)');
    return 2;
  }
  return withCliContext(async (app) => {
    const report = await seedDemoNetwork(app.get(CommandBus), app.get(EVENT_STORE), {
      from: localDateOf(app.get<Clock>(CLOCK).now(), NETWORK_TIME_ZONE),
      now: app.get<Clock>(CLOCK).now(),
      scale,
      log: (line) => console.log(line),
    });
    if (report.seeded) console.log('Read models catch up when the API next runs (npm start), or now with: npm run projections:rebuild -- --all');
    return 0;
  });
});
