import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { AggregateRepository, EVENT_STORE, retryOnConflict, type CommandContext, type EventStore, type GlobalPosition } from '@bedside/event-store';
import { NETWORK_TIME_ZONE, CLINICAL, CLOCK, ConflictError, type Clock, localDateOf, NotFoundError, parseLocalDate, requireRole, ValidationError } from '@bedside/shared';
import {
  coiRegisterStreamId,
  CoiIssued,
  earliestCollectionDate,
  issueCoi,
  normaliseCoi,
  pathwayEvolver,
  pathwayStreamId,
  referPatient,
  validateWashout,
  type ReferPatient,
  type WashoutInput,
} from '../domain';
import { actingForTrust } from './pathway-access';
import { PATHWAYS_OPTIONS, type PathwaysOptions } from './pathways-options';

export interface ReferralInput extends Omit<ReferPatient, 'referringTrust'> {
  /** Defaults to the trust the caller's token names. */
  readonly referringTrust?: string | null;
  readonly coi?: string | null;
  readonly productCode: string;
  readonly washout: WashoutInput;
  readonly clinicalDeadline?: string | null;
}

export class ReferPatientCommand {
  constructor(
    readonly input: ReferralInput,
    readonly context: CommandContext,
  ) {}
}

export interface PathwayChanged {
  readonly coi: string;
  readonly position?: GlobalPosition;
}

/** Starts a pathway: pins the product's current DMMF version and works out the earliest collection day. */
@CommandHandler(ReferPatientCommand)
export class ReferPatientHandler implements ICommandHandler<ReferPatientCommand, PathwayChanged> {
  constructor(
    private readonly repository: AggregateRepository,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PATHWAYS_OPTIONS) private readonly options: PathwaysOptions,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly dataSource: DataSource,
  ) {}

  async execute({ input, context }: ReferPatientCommand): Promise<PathwayChanged> {
    requireRole(context.role, CLINICAL, 'refer a patient');
    // A scheduler refers for one of their own trusts (the one their token names, unless they name another of theirs).
    const referringTrust = (input.referringTrust || context.onBehalfOf || '').trim().toUpperCase();
    if (!/^[A-Z0-9]{3,10}$/.test(referringTrust)) throw new ValidationError('referringTrust', 'Give the referring trust’s ODS code, e.g. "RBV".');
    const acting = actingForTrust(context, referringTrust, 'refer patients');
    // Who before what (issue 11 §7): only once the caller may act for the trust is it checked against the network.
    await this.requireKnownTrust(referringTrust);
    const productCode = input.productCode.trim().toUpperCase();
    const [dmmf] = await this.store.readStream(`dmmf-${productCode}`, { direction: 'backwards', maxCount: 1 });
    if (!dmmf) throw new NotFoundError('product', productCode, 'Only products with a published DMMF can be referred for.');
    const now = this.clock.now();
    const today = localDateOf(now, NETWORK_TIME_ZONE);
    const washout = validateWashout(input.washout, today);
    const clinicalDeadline = input.clinicalDeadline ? parseLocalDate('clinicalDeadline', input.clinicalDeadline) : null;
    const coi = input.coi ? normaliseCoi(input.coi) : await this.issueCoi(now);
    const { position } = await this.repository.execute(
      pathwayStreamId(coi),
      pathwayEvolver,
      (state) =>
        referPatient(state, coi, { ...input, referringTrust }, {
          productCode,
          dmmfVersion: (dmmf.data as { version: number }).version,
          washout,
          earliestCollectionDate: earliestCollectionDate(washout, today),
          clinicalDeadline,
          referredAt: now.toISOString(),
        }),
      acting,
    );
    return { coi, position };
  }

  /**
   * A referring trust is an organisation the network knows: the NHS trust (ODS code) of one of its
   * registered sites that has not ceased (issue 11 §5). A mistyped code would otherwise start a pathway
   * no scheduler of the real trust can see.
   */
  private async requireKnownTrust(trustCode: string): Promise<void> {
    const [known] = await this.dataSource.query(`SELECT 1 FROM sites WHERE trust_code = $1 AND status <> 'CEASED' LIMIT 1`, [trustCode]);
    if (!known) {
      throw new ValidationError(
        'referringTrust',
        `${trustCode} is not the ODS code of a trust with a site in the network. Check the code (e.g. "RBV" for The Christie); a trust that is new to the network needs a site registered first.`,
      );
    }
  }

  /** The next identifier in this facility's register for the year; racing referrals retry. */
  private async issueCoi(now: Date): Promise<string> {
    const year = now.getUTCFullYear();
    const stream = coiRegisterStreamId(this.options.coiFacilityId, year);
    return retryOnConflict(
      async () => {
        const [last] = await this.store.readStream(stream, { direction: 'backwards', maxCount: 1 });
        const sequence = (last?.streamPosition ?? 0) + 1;
        const coi = issueCoi(this.options.coiFacilityId, year, sequence);
        await this.repository.appendDecisions([{ streamId: stream, expectedVersion: sequence - 1, events: [new CoiIssued({ coi, sequence })] }], {
          actor: 'bedside',
          correlationId: `coi-${coi}`,
        });
        return coi;
      },
      {
        giveUp: () =>
          new ConflictError('Could not issue a Chain of Identity identifier: many referrals are being made at once. Nothing was recorded; try again.', {
            register: stream,
          }),
      },
    );
  }
}
