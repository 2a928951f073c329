import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CommandBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { EVENT_STORE, type CommandContext, type EventStore } from '@bedside/event-store';
import { BedsideError, CLINICAL, ROLES, SCENARIO_PLANNERS, type Role } from '@bedside/shared';
import { AddCalendarExceptionCommand, DeclareBankHolidaysCommand, SetDistrictTravelTimesCommand, SetResourceCalendarCommand, SetTravelTimeCommand, WithdrawCalendarExceptionCommand } from '../../libs/network/src/application/calendar-commands';
import { PublishDmmfVersionCommand } from '../../libs/network/src/application/dmmf-commands';
import { ChangeSiteStatusCommand, RegisterSiteCommand, SetSiteRegionCommand } from '../../libs/network/src/application/site-commands';
import { RegisterUnitCommand, SetUnitQualificationCommand } from '../../libs/network/src/application/unit-commands';
import { DeployUnitCommand, RecallUnitCommand } from '../../libs/network/src/application/deployment-commands';
import { ConfirmHoldCommand, HoldPlanCommand, ReleaseHoldCommand } from '../../libs/pathways/src/application/hold-commands';
import { RecordStepCommand } from '../../libs/pathways/src/application/lifecycle-commands';
import { ArrangeMonitoringStayCommand, PostponePatientCommand } from '../../libs/pathways/src/application/postponement';
import { CorrectStepCommand, MarkEnteredInErrorCommand } from '../../libs/pathways/src/application/correction-commands';
import { ReportAdverseEventCommand } from '../../libs/pathways/src/application/adverse-events';
import { ReferPatientCommand } from '../../libs/pathways/src/application/referral-commands';
import { AcceptRepairCommand } from '../../libs/pathways/src/application/repair';
import { JoinWaitlistCommand } from '../../libs/pathways/src/application/waitlist';
import { issueCoi } from '../../libs/pathways/src/domain';
import { CreateScenarioCommand, UpdateScenarioCommand } from '../../libs/planning/src/application/scenario-commands';
import { RunScenarioCommand } from '../../libs/planning/src/application/scenario-runs';
import { CommitScenarioPlanCommand } from '../../libs/planning/src/application/commit-scenario-plan';
import type { ScenarioAssumptions } from '../../libs/planning/src/domain/scenario';
import { startDemoApi, type TestApi } from '../support/test-api';

/**
 * Who before what (issue 11 §7), at the command handlers themselves: the resolver guard (@Allow)
 * refuses first over GraphQL, so test/api/access-matrix.e2e.spec.ts never reaches a handler's own
 * requireRole. Here every command goes straight onto the CommandBus (as seeding and any later
 * integration would send it) with input that would otherwise fail validation or name nothing, so
 * only a role check that comes first answers FORBIDDEN, and nothing is recorded.
 */

const QA_ONLY: readonly Role[] = ['control_site_qa'];
const CALENDAR_KEEPERS: readonly Role[] = ['planner', 'control_site_qa'];

/** A command class (its name must be the one its handler's @CommandHandler names). */
type CommandClass = abstract new (...args: never[]) => object;

interface Row {
  readonly command: CommandClass;
  /** The roles the handler lets through; every other role (and none) must be refused. */
  readonly allowed: readonly Role[];
  /** The command with input that is invalid or names nothing, sent with this context. */
  readonly make: (context: CommandContext) => object;
}

/** A Chain of Identity of a facility that is not in the network: commands carry checked ones (parsed by the resolvers). */
const NO_SUCH_COI = issueCoi('Z9999', 26, 1);

/** A scenario no planner could mean: no name, no days, negative doses. */
const NONSENSE_SCENARIO = { name: '', asOf: 'someday', days: 0, vaccineDemand: [{ region: 'ATLANTIS', day: -1, doses: -1 }] } as unknown as ScenarioAssumptions;

