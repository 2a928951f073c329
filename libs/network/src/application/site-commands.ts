import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository, ConcurrencyError, EVENT_STORE, type CommandContext, type EventStore, type GlobalPosition } from '@bedside/event-store';
import { CLOCK, ConflictError, requireRole, SIGNATURE_POLICY, signatureOf, type Clock, type SignaturePolicy } from '@bedside/shared';
import {
  changeSiteStatus,
  CONTROL_SITE_STREAM,
  ControlSiteDesignated,
  normaliseOdsCode,
  registerSite,
  setSiteRegion,
  SITE_TRANSITIONS,
  siteEvolver,
  siteStreamId,
  validateRegistration,
  type RegisterSite,
  type SiteAction,
} from '../domain';

export interface SiteChanged {
  readonly code: string;
  readonly position?: GlobalPosition;
}

export class RegisterSiteCommand {
  constructor(
    readonly input: RegisterSite,
    readonly context: CommandContext,
  ) {}
}

export class ChangeSiteStatusCommand {
  constructor(
    readonly code: string,
    readonly action: SiteAction,
    readonly reason: string | null | undefined,
    readonly context: CommandContext,
  ) {}
}

export class SetSiteRegionCommand {
  constructor(
    readonly code: string,
    readonly region: string,
    readonly reason: string,
    readonly context: CommandContext,
  ) {}
}

/** Registers a site; the one Control Site is also reserved on the network's stream, atomically. */
@CommandHandler(RegisterSiteCommand)
export class RegisterSiteHandler implements ICommandHandler<RegisterSiteCommand, SiteChanged> {
  constructor(
    private readonly repository: AggregateRepository,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ input, context }: RegisterSiteCommand): Promise<SiteChanged> {
    requireRole(context.role, ['control_site_qa'], 'register a site');
    const { code, kind } = validateRegistration(input);
    try {
      const { position } = await this.repository.execute(siteStreamId(code), siteEvolver, (state) => registerSite(state, input), context, {
        alsoAppend: () =>
          kind === 'CONTROL_SITE'
            ? [{ streamId: CONTROL_SITE_STREAM, expectedVersion: 'no_stream', events: [new ControlSiteDesignated({ code })] }]
            : [],
      });
      return { code, position };
    } catch (error) {
      if (error instanceof ConcurrencyError && error.streamId === CONTROL_SITE_STREAM) {
        const [designation] = await this.store.readStream(CONTROL_SITE_STREAM, { maxCount: 1 });
        const existing = (designation?.data as { code?: string } | undefined)?.code ?? 'unknown';
        throw new ConflictError(
          `The network already has a Control Site (${existing}); only one site holds the manufacturing licence. ` +
            `Register ${code} as another kind of site.`,
          { siteCode: code, controlSite: existing },
        );
      }
      throw error;
    }
  }
}

@CommandHandler(ChangeSiteStatusCommand)
export class ChangeSiteStatusHandler implements ICommandHandler<ChangeSiteStatusCommand, SiteChanged> {
  constructor(
    private readonly repository: AggregateRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SIGNATURE_POLICY) private readonly signatures: SignaturePolicy,
  ) {}

  async execute({ code: rawCode, action, reason, context }: ChangeSiteStatusCommand): Promise<SiteChanged> {
    // domain.md: Control Site QA onboards, pauses, suspends and closes sites.
    requireRole(context.role, ['control_site_qa'], `${action} a site`);
    const code = normaliseOdsCode('code', rawCode);
    // A suspension is signed by the person who suspends, recently signed in (issue 14 §2).
    const meaning = SITE_TRANSITIONS[action].signed;
    const signature = meaning && signatureOf(context, meaning, `the ${action === 'suspend' ? 'suspension' : action} of site ${code}`, this.clock.now(), this.signatures);
    const { position } = await this.repository.execute(siteStreamId(code), siteEvolver, (state) => changeSiteStatus(state, code, action, reason, signature), context);
    return { code, position };
  }
}

@CommandHandler(SetSiteRegionCommand)
export class SetSiteRegionHandler implements ICommandHandler<SetSiteRegionCommand, SiteChanged> {
  constructor(private readonly repository: AggregateRepository) {}

  async execute({ code: rawCode, region, reason, context }: SetSiteRegionCommand): Promise<SiteChanged> {
    requireRole(context.role, ['control_site_qa'], "set a site's region");
    const code = normaliseOdsCode('code', rawCode);
    const { position } = await this.repository.execute(siteStreamId(code), siteEvolver, (state) => setSiteRegion(state, code, region, reason), { ...context, reason });
    return { code, position };
  }
}
