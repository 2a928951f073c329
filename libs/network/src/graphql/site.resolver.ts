import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CommandBus } from '@nestjs/cqrs';
import { Acting, Allow } from '@bedside/graphql-common';
import type { CommandContext } from '@bedside/event-store';
import { NETWORK_TIME_ZONE, CONTROL_SITE, EVERYONE, NotFoundError } from '@bedside/shared';
import { ReadYourWrites } from '@bedside/read-model';
import { ChangeSiteStatusCommand, RegisterSiteCommand, SetSiteRegionCommand, type SiteChanged } from '../application/site-commands';
import { RegionEnum } from './enums';
import { SiteDirectory } from '../application/site-directory';
import type { SiteAction } from '../domain';
import { toSite } from './site.mapper';
import { RegisterSiteInput, Site } from './site.types';

const withReason = (context: CommandContext, reason?: string | null): CommandContext =>
  reason?.trim() ? { ...context, reason: reason.trim() } : context;

/** Site registration and lifecycle: mutations become commands; reads come from the site directory. */
@Resolver(() => Site)
export class SiteResolver {
  constructor(
    private readonly commands: CommandBus,
    private readonly directory: SiteDirectory,
    private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Allow(EVERYONE)
  @Query(() => Site, { nullable: true, description: 'One site by code; with `asOf`, as it was recorded at that instant.' })
  async site(
    @Args('code', { type: () => ID, description: 'ODS-style site code.' }) code: string,
    @Args('asOf', { nullable: true, description: 'Show the site as recorded at this instant (UTC), rebuilt from its events; not in the future. Empty when it was not yet registered then.' }) asOf?: Date,
  ): Promise<Site | null> {
    const record = await this.directory.get(code, asOf);
    return record && toSite(record);
  }

  @Allow(CONTROL_SITE)
  @Mutation(() => Site, { description: 'Registers a site in the network. It starts PROPOSED.' })
  async registerSite(@Args('input', { description: 'The site to register.' }) input: RegisterSiteInput, @Acting() acting: CommandContext): Promise<Site> {
    return this.current(await this.commands.execute(new RegisterSiteCommand({ ...input, timeZone: input.timeZone ?? NETWORK_TIME_ZONE }, acting)));
  }

  @Allow(CONTROL_SITE)
  @Mutation(() => Site, { description: 'Gives a site its region (one registered before regions were recorded), or corrects it, with the reason (Control Site QA).' })
  async setSiteRegion(
    @Args('code', { type: () => ID, description: 'ODS-style site code.' }) code: string,
    @Args('region', { type: () => RegionEnum, description: 'Its NHS England region or devolved nation.' }) region: string,
    @Args('reason', { description: 'Why (recorded with the change; required).' }) reason: string,
    @Acting() acting: CommandContext,
  ): Promise<Site> {
    return this.current(await this.commands.execute(new SetSiteRegionCommand(code, region, reason, acting)));
  }

  @Allow(CONTROL_SITE)
  @Mutation(() => Site, { description: 'Starts onboarding a PROPOSED site (qualification by the Control Site).' })
  onboardSite(@Args('code', { type: () => ID, description: 'ODS-style site code.' }) code: string, @Args('reason', { nullable: true, description: 'Why (recorded with the change).' }) reason: string, @Acting() acting: CommandContext) {
    return this.change(code, 'onboard', reason, acting);
  }

  @Allow(CONTROL_SITE)
  @Mutation(() => Site, {
    description: 'Makes a site ACTIVE: from ONBOARDING, or back from PAUSED, or from SUSPENDED (a reason is then required).',
  })
  activateSite(@Args('code', { type: () => ID, description: 'ODS-style site code.' }) code: string, @Args('reason', { nullable: true, description: 'Why (recorded with the change).' }) reason: string, @Acting() acting: CommandContext) {
    return this.change(code, 'activate', reason, acting);
  }

  @Allow(CONTROL_SITE)
  @Mutation(() => Site, { description: 'Pauses an ACTIVE site for an operational reason (maintenance, staffing).' })
  pauseSite(@Args('code', { type: () => ID, description: 'ODS-style site code.' }) code: string, @Args('reason', { description: 'Why (recorded with the change; required).' }) reason: string, @Acting() acting: CommandContext) {
    return this.change(code, 'pause', reason, acting);
  }

  @Allow(CONTROL_SITE)
  @Mutation(() => Site, { description: 'Suspends an ACTIVE or PAUSED site for a quality or regulatory reason.' })
  suspendSite(@Args('code', { type: () => ID, description: 'ODS-style site code.' }) code: string, @Args('reason', { description: 'Why (recorded with the change; required).' }) reason: string, @Acting() acting: CommandContext) {
    return this.change(code, 'suspend', reason, acting);
  }

  @Allow(CONTROL_SITE)
  @Mutation(() => Site, { description: 'Closes a site for good. A ceased site cannot be reactivated.' })
  ceaseSite(@Args('code', { type: () => ID, description: 'ODS-style site code.' }) code: string, @Args('reason', { description: 'Why (recorded with the change; required).' }) reason: string, @Acting() acting: CommandContext) {
    return this.change(code, 'cease', reason, acting);
  }

  private async change(code: string, action: SiteAction, reason: string | null | undefined, acting: CommandContext): Promise<Site> {
    return this.current(await this.commands.execute(new ChangeSiteStatusCommand(code, action, reason, withReason(acting, reason))));
  }

  /** Read-your-writes: once every read model shows the change, the site as the directory now shows it. */
  private async current({ code, position }: SiteChanged): Promise<Site> {
    await this.readYourWrites.after(position);
    const record = await this.directory.get(code);
    if (!record) throw new NotFoundError('site', code);
    return toSite(record);
  }
}
