import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository, type CommandContext, type GlobalPosition } from '@bedside/event-store';
import { CLOCK, requireRole, SIGNATURE_POLICY, signatureOf, type Clock, type SignaturePolicy } from '@bedside/shared';
import { dmmfEvolver, dmmfStreamId, normaliseDesignation, normaliseProductCode, publishDmmfVersion, type DesignationTarget, type PublishDmmfVersion } from '../domain';
import { NetworkLookup } from './network-lookup';

export class PublishDmmfVersionCommand {
  constructor(
    readonly input: PublishDmmfVersion,
    readonly context: CommandContext,
  ) {}
}

/** Publishes a new DMMF version (process definition + designation). Control Site QA only. */
@CommandHandler(PublishDmmfVersionCommand)
export class PublishDmmfVersionHandler implements ICommandHandler<PublishDmmfVersionCommand, { productCode: string; version: number; position?: GlobalPosition }> {
  constructor(
    private readonly repository: AggregateRepository,
    private readonly lookup: NetworkLookup,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SIGNATURE_POLICY) private readonly signatures: SignaturePolicy,
  ) {}

  async execute({ input, context }: PublishDmmfVersionCommand) {
    requireRole(context.role, ['control_site_qa'], 'publish a DMMF version or change a designation');
    const productCode = normaliseProductCode('productCode', input.process.productCode);
    // The version is signed by the QA lead who publishes it, recently signed in (issue 14 §2).
    const signature = signatureOf(context, 'APPROVED', `a DMMF version of ${productCode}`, this.clock.now(), this.signatures);
    const designation = normaliseDesignation(input.designation);
    const targets: DesignationTarget[] = [
      ...(await Promise.all(designation.siteCodes.map(async (id) => ({ id, kind: 'site' as const, status: (await this.lookup.site(id))?.status })))),
      ...(await Promise.all(
        designation.unitIds.map(async (id) => {
          const unit = await this.lookup.unit(id);
          return { id, kind: 'unit' as const, status: unit?.qualification, unitKind: unit?.kind };
        }),
      )),
    ];
    const result = await this.repository.execute(dmmfStreamId(productCode), dmmfEvolver, (state) => publishDmmfVersion(state, input, targets, signature), {
      ...context,
      reason: input.reason,
    });
    return { productCode, version: result.events[0]!.data.version, position: result.position };
  }
}