/** Garbage in every field: past a role check, each of these fails validation or names something that does not exist. */
const rows: Row[] = [
  // Network (libs/network/src/application): Control Site QA, or calendar keepers.
  {
    command: RegisterSiteCommand,
    allowed: QA_ONLY,
    make: (c) => new RegisterSiteCommand({ code: '', name: '', kind: 'NOT_A_KIND', timeZone: 'Mars/Olympus', location: { latitude: 999, longitude: 999 }, region: 'Mercia' }, c),
  },
  { command: ChangeSiteStatusCommand, allowed: QA_ONLY, make: (c) => new ChangeSiteStatusCommand('!!', 'explode' as never, '', c) },
  {
    command: RegisterUnitCommand,
    allowed: QA_ONLY,
    make: (c) => new RegisterUnitCommand({ unitId: '', name: '', kind: 'NOT_A_KIND', mobility: '?', batchCapacity: -1, homeSiteCode: 'NO SUCH SITE' }, c),
  },
  { command: SetSiteRegionCommand, allowed: QA_ONLY, make: (c) => new SetSiteRegionCommand('NO SUCH SITE', 'Mercia', '', c) },
  { command: SetUnitQualificationCommand, allowed: QA_ONLY, make: (c) => new SetUnitQualificationCommand('MU-DOES-NOT-EXIST', 'NOT_A_STATE', '', c) },
  { command: DeployUnitCommand, allowed: QA_ONLY, make: (c) => new DeployUnitCommand('MU-DOES-NOT-EXIST', { toSiteCode: 'NO SUCH SITE', leavesOn: 'not a day', requalificationDays: -1, reason: '' }, c) },
  { command: RecallUnitCommand, allowed: QA_ONLY, make: (c) => new RecallUnitCommand('MU-DOES-NOT-EXIST', '', false, c) },
  {
    command: PublishDmmfVersionCommand,
    allowed: QA_ONLY,
    make: (c) => new PublishDmmfVersionCommand({ process: { productCode: '' } as never, designation: { siteCodes: ['NOWHERE'], unitIds: ['MU-NOWHERE'] } as never, reason: '' }, c),
  },
  {
    command: SetResourceCalendarCommand,
    allowed: CALENDAR_KEEPERS,
    make: (c) =>
      new SetResourceCalendarCommand({ siteCode: 'NOSUCH99', resource: '', count: -3, openingDays: ['FUNDAY'], sessions: [], openOnBankHolidays: false, effectiveFrom: 'yesterday' }, c),
  },
  {
    command: AddCalendarExceptionCommand,
    allowed: CALENDAR_KEEPERS,
    make: (c) => new AddCalendarExceptionCommand({ unitId: 'MU-DOES-NOT-EXIST', resource: null, kind: 'NOT_A_KIND', from: 'tomorrow', to: 'never', unavailable: -1, reason: '' }, c),
  },
  { command: WithdrawCalendarExceptionCommand, allowed: CALENDAR_KEEPERS, make: (c) => new WithdrawCalendarExceptionCommand({ siteCode: 'NOSUCH99' }, 'no-such-exception', '', c) },
  {
    command: SetTravelTimeCommand,
    allowed: CALENDAR_KEEPERS,
    make: (c) => new SetTravelTimeCommand({ fromSiteCode: '', toSiteCode: 'NOSUCH99', hours: -5, freshCourier: false }, c),
  },
  {
    command: SetDistrictTravelTimesCommand,
    allowed: CALENDAR_KEEPERS,
    make: (c) => new SetDistrictTravelTimesCommand({ siteCode: 'NOSUCH99', times: [{ district: 'M20 4BX', minutes: -1 }] }, c),
  },
  { command: DeclareBankHolidaysCommand, allowed: CALENDAR_KEEPERS, make: (c) => new DeclareBankHolidaysCommand('Atlantis', ['not-a-date'], c) },
  // Pathways (libs/pathways/src/application): clinical roles only.
  {
    command: ReferPatientCommand,
    allowed: CLINICAL,
    make: (c) => new ReferPatientCommand({ patientRef: '', referringTrust: '!!', coi: 'not a coi', productCode: 'NO-SUCH-PRODUCT', washout: {} as never, clinicalDeadline: 'soon' } as never, c),
  },
  {
    command: HoldPlanCommand,
    allowed: CLINICAL,
    make: (c) => new HoldPlanCommand({ coi: NO_SUCH_COI, slots: [], idempotencyKey: '' }, c),
  },
  { command: ConfirmHoldCommand, allowed: CLINICAL, make: (c) => new ConfirmHoldCommand('no-such-hold', '', c) },
  { command: ReleaseHoldCommand, allowed: CLINICAL, make: (c) => new ReleaseHoldCommand('no-such-hold', '', c) },
  { command: JoinWaitlistCommand, allowed: CLINICAL, make: (c) => new JoinWaitlistCommand(NO_SUCH_COI, '', c) },
  { command: RecordStepCommand, allowed: CLINICAL, make: (c) => new RecordStepCommand(NO_SUCH_COI, { step: 'MANUFACTURE_STARTED', siteCode: 'ZZZ99', unitId: 'MU-NOWHERE' }, c, { occurredAt: new Date(Number.NaN), lateReason: '' }) },
  { command: AcceptRepairCommand, allowed: CLINICAL, make: (c) => new AcceptRepairCommand(NO_SUCH_COI, 'no-such-proposal', c) },
  { command: CorrectStepCommand, allowed: CLINICAL, make: (c) => new CorrectStepCommand(NO_SUCH_COI, { eventId: 'no-such-event', reason: '' }, c) },
  { command: ReportAdverseEventCommand, allowed: CLINICAL, make: (c) => new ReportAdverseEventCommand(NO_SUCH_COI, { occurredAt: new Date(Number.NaN), seriousness: 'SERIOUS', description: '' }, c) },
  { command: MarkEnteredInErrorCommand, allowed: CLINICAL, make: (c) => new MarkEnteredInErrorCommand(NO_SUCH_COI, 'no-such-event', '', c) },
  { command: ArrangeMonitoringStayCommand, allowed: CLINICAL, make: (c) => new ArrangeMonitoringStayCommand(NO_SUCH_COI, 'not a district', '', c) },
  { command: PostponePatientCommand, allowed: CLINICAL, make: (c) => new PostponePatientCommand(NO_SUCH_COI, 'someday', '', c) },
  { command: CreateScenarioCommand, allowed: SCENARIO_PLANNERS, make: (c) => new CreateScenarioCommand(NONSENSE_SCENARIO, c) },
  { command: UpdateScenarioCommand, allowed: SCENARIO_PLANNERS, make: (c) => new UpdateScenarioCommand('no-such-scenario', NONSENSE_SCENARIO, 7, '', c) },
  { command: CommitScenarioPlanCommand, allowed: QA_ONLY, make: (c) => new CommitScenarioPlanCommand('no-such-run', '', c) },
  { command: RunScenarioCommand, allowed: SCENARIO_PLANNERS, make: (c) => new RunScenarioCommand('no-such-scenario', { timeLimitSeconds: 0 }, c) },
];

