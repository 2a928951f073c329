import { createHash } from 'node:crypto';
import 'reflect-metadata';
import Fastify from 'fastify';
import { buildSchema, GraphQLError, parse, validate, type ExecutionResult } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { Pool } from 'pg';
import { NOT_STARTED, type Progress } from '../../libs/pathways/src/domain/lifecycle';
import { timelineOf, type BookedSlot } from '../../libs/pathways/src/domain/timeline';

/**
 * The baseline: a bare Fastify + graphql-jit server answering the benchmark's two queries from the
 * same tables with hand-written SQL, as a careful engineer would write it without a framework. It does
 * the same necessary work as Bedside (verifies the bearer token, remembering it for a minute as Bedside does, checks the
 * scheduler's trust, reads the sites' utilisation in one statement, answers the same JSON) and nothing
 * else: no guards, pipes, cost or rate limits, error formatting, DataLoader or ORM. The pure timeline
 * function is Bedside's own domain code, since reimplementing it would measure nothing.
 */

const SDL = `
  scalar LocalDate
  scalar DateTime
  enum SiteKind { CONTROL_SITE HOSPITAL AMBULANCE LOCAL_CARE_SETTING PATIENT_HOME }
  enum KpiDimension { PRODUCT TRUST SITE MONTH }
  input KpiFilter { productCode: String referringTrust: String treatmentSite: String from: LocalDate to: LocalDate }
  type TimelineKpi { productCode: String referringTrust: String treatmentSite: String month: String infused: Int! veinToVeinMedianDays: Float! veinToVeinP90Days: Float! referralToInfusionMedianDays: Float! referralToInfusionP90Days: Float! }
  type StatusCount { status: String! count: Int! }
  type WaitlistKpi { length: Int! medianDaysWaiting: Float longestDaysWaiting: Float }
  type ResourceUtilisation { resource: String! capacity: Int! committed: Int! tentative: Int! utilisation: Float! }
  type Kpis { timelines: [TimelineKpi!]! pathwaysByStatus: [StatusCount!]! atRisk: Int! waitlist: WaitlistKpi! utilisation: [ResourceUtilisation!]! }
  type UtilisationRow { siteCode: String! unitId: String resource: String! capacity: Int! committed: Int! tentative: Int! utilisation: Float! }
  type Site { code: ID! name: String! status: String! trustCode: String utilisation(from: LocalDate!, to: LocalDate!): [UtilisationRow!]! }
  type SiteEdge { cursor: String! node: Site! }
  type SiteConnection { edges: [SiteEdge!]! }
  type Network { sites(first: Int, kind: SiteKind): SiteConnection! }
  type Slot { resourceKey: String! day: LocalDate! session: String! }
  type TimelineStep { kind: String! status: String! siteCode: String! unitId: String start: DateTime! end: DateTime! doneAt: DateTime slots: [Slot!]! }
  type Pathway { coi: ID! status: String! productState: String! patientState: String! treatmentCentre: String timeline: [TimelineStep!]! }
  type Query { kpis(filter: KpiFilter!, groupBy: [KpiDimension!]): Kpis! network: Network! pathway(coi: ID!): Pathway }
`;

interface Caller {
  role: string;
  trusts: string[];
}
interface Context {
  caller: Caller;
  /** Sites of the page being answered: Site.utilisation reads them all at once. */
  siteCodes?: string[];
  utilisation?: Map<string, Promise<Map<string, unknown[]>>>;
}

class HttpError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const keys = createLocalJWKSet(JSON.parse(process.env.BENCH_JWKS!) as JSONWebKeySet);
// Every statement prepared once per connection (named by its text's hash), as a hand-tuned server would:
// Bedside prepares its hot reads, so the baseline does too.
const statementNames = new Map<string, string>();
const nameOf = (sql: string) => {
  let name = statementNames.get(sql);
  if (!name) statementNames.set(sql, (name = `bare-${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`));
  return name;
};
const q = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => (await pool.query({ name: nameOf(sql), text: sql, values: params })).rows as T[];
const londonToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
const plusDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

