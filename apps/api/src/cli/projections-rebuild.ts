import { ProjectionEngine, ProjectionRegistry, type RebuildProgress } from '@bedside/read-model';
import { runCli, withCliContext } from './cli-context';

const USAGE = 'Usage: npm run projections:rebuild -- <projection name>... | --all | --list';

/**
 * Empties read-model tables and replays the event log into them. Safe beside a running API: both
 * take the projection's checkpoint row lock per batch, and the API follows the reset checkpoint.
 */
runCli('Rebuild', async () => {
  const args = process.argv.slice(2);
  if (args.length === 0 || args.includes('--help')) {
    console.error(USAGE);
    return args.includes('--help') ? 0 : 2;
  }
  return withCliContext(async (app) => {
    const registry = app.get(ProjectionRegistry);
    if (args.includes('--list')) {
      console.log(registry.names().join('\n'));
      return 0;
    }
    const names = args.includes('--all') ? registry.names() : args;
    const unknown = names.filter((name) => !registry.get(name));
    if (unknown.length > 0) {
      console.error(`Unknown projection: ${unknown.join(', ')}. Known: ${registry.names().join(', ')}.\n${USAGE}`);
      return 2;
    }
    const engine = app.get(ProjectionEngine);
    for (const name of names) {
      console.log(`${name}: rebuilding from the start of the event log`);
      await engine.rebuild(registry.get(name)!, (progress) => console.log(describe(progress)));
    }
    return 0;
  });
});

function describe(p: RebuildProgress): string {
  const seconds = Math.max(p.elapsedMs / 1000, 0.001);
  const rate = Math.round(p.eventsRead / seconds).toLocaleString('en-GB');
  const read = p.eventsRead.toLocaleString('en-GB');
  if (p.done) {
    return `${p.name}: done, ${read} events read, ${p.eventsApplied.toLocaleString('en-GB')} applied in ${seconds.toFixed(1)} s (${rate} events/s)`;
  }
  const percent = Math.min(99, Math.floor((p.eventsRead / Math.max(p.eventsEstimated, 1)) * 100));
  return `${p.name}: ${read} of about ${p.eventsEstimated.toLocaleString('en-GB')} events (${percent}%), ${rate} events/s`;
}
