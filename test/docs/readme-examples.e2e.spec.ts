import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { addDays, localDateOf, weekdayOf } from '@bedside/shared';
import { startDemoApi, type TestApi } from '../support/test-api';

const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');

/** The README's ```graphql blocks, in order: documentation that is also a test cannot drift. */
const examples = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]!);

/** The README's dates are "next week": moved to the Monday after today, keeping their weekdays. */
function moveDates(query: string, monday: string): string {
  return query.replace(/"2027-01-(0[4-8])"/g, (_all, day: string) => `"${addDays(monday, Number(day) - 4)}"`);
}

describe('README examples', () => {
  let api: TestApi;
  const today = localDateOf(new Date(), 'Europe/London');
  const nextMonday = addDays(today, 8 - weekdayOf(today));

  beforeAll(async () => {
    api = await startDemoApi();
  });
  afterAll(() => api.close());

  it('runs the curl example and every GraphQL example, in order, without an error', async () => {
    expect(examples.length).toBeGreaterThanOrEqual(10);
    const curlBody = /-d '(\{"query":.*\})'/.exec(readme)![1]!;
    const curl = (await (await api.post(curlBody)).json()) as { data: { network: { controlSite: { code: string }; sites: { edges: unknown[] } } } };
    expect(curl.data.network.controlSite.code).toBe('CTL01');
    expect(curl.data.network.sites.edges).toHaveLength(3);

    const results: Record<string, any>[] = [];
    for (const example of examples) {
      const query = moveDates(example, nextMonday);
      const result = await api.gql(query);
      expect({ query, errors: result.errors }).toEqual({ query, errors: undefined });
      results.push(result.data!);
    }
    const [capacity, dmmf, exception, , , , unit, , pause, referral, plans, hold, audit] = results;
    expect(capacity!.capacity.edges.length).toBeGreaterThan(0);
    expect(dmmf!.dmmf.process.startingMaterial).toBe('FRESH');
    expect(exception!.addCalendarException.exceptions).toHaveLength(1);
    expect(unit!.registerUnit.qualification).toBe('REQUALIFYING');
    expect(pause!.pauseSite).toMatchObject({ status: 'PAUSED', statusReason: 'Cleanroom deep clean', statusChangedBy: 'qa.lead@control-site' });
    expect(referral!.referPatient).toMatchObject({ coi: 'B000126900001J', status: 'REFERRED', dmmfVersion: 1, earliestCollectionDate: addDays(nextMonday, 3) });
    expect(plans!.planOptions.length).toBeGreaterThan(0);
    expect(plans!.planOptions[0].veinToVeinDays).toBeGreaterThanOrEqual(7);
    expect(plans!.planOptions[0].limitedBy).toEqual(expect.any(String));
    expect(hold!.holdPlan.status).toBe('HELD');
    expect(JSON.stringify(audit)).toContain('SitePaused');
  });
});