const AT_RISK_COUNT = `
  WITH booked AS (
    SELECT p.coi, p.progress, p.postponed_until, s->>'resourceKey' AS resource_key, (s->>'day')::date AS day, s->>'session' AS session
      FROM pathways p JOIN holds h ON h.hold_id = p.hold_id AND h.status = 'CONFIRMED' CROSS JOIN LATERAL jsonb_array_elements(h.slots) AS s
     WHERE p.plan_status = 'BOOKED' AND coalesce(p.progress->>'patient', 'WAITING') IN ('WAITING', 'CONDITIONING')
  ), ahead AS (
    SELECT * FROM booked
     WHERE NOT (resource_key LIKE '%:APHERESIS_CHAIR' AND coalesce(progress->>'product', 'NOT_COLLECTED') <> 'NOT_COLLECTED')
       AND NOT (resource_key LIKE 'unit:%' AND progress->>'product' IN ('IN_MANUFACTURE', 'MANUFACTURED', 'RELEASED'))
  )
  SELECT count(DISTINCT coi)::int AS n FROM (
    SELECT a.coi FROM ahead a LEFT JOIN capacity_slots cs USING (resource_key, day, session) LEFT JOIN capacity_commitments cc USING (resource_key, day, session)
     WHERE cs.resource_key IS NULL OR cs.capacity < coalesce(cc.committed, 0) + coalesce(cc.tentative, 0)
    UNION ALL
    SELECT coi FROM ahead WHERE postponed_until IS NOT NULL AND day < postponed_until AND resource_key NOT LIKE 'unit:%'
    UNION ALL
    SELECT coi FROM pathways WHERE progress->>'product' = 'FAILED' AND coalesce(progress->>'patient', 'WAITING') IN ('WAITING', 'CONDITIONING') AND plan_status = 'BOOKED'
    UNION ALL
    SELECT p.coi FROM pathways p JOIN dmmf_versions d ON d.product_code = p.product_code AND d.version = p.dmmf_version
     WHERE p.progress->>'manufacturedAt' IS NOT NULL AND coalesce(p.progress->>'patient', 'WAITING') IN ('WAITING', 'CONDITIONING') AND p.progress->>'product' <> 'FAILED'
       AND now() > (p.progress->>'manufacturedAt')::timestamptz + (d.process->>'shelfLifeHours')::float * interval '1 hour'
  ) r`;

async function kpis(): Promise<unknown> {
  const dims = `product_code, referring_trust, progress->>'infusionSite', to_char((progress->>'infusedAt')::timestamptz AT TIME ZONE 'Europe/London', 'YYYY-MM')`;
  const from = londonToday();
  const [timelines, byStatus, [waitlist], utilisation, [atRisk]] = await Promise.all([
    q<Record<string, unknown>>(
      `SELECT product_code, referring_trust, progress->>'infusionSite' AS infusion_site,
              to_char((progress->>'infusedAt')::timestamptz AT TIME ZONE 'Europe/London', 'YYYY-MM') AS month, count(*)::int AS infused,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM (progress->>'infusedAt')::timestamptz - (progress->>'collectedAt')::timestamptz) / 86400)::float AS v2v_median,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM (progress->>'infusedAt')::timestamptz - (progress->>'collectedAt')::timestamptz) / 86400)::float AS v2v_p90,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM (progress->>'infusedAt')::timestamptz - referred_at) / 86400)::float AS r2i_median,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM (progress->>'infusedAt')::timestamptz - referred_at) / 86400)::float AS r2i_p90
         FROM pathways WHERE progress->>'infusedAt' IS NOT NULL GROUP BY ${dims} ORDER BY ${dims}`,
    ),
    q(`SELECT status, count(*)::int AS count FROM pathways GROUP BY status ORDER BY status`),
    q<Record<string, number | null>>(
      `SELECT count(*)::int AS length, percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM now() - waitlisted_at) / 86400)::float AS median_days,
              max(extract(epoch FROM now() - waitlisted_at) / 86400)::float AS longest_days
         FROM pathways WHERE waitlisted_at IS NOT NULL AND status = 'REFERRED'`,
    ),
    q<{ resource: string; capacity: number; committed: number; tentative: number }>(
      `SELECT s.resource, sum(s.capacity)::int AS capacity, coalesce(sum(c.committed), 0)::int AS committed, coalesce(sum(c.tentative), 0)::int AS tentative
         FROM capacity_slots s LEFT JOIN capacity_commitments c USING (resource_key, day, session) WHERE s.day BETWEEN $1 AND $2 GROUP BY s.resource ORDER BY s.resource`,
      [from, plusDays(from, 27)],
    ),
    q<{ n: number }>(AT_RISK_COUNT),
  ]);
  return {
    timelines: timelines.map((t) => ({
      productCode: t.product_code,
      referringTrust: t.referring_trust,
      treatmentSite: t.infusion_site,
      month: t.month,
      infused: t.infused,
      veinToVeinMedianDays: t.v2v_median,
      veinToVeinP90Days: t.v2v_p90,
      referralToInfusionMedianDays: t.r2i_median,
      referralToInfusionP90Days: t.r2i_p90,
    })),
    pathwaysByStatus: byStatus,
    atRisk: atRisk!.n,
    waitlist: { length: waitlist!.length, medianDaysWaiting: waitlist!.median_days, longestDaysWaiting: waitlist!.longest_days },
    utilisation: utilisation.map((u) => ({ ...u, utilisation: u.capacity > 0 ? u.committed / u.capacity : 0 })),
  };
}

