import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository, type CommandContext, type GlobalPosition } from '@bedside/event-store';
import { CLOCK, requireRole, type Clock } from '@bedside/shared';
import { normaliseOdsCode, normaliseUnitId, registerUnit, setUnitQualification, unitEvolver, unitStreamId, type RegisterUnit } from '../domain';
import { NetworkLookup } from './network-lookup';

export interface UnitChanged {
  readonly unitId: string;
  readonly position?: GlobalPosition;
}

export class RegisterUnitCommand {
  constructor(
    readonly input: RegisterUnit,
    readonly context: CommandContext,
  ) {}
}

export class SetUnitQualificationCommand {
  constructor(
    readonly unitId: string,
    readonly state: string,
    readonly reason: string,
    readonly context: CommandContext,
  ) {}
}

@CommandHandler(RegisterUnitCommand)
export class RegisterUnitHandler implements ICommandHandler<RegisterUnitCommand, UnitChanged> {
  constructor(
    private readonly repository: AggregateRepository,
    private readonly lookup: NetworkLookup,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ input, context }: RegisterUnitCommand): Promise<UnitChanged> {
    requireRole(context.role, ['control_site_qa'], 'register a modular unit');
    const unitId = normaliseUnitId('unitId', input.unitId);
    const home = await this.lookup.site(normaliseOdsCode('homeSiteCode', input.homeSiteCode));
    const { position } = await this.repository.execute(unitStreamId(unitId), unitEvolver, (state) => registerUnit(state, input, home?.status, this.clock.now()), context);
    return { unitId, position };
  }
}

@CommandHandler(SetUnitQualificationCommand)
export class SetUnitQualificationHandler implements ICommandHandler<SetUnitQualificationCommand, UnitChanged> {
  constructor(private readonly repository: AggregateRepository) {}

  async execute({ unitId: raw, state: to, reason, context }: SetUnitQualificationCommand): Promise<UnitChanged> {
    requireRole(context.role, ['control_site_qa'], "change a unit's qualification");
    const unitId = normaliseUnitId('id', raw);
    const { position } = await this.repository.execute(unitStreamId(unitId), unitEvolver, (state) => setUnitQualification(state, unitId, to, reason), {
      ...context,
      reason,
    });
    return { unitId, position };
  }
}
