import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { FreeSlot, PlanSearchInput } from '../../libs/pathways/src/domain/plan-search';

/**
 * A captured PlanSearchInput as JSON: instants as ISO strings, and the two route functions as a table
 * over every pair of sites the input names (the search asks for nothing else). Lets the captured
 * inputs be timed again without a database (BENCH_PLAN_SEARCH_SAVE, BENCH_PLAN_SEARCH_LOAD).
 */
type SavedSlot = [resourceKey: string, siteCode: string, unitId: string | null, resource: FreeSlot['resource'], day: string, session: string, startsAt: number, endsAt: number, free: number];

interface SavedInput extends Omit<PlanSearchInput, 'free' | 'travelHours' | 'freshCourier' | 'kept'> {
  readonly free: SavedSlot[];
  readonly routes: [from: string, to: string, hours: number, fresh: boolean][];
}

export interface CapturedInput {
  readonly scale: number;
  readonly productCode: string;
  readonly input: PlanSearchInput;
}

function save({ input }: CapturedInput): SavedInput {
  const { free, travelHours, freshCourier, kept: _kept, ...rest } = input;
  const sites = [...new Set([...input.treatmentCentres, ...input.designatedUnits.map((u) => u.siteCode)])];
  const routes: SavedInput['routes'] = [];
  for (const from of sites) {
    for (const to of sites) {
      const hours = from === to ? undefined : travelHours(from, to);
      if (hours !== undefined) routes.push([from, to, hours, freshCourier(from, to)]);
    }
  }
  return { ...rest, free: free.map((s) => [s.resourceKey, s.siteCode, s.unitId, s.resource, s.day, s.session, s.startsAt.getTime(), s.endsAt.getTime(), s.free]), routes };
}

type RouteFunctions = Pick<PlanSearchInput, 'travelHours' | 'freshCourier'>;

/**
 * Inputs with the same travel table share one pair of route functions, as PlanOptions' searches share
 * their basis's: the search keeps tables made from them between searches (plan-routes.ts).
 */
function load(saved: SavedInput, routeFunctions: Map<string, RouteFunctions>): PlanSearchInput {
  const { routes, free, ...rest } = saved;
  const id = JSON.stringify(routes);
  let functions = routeFunctions.get(id);
  if (!functions) {
    const table = new Map(routes.map(([from, to, hours, fresh]) => [`${from}|${to}`, { hours, fresh }]));
    routeFunctions.set(id, (functions = { travelHours: (from, to) => table.get(`${from}|${to}`)?.hours, freshCourier: (from, to) => table.get(`${from}|${to}`)?.fresh ?? false }));
  }
  return {
    ...rest,
    free: free.map(([resourceKey, siteCode, unitId, resource, day, session, startsAt, endsAt, free]) => ({ resourceKey, siteCode, unitId, resource, day, session, startsAt: new Date(startsAt), endsAt: new Date(endsAt), free })),
    ...functions,
  };
}

/** One input a line: a year of slots at 10× is too long for one string. */
export async function saveInputs(file: string, inputs: readonly CapturedInput[]): Promise<void> {
  const out = createWriteStream(file);
  for (const c of inputs) {
    if (!out.write(JSON.stringify({ scale: c.scale, productCode: c.productCode, input: save(c) }) + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

export async function loadInputs(file: string): Promise<CapturedInput[]> {
  const inputs: CapturedInput[] = [];
  const routeFunctions = new Map<string, RouteFunctions>();
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    const { scale, productCode, input } = JSON.parse(line) as { scale: number; productCode: string; input: SavedInput };
    inputs.push({ scale, productCode, input: load(input, routeFunctions) });
  }
  return inputs;
}
