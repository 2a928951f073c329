import { parse } from 'csv-parse/sync';
import { DataSource } from 'typeorm';
import { referAndBook } from '../support/pathway-steps';
import { AS_DASHBOARD, AS_QA, AS_SCHEDULER, startDemoApi, type Persona, type TestApi } from '../support/test-api';

describe('audit trail as CSV for an inspector', () => {
  let api: TestApi;
  const download = async (streamId: string, persona: Persona | null) =>
    fetch(`${api.url.replace(/\/graphql$/, '')}/audit/${encodeURIComponent(streamId)}/csv`, { headers: persona ? { authorization: `Bearer ${await api.token(persona)}` } : {} });

  beforeAll(async () => {
    api = await startDemoApi();
  });
  afterAll(() => api.close());

  it('exports every event of a stream with who, role, trust, when and why, quoted so commas and quotes survive', async () => {
    await api.gql(`mutation { pauseSite(code: "RBV01", reason: "Cleanroom \\"deep\\" clean, phase 2") { status } }`);
    const response = await download('site-RBV01', AS_QA);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="site-RBV01.csv"');
    const rows: Record<string, string>[] = parse(await response.text(), { columns: true });
    const trail = (await api.gql(`{ auditTrail(streamId: "site-RBV01", first: 500) { edges { node { position type actor reason } } } }`)).data!.auditTrail.edges.map((e: { node: unknown }) => e.node);
    expect(rows.map((r) => ({ position: Number(r.position), type: r.type, actor: r.actor, reason: r.reason || null }))).toEqual(trail);
    expect(rows.at(-1)).toMatchObject({ type: 'SitePaused', role: 'control_site_qa', reason: 'Cleanroom "deep" clean, phase 2' });
    expect(JSON.parse(rows.at(-1)!.data!)).toMatchObject({ code: 'RBV01' });
  });

  it('applies the same access rules as the query, with HTTP statuses', async () => {
    const booked = await referAndBook(api, 'CSV-1');
    expect((await download(`pathway-${booked.coi}`, AS_SCHEDULER)).status).toBe(200);
    const otherTrust = await download(`pathway-${booked.coi}`, { role: 'scheduler', trusts: ['RRV'] });
    expect(otherTrust.status).toBe(403);
    expect(await otherTrust.json()).toMatchObject({ code: 'FORBIDDEN' });
    expect((await download(`pathway-${booked.coi}`, AS_DASHBOARD)).status).toBe(403);
    const anonymous = await download('site-RBV01', null);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/^Sign in/) });
    expect((await download('site-NOPE1', AS_QA)).status).toBe(404);
  });

  it('checks a stream’s hash chain for an inspector, and names the event where it breaks once the record is altered', async () => {
    const VERIFY = `{ streamVerification(streamId: "site-RRK01") { streamId events intact breaks { position problem } lastHash } }`;
    const before = (await api.gql(VERIFY, {}, AS_QA)).data!.streamVerification;
    expect(before).toMatchObject({ streamId: 'site-RRK01', intact: true, breaks: [] });
    expect(before.events).toBeGreaterThanOrEqual(3);
    expect(before.lastHash).toMatch(/^[0-9a-f]{64}$/);
    // Someone with the database's keys sets the append-only trigger aside and rewrites the site's name.
    await api.app.get(DataSource).transaction(async (sql) => {
      await sql.query('ALTER TABLE events DISABLE TRIGGER events_append_only');
      await sql.query(`UPDATE events SET data = jsonb_set(data, '{name}', '"Elsewhere"') WHERE stream_id = 'site-RRK01' AND stream_position = 1`);
      await sql.query('ALTER TABLE events ENABLE TRIGGER events_append_only');
    });
    const after = (await api.gql(VERIFY, {}, AS_QA)).data!.streamVerification;
    expect(after).toMatchObject({ intact: false, events: before.events, breaks: [{ position: 1, problem: expect.stringMatching(/altered/) }] });
    const unknown = await api.gql(`{ streamVerification(streamId: "site-NOPE1") { intact } }`, {}, AS_QA);
    expect(unknown.errors![0]!.extensions.code).toBe('NOT_FOUND');
  });
});
