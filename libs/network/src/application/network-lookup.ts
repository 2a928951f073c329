import { Injectable } from '@nestjs/common';
import { AggregateRepository } from '@bedside/event-store';
import { siteEvolver, siteStreamId, unitEvolver, unitStreamId, type ModularUnit, type Site } from '../domain';

/** Authoritative reads of sites and units from their own streams, for command validation (never a lagging read model). */
@Injectable()
export class NetworkLookup {
  constructor(private readonly repository: AggregateRepository) {}

  async site(code: string): Promise<Site | undefined> {
    return (await this.repository.load(siteStreamId(code), siteEvolver)).state;
  }

  async unit(unitId: string): Promise<ModularUnit | undefined> {
    return (await this.repository.load(unitStreamId(unitId), unitEvolver)).state;
  }
}