/** A caller in a role, for every trust they could name, so only the role can be what refuses them. */
const contextAs = (role: Role | undefined): CommandContext => ({
  actor: `${role ?? 'nobody'}@command-roles`,
  role,
  trusts: ['RBV'],
  onBehalfOf: 'RBV',
  correlationId: `command-roles-${role ?? 'none'}`,
});

/** Every (command, refused role) pair: each role the handler does not allow, and a context with no role at all. */
const refusals = rows.flatMap((row) => [...ROLES.filter((role) => !row.allowed.includes(role)), undefined].map((role) => ({ row, role, name: row.command.name })));

/** Command classes whose @CommandHandler calls requireRole, read from the handlers' own source. */
function commandsWithRoleChecks(): string[] {
  const root = resolve(__dirname, '../..');
  const names: string[] = [];
  for (const dir of ['libs', 'apps']) {
    const files = readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
    for (const file of files) {
      const source = readFileSync(join(root, dir, file), 'utf8');
      // Each handler runs from its decorator to the next one (or the end of the file).
      const chunks = source.split('@CommandHandler(').slice(1);
      for (const chunk of chunks) {
        const name = /^\s*([A-Za-z0-9_]+)\s*\)/.exec(chunk)?.[1];
        if (!name) throw new Error(`Could not read the command class of a @CommandHandler in ${dir}/${file}`);
        if (chunk.includes('requireRole(')) names.push(name);
      }
    }
  }
  return names.sort();
}