async function sites(args: { first?: number; kind?: string }, context: Context): Promise<unknown> {
  const rows = await q<{ code: string; name: string; status: string; trust_code: string | null }>(
    `SELECT code, name, status, trust_code FROM sites WHERE ($1::text IS NULL OR kind = $1) ORDER BY code LIMIT $2`,
    [args.kind ?? null, args.first ?? 50],
  );
  context.siteCodes = rows.map((r) => r.code);
  return {
    edges: rows.map((r) => ({ cursor: Buffer.from(JSON.stringify(['sites', r.code])).toString('base64url'), node: { code: r.code, name: r.name, status: r.status, trustCode: r.trust_code } })),
  };
}

/** Every site of the page in one statement, per range; a scheduler sees their own trusts' sites only. */
function siteUtilisation(site: { code: string }, args: { from: string; to: string }, context: Context): Promise<unknown[]> {
  context.utilisation ??= new Map();
  const key = `${args.from}:${args.to}`;
  let read = context.utilisation.get(key);
  if (!read) {
    read = q<{ site_code: string; unit_id: string | null; resource: string; capacity: number; committed: number; tentative: number }>(
      `SELECT s.site_code, s.unit_id, s.resource, sum(s.capacity)::int AS capacity, coalesce(sum(c.committed), 0)::int AS committed, coalesce(sum(c.tentative), 0)::int AS tentative
         FROM capacity_slots s LEFT JOIN capacity_commitments c USING (resource_key, day, session)
        WHERE s.day BETWEEN $1 AND $2 AND s.site_code = ANY($3)
          AND ($4::text[] IS NULL OR s.site_code IN (SELECT code FROM sites WHERE trust_code = ANY($4)))
        GROUP BY s.site_code, s.unit_id, s.resource ORDER BY s.site_code, s.resource, s.unit_id NULLS FIRST`,
      [args.from, args.to, context.siteCodes ?? [site.code], context.caller.role === 'scheduler' ? context.caller.trusts : null],
    ).then((rows) => {
      const bySite = new Map<string, unknown[]>();
      for (const r of rows) {
        const list = bySite.get(r.site_code) ?? [];
        list.push({ siteCode: r.site_code, unitId: r.unit_id, resource: r.resource, capacity: r.capacity, committed: r.committed, tentative: r.tentative, utilisation: r.capacity > 0 ? r.committed / r.capacity : 0 });
        bySite.set(r.site_code, list);
      }
      return bySite;
    });
    context.utilisation.set(key, read);
  }
  return read.then((bySite) => bySite.get(site.code) ?? []);
}

async function pathway(args: { coi: string }, context: Context): Promise<unknown> {
  if (!['scheduler', 'planner', 'control_site_qa'].includes(context.caller.role)) throw new HttpError('Dashboards see aggregates only.', 'FORBIDDEN');
  const [first] = await q<{ coi: string; status: string; progress: Partial<Progress> | null; treatment_centre: string | null; referring_trust: string; slots: { resourceKey: string; day: string; session: string; siteCode: string; startsAt: string; endsAt: string }[] }>(
    `SELECT p.coi, p.status, p.progress, p.treatment_centre, p.referring_trust, coalesce((
              SELECT json_agg(json_build_object('resourceKey', hs."resourceKey", 'day', hs.day, 'session', hs.session,
                       'siteCode', coalesce(s.site_code, split_part(hs."resourceKey", ':', 2)),
                       'startsAt', coalesce(s.starts_at, hs.day::timestamp AT TIME ZONE 'Europe/London'),
                       'endsAt', coalesce(s.ends_at, (hs.day::date + 1)::timestamp AT TIME ZONE 'Europe/London')))
                FROM jsonb_to_recordset(h.slots) AS hs("resourceKey" text, day text, session text)
                LEFT JOIN capacity_slots s ON s.resource_key = hs."resourceKey" AND s.day = hs.day::date AND s.session = hs.session), '[]') AS slots
       FROM pathways p LEFT JOIN holds h ON h.hold_id = p.hold_id
      WHERE p.coi = $1`,
    [args.coi.toUpperCase()],
  );
  if (!first) return null;
  if (context.caller.role === 'scheduler' && !context.caller.trusts.includes(first.referring_trust)) throw new HttpError('Not your trust’s pathway.', 'FORBIDDEN');
  const progress = { ...NOT_STARTED, ...first.progress };
  const slots: BookedSlot[] = first.slots.map((s) => ({ ...s, startsAt: new Date(s.startsAt), endsAt: new Date(s.endsAt) }));
  return {
    coi: first.coi,
    status: first.status,
    productState: progress.product,
    patientState: progress.patient,
    treatmentCentre: first.treatment_centre,
    timeline: timelineOf(slots, progress).map((s) => ({ ...s, start: s.start.toISOString(), end: s.end.toISOString(), doneAt: s.doneAt && new Date(s.doneAt).toISOString() })),
  };
}

