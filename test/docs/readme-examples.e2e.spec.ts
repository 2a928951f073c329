import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { addDays, localDateOf, weekdayOf } from '@bedside/shared';
import { AS_PLANNER, startDemoApi, type TestApi, testInstant } from '../support/test-api';

const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');

/** The README's ```graphql blocks, in order: documentation that is also a test cannot drift. */
const examples = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]!);

/** The README's dates: 4 to 8 January 2027 are next week (keeping their weekdays), 1 January 2027 is today. */
function moveDates(query: string, today: string, monday: string): string {
  return query.replace(/"2027-01-01"/g, `"${today}"`).replace(/"2027-01-(0[4-8])"/g, (_all, day: string) => `"${addDays(monday, Number(day) - 4)}"`);
}

/** Slots as GraphQL input literals. */
const slotList = (slots: { resourceKey: string; day: string; session: string }[]) =>
  `[${slots.map((s) => `{ resourceKey: "${s.resourceKey}", day: "${s.day}", session: "${s.session}" }`).join(',\n            ')}]`;

describe('README examples', () => {
  let api: TestApi;
  const today = localDateOf(testInstant(), 'Europe/London');
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
      // A hold holds one whole plan (issue 11 §4): the README's hold takes the first plan's slots, as a scheduler would.
      const plan = results.find((r) => 'planOptions' in r)?.planOptions[0];
      const scenario = results.find((r) => 'createScenario' in r)?.createScenario;
      const query =
        plan && /holdPlan\(/.test(example)
          ? example.replace(/slots: \[[\s\S]*?\]\n/, `slots: ${slotList(plan.slots)}\n`)
          : moveDates(example, today, nextMonday).replace(/"SCENARIO-ID"/g, `"${scenario?.id}"`);
      if (process.env.PRINT_README_PLAN && plan) console.log(slotList(plan.slots));
      // An example a planner runs says so on its first line (`# As a planner`); the rest run as Control Site QA.
      const result = await api.gql(query, {}, /^# As a planner/.test(query) ? AS_PLANNER : undefined);
      expect({ query, errors: result.errors }).toEqual({ query, errors: undefined });
      results.push(result.data!);
    }
    // Each example's answer, by its top field (the first answer of that field).
    const answer = (field: string) => results.find((r) => field in r)![field];
    expect(answer('capacity').edges.length).toBeGreaterThan(0);
    // Stay within reach (issue 14 §4): M20 is a quarter of an hour from The Christie; the stay moves to Cheadle.
    expect(answer('districtTravelTimes')).toContainEqual({ siteCode: 'RBV01', minutes: 15 });
    expect(answer('arrangeMonitoringStay')).toEqual({ coi: 'B000126900001J', homeDistrict: 'M20', stayDistrict: 'SK8', stayReason: 'Staying with family in Cheadle for the monitoring month' });
    expect(answer('setDistrictTravelTimes')).toContainEqual({ district: 'M33', siteCode: 'RBV01', minutes: 30 });
    expect(answer('dmmf').process.startingMaterial).toBe('FRESH');
    expect(answer('addCalendarException').exceptions).toHaveLength(1);
    expect(answer('registerUnit').qualification).toBe('REQUALIFYING');
    expect(answer('pauseSite')).toMatchObject({ status: 'PAUSED', statusReason: 'Cleanroom deep clean', statusChangedBy: 'qa.lead@control-site' });
    expect(answer('referPatient')).toMatchObject({ coi: 'B000126900001J', status: 'REFERRED', dmmfVersion: 1, earliestCollectionDate: addDays(today, 3) }); // a corticosteroid's 3-day washout from today
    expect(answer('planOptions').length).toBeGreaterThan(0);
    expect(answer('planOptions')[0].veinToVeinDays).toBeGreaterThanOrEqual(7);
    expect(answer('planOptions')[0].limitedBy).toEqual(expect.any(String));
    expect(answer('holdPlan').status).toBe('HELD');
    expect(answer('postponePatient')).toMatchObject({ earliestCollectionDate: addDays(nextMonday, 4), postponedUntil: addDays(nextMonday, 4) });
    expect(answer('atRiskPathways').edges).toEqual([]); // the held plan is not booked, so nothing is at risk yet
    expect(answer('kpis').utilisation.map((u: { resource: string }) => u.resource)).toContain('MANUFACTURING_BAY');
    expect(JSON.stringify(answer('auditTrail'))).toContain('SitePaused');
    expect(answer('createScenario')).toMatchObject({ version: 1, dosesPerUnitDay: 33_600 });
    expect(answer('runScenario')).toMatchObject({ status: 'RUNNING', scenarioVersion: 1, options: { timeLimitSeconds: 10, seed: 1, relativeGap: 0.01 } });
    const deployed = answer('deployUnit');
    expect(deployed).toMatchObject({ fromSiteCode: 'CTL01', toSiteCode: 'RBV01', leavesOn: addDays(nextMonday, 4), status: 'PLANNED' });
    // Tear-down 1 + the road + set-up 1 + requalification 18.
    expect(deployed.availableFrom).toBe(addDays(deployed.leavesOn, 1 + deployed.travelDays + 1 + 18));
    expect(answer('deployments').edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([deployed.id]);
  });
});