describe('command handlers check the role before anything else (issue 11 §7)', () => {
  let api: TestApi;
  let bus: CommandBus;
  let store: EventStore;
  const events = async () => Number((await api.app.get(DataSource).query('SELECT count(*) AS n FROM events'))[0].n);

  beforeAll(async () => {
    api = await startDemoApi();
    bus = api.app.get(CommandBus);
    store = api.app.get<EventStore>(EVENT_STORE);
  });
  afterAll(() => api.close());

  /** Runs a command and returns what it was refused with (failing if it was not refused). */
  async function refusal(command: object): Promise<BedsideError> {
    const outcome = await bus.execute(command as never).then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    );
    if (!('error' in outcome)) throw new Error(`${command.constructor.name} was not refused: it answered ${JSON.stringify(outcome.result)}`);
    if (!(outcome.error instanceof BedsideError)) throw outcome.error;
    return outcome.error;
  }

  it('covers every command whose handler checks a role, so a new command without a row fails here', () => {
    const found = commandsWithRoleChecks();
    expect(found.length).toBeGreaterThanOrEqual(18);
    expect(rows.map((r) => r.command.name).sort()).toEqual(found);
  });

  it.each(refusals.map((r) => [r.name, r.role ?? '(no role)', r] as const))('%s refuses %s with FORBIDDEN before judging its input, recording nothing', async (_name, _role, { row, role }) => {
    const before = await store.lastRecordedPosition();
    const count = await events();

    const error = await refusal(row.make(contextAs(role)));

    expect({ code: error.code, message: error.message }).toEqual({ code: 'FORBIDDEN', message: expect.stringMatching(/^Only .+ may /) });
    expect(error.details).toEqual({ requiredRoles: row.allowed, role: role ?? null });
    expect(await store.lastRecordedPosition()).toEqual(before);
    expect(await events()).toBe(count);
  });

  /** The same input from an allowed role fails on the input itself: so every refusal above is the role's, not the input's. */
  it.each(rows.flatMap((row) => row.allowed.map((role) => [row.command.name, role, row] as const)))('%s as %s gets past the role check and is refused for its input', async (_name, role, row) => {
    const before = await store.lastRecordedPosition();

    const error = await refusal(row.make(contextAs(role)));

    expect(['BAD_USER_INPUT', 'NOT_FOUND']).toContain(error.code);
    expect(await store.lastRecordedPosition()).toEqual(before);
  });

  /** The allowed roles get past the role check, to the input: so the refusals above are the role's, not the input's. */
  const make = (command: CommandClass) => rows.find((r) => r.command === command)!.make;
  it.each([
    ['RegisterSiteCommand', 'control_site_qa', 'BAD_USER_INPUT', make(RegisterSiteCommand)],
    ['SetTravelTimeCommand', 'planner', 'BAD_USER_INPUT', make(SetTravelTimeCommand)],
    ['HoldPlanCommand', 'scheduler', 'BAD_USER_INPUT', make(HoldPlanCommand)],
    // Commands carry checked Chains of Identity (resolvers parse them): what answers is the pathway that does not exist.
    ['JoinWaitlistCommand', 'scheduler', 'NOT_FOUND', make(JoinWaitlistCommand)],
    // A well-formed key, so what answers is the hold that does not exist.
    ['ConfirmHoldCommand', 'control_site_qa', 'NOT_FOUND', (c: CommandContext) => new ConfirmHoldCommand('no-such-hold', 'command-roles', c)],
  ] as const)('%s as %s gets past the role check to %s', async (_name, role, code, command) => {
    const before = await store.lastRecordedPosition();
    const count = await events();

    const error = await refusal(command(contextAs(role)));

    expect(error.code).toBe(code);
    expect(await store.lastRecordedPosition()).toEqual(before);
    expect(await events()).toBe(count);
  });
});
