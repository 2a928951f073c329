import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { MoreThan, Not, type FindOptionsWhere, type Repository } from 'typeorm';
import { EVENT_STORE, recordedOfTypes, type EventStore } from '@bedside/event-store';
import { CLOCK, type Clock } from '@bedside/shared';
import { normaliseOdsCode, siteStreamId, type RegionCode, type SiteEvent, type SiteKind, type SiteStatus } from '../domain';
import { applySiteEvent, SITE_DIRECTORY_EVENT_TYPES } from '../projections/site-directory.projection';
import { SiteRecord } from '../projections/site-record.entity';
import { checkAsOf } from './network-as-of';

export interface SiteFilter {
  readonly kind?: SiteKind | null;
  readonly status?: SiteStatus | null;
  readonly trustCode?: string | null;
  readonly region?: string | null;
}

/** Reads of the site directory: the projection for "now", the site's own stream for "as of". */
@Injectable()
export class SiteDirectory {
  constructor(
    @InjectRepository(SiteRecord) private readonly sites: Repository<SiteRecord>,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async get(rawCode: string, asOf?: Date | null): Promise<SiteRecord | null> {
    const code = normaliseOdsCode('code', rawCode);
    // With asOf: the state as recorded at that instant, rebuilt from the events (an incident review sees what the scheduler saw).
    return asOf ? this.fromStream(code, checkAsOf(asOf, this.clock.now())) : this.sites.findOneBy({ code });
  }

  /** The site as its own stream tells it, up to an instant: exact even before the projection catches up. */
  async fromStream(code: string, recordedUpTo?: Date): Promise<SiteRecord | null> {
    const events = await this.store.readStream(siteStreamId(code), recordedUpTo ? { recordedUpTo } : {});
    return recordedOfTypes<SiteEvent>(events, SITE_DIRECTORY_EVENT_TYPES).reduce<SiteRecord | undefined>(applySiteEvent, undefined) ?? null;
  }

  /** Sites ordered by code, `limit + 1` of them so the caller knows whether more follow. */
  list(filter: SiteFilter, limit: number, afterCode?: string): Promise<SiteRecord[]> {
    const where: FindOptionsWhere<SiteRecord> = {
      ...(filter.kind ? { kind: filter.kind } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.trustCode ? { trustCode: filter.trustCode.toUpperCase() } : {}),
      ...(filter.region ? { region: filter.region as RegionCode } : {}),
      ...(afterCode ? { code: MoreThan(afterCode) } : {}),
    };
    return this.sites.find({ where, order: { code: 'ASC' }, take: limit + 1 });
  }

  /** The network's Control Site, unless none is registered (or it has ceased). */
  controlSite(): Promise<SiteRecord | null> {
    return this.sites.findOne({ where: { kind: 'CONTROL_SITE', status: Not('CEASED') }, order: { registeredAt: 'DESC' } });
  }
}
