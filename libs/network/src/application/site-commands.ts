import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository, ConcurrencyError, EVENT_STORE, type CommandContext, type EventStore } from '@bedside/event-store';
import { ConflictError } from '@bedside/shared';
import {
  changeSiteStatus,
  CONTROL_SITE_STREAM,
  ControlSiteDesignated,
  normaliseOdsCode,
  registerSite,
  siteEvolver,
  siteStreamId,
  validateRegistration,
  type RegisterSite,
  type SiteAction,
} from '../domain';

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

/** Registers a site; the one Control Site is also reserved on the network's stream, atomically. */
@CommandHandler(RegisterSiteCommand)
export class RegisterSiteHandler implements ICommandHandler<RegisterSiteCommand, string> {
  constructor(
    private readonly repository: AggregateRepository,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ input, context }: RegisterSiteCommand): Promise<string> {
    const { code, kind } = validateRegistration(input);
    try {
      await this.repository.execute(siteStreamId(code), siteEvolver, (state) => registerSite(state, input), context, {
        alsoAppend: () =>
          kind === 'CONTROL_SITE'
            ? [{ streamId: CONTROL_SITE_STREAM, expectedVersion: 'no_stream', events: [new ControlSiteDesignated({ code })] }]
            : [],
      });
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
    return code;
  }
}

@CommandHandler(ChangeSiteStatusCommand)
export class ChangeSiteStatusHandler implements ICommandHandler<ChangeSiteStatusCommand, string> {
  constructor(private readonly repository: AggregateRepository) {}

  async execute({ code: rawCode, action, reason, context }: ChangeSiteStatusCommand): Promise<string> {
    const code = normaliseOdsCode('code', rawCode);
    await this.repository.execute(siteStreamId(code), siteEvolver, (state) => changeSiteStatus(state, code, action, reason), context);
    return code;
  }
}