const schema = buildSchema(SDL);
const resolvers = {
  Query: { kpis: () => kpis(), network: () => ({}), pathway: (_: unknown, args: { coi: string }, context: Context) => pathway(args, context) },
  Network: { sites: (_: unknown, args: { first?: number; kind?: string }, context: Context) => sites(args, context) },
  Site: { utilisation: (site: { code: string }, args: { from: string; to: string }, context: Context) => siteUtilisation(site, args, context) },
};
for (const [typeName, fields] of Object.entries(resolvers)) {
  const type = schema.getType(typeName) as unknown as { getFields(): Record<string, { resolve?: unknown }> };
  for (const [name, resolve] of Object.entries(fields)) type.getFields()[name]!.resolve = resolve;
}

/** Compiled once per query text, as Mercurius does with jit. */
const compiled = new Map<string, CompiledQuery | ExecutionResult>();
function compile(query: string): CompiledQuery | ExecutionResult {
  let entry = compiled.get(query);
  if (!entry) {
    const document = parse(query);
    const errors = validate(schema, document);
    entry = errors.length > 0 ? { errors } : compileQuery(schema, document);
    compiled.set(query, entry);
  }
  return entry;
}

/** Verified tokens for up to 60 s (never past exp), as Bedside's TokenVerifier keeps them. */
const verified = new Map<string, { caller: Caller; until: number }>();

async function verify(authorization: string | undefined): Promise<Caller> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token) throw new HttpError('Sign in.', 'UNAUTHENTICATED');
  const now = Date.now();
  const known = verified.get(token);
  if (known && known.until > now) return known.caller;
  try {
    const { payload } = await jwtVerify(token, keys, { issuer: process.env.BENCH_ISSUER!, audience: process.env.BENCH_AUDIENCE!, algorithms: ['ES256'], requiredClaims: ['exp'] });
    const roles = payload.roles as string[] | string | undefined;
    const caller = { role: Array.isArray(roles) ? roles[0]! : roles!, trusts: (payload.trusts as string[] | undefined) ?? [] };
    verified.set(token, { caller, until: Math.min(now + 60_000, payload.exp! * 1000) });
    return caller;
  } catch {
    throw new HttpError('Your token could not be verified.', 'UNAUTHENTICATED');
  }
}

const errorResult = (error: unknown): ExecutionResult => ({
  data: null,
  errors: [new GraphQLError(error instanceof Error ? error.message : 'error', { extensions: { code: error instanceof HttpError ? error.code : 'INTERNAL_SERVER_ERROR' } })],
});

async function main(): Promise<void> {
  const app = Fastify({ bodyLimit: 1_048_576 });
  app.post('/graphql', async (request) => {
    const body = request.body as { query: string; variables?: Record<string, unknown> };
    let caller: Caller;
    try {
      caller = await verify(request.headers.authorization);
    } catch (error) {
      return errorResult(error);
    }
    const query = compile(body.query);
    if (!isCompiledQuery(query)) return query;
    const result = await query.query({}, { caller } satisfies Context, body.variables ?? {});
    return result.errors ? { ...result, errors: result.errors.map((e) => ({ message: e.message, path: e.path, extensions: { code: (e.originalError as HttpError | undefined)?.code ?? 'INTERNAL_SERVER_ERROR' } })) } : result;
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
  process.on('SIGTERM', () => {
    void app.close().then(() => pool.end()).finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
