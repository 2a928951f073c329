import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, recordedAsOf, recordedOfTypes, type EventStore, type RecordedEvent } from '@bedside/event-store';
import { NETWORK_TIME_ZONE, CLOCK, localDateOf, ValidationError, type Clock } from '@bedside/shared';
import { dmmfStreamId, normaliseOdsCode, normaliseProductCode, normaliseUnitId, siteOn, siteStreamId, unitStreamId, type DmmfEvent, type SiteEvent, type UnitEvent } from '../domain';
import { applyUnitEvent, DMMF_EVENT_TYPES, dmmfRowOf, UNIT_EVENT_TYPES } from '../projections/network-model.projections';
import { applySiteEvent, SITE_DIRECTORY_EVENT_TYPES } from '../projections/site-directory.projection';
import type { SiteRecord } from '../projections/site-record.entity';
import type { DmmfRow, UnitRow } from './network-read-model';
import type { SiteFilter } from './site-directory';

/**
 * An `asOf` instant checked: the past and the present can be shown, the future cannot (it is not
 * recorded yet). Before the first event there is simply nothing: no site, an empty list.
 */
export function checkAsOf(asOf: Date, now: Date): Date {
  if (Number.isNaN(asOf.getTime())) throw new ValidationError('asOf', 'asOf is not an instant: give an ISO-8601 date and time, e.g. 2027-01-05T09:30:00Z.');
  if (asOf.getTime() > now.getTime()) {
    throw new ValidationError(
      'asOf',
      `asOf ${asOf.toISOString()} is in the future: Bedside shows what was recorded up to now (${now.toISOString()}). Leave asOf out for the current state, or give an earlier instant.`,
    );
  }
  return asOf;
}

/**
 * The network as it was recorded at an instant (issue 5 §6: an incident review sees what the
 * scheduler saw). Rebuilt from the events recorded by then with the projections' own folds
 * (applySiteEvent, applyUnitEvent, dmmfRowOf), so the answer is the one the live read model gave at
 * that instant. Reads only what the question needs: one stream for one site or unit, the
 * network-model events for lists. (Capacity as of an instant is the capacity slice's CapacityAsOf.)
 */
@Injectable()
export class NetworkAsOf {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async site(rawCode: string, asOf: Date): Promise<SiteRecord | null> {
    checkAsOf(asOf, this.clock.now());
    const events = await this.store.readStream(siteStreamId(normaliseOdsCode('code', rawCode)), { recordedUpTo: asOf });
    return recordedOfTypes<SiteEvent>(events, SITE_DIRECTORY_EVENT_TYPES).reduce<SiteRecord | undefined>(applySiteEvent, undefined) ?? null;
  }

  /** Sites ordered by code after a cursor, `limit + 1` of them, as `SiteDirectory.list` gives them. */
  async sites(filter: SiteFilter, limit: number, afterCode: string | undefined, asOf: Date): Promise<SiteRecord[]> {
    const trustCode = filter.trustCode?.toUpperCase();
    return [...(await this.allSites(asOf)).values()]
      .filter((s) => (!filter.kind || s.kind === filter.kind) && (!filter.status || s.status === filter.status) && (!trustCode || s.trustCode === trustCode) && (!filter.region || s.region === filter.region))
      .filter((s) => !afterCode || s.code > afterCode)
      .sort((a, b) => compare(a.code, b.code))
      .slice(0, limit + 1);
  }

  /** The Control Site then, as `SiteDirectory.controlSite` finds it now. */
  async controlSite(asOf: Date): Promise<SiteRecord | null> {
    const candidates = [...(await this.allSites(asOf)).values()].filter((s) => s.kind === 'CONTROL_SITE' && s.status !== 'CEASED');
    return candidates.sort((a, b) => b.registeredAt.getTime() - a.registeredAt.getTime())[0] ?? null;
  }

  async unit(rawId: string, asOf: Date): Promise<UnitRow | undefined> {
    checkAsOf(asOf, this.clock.now());
    const events = await this.store.readStream(unitStreamId(normaliseUnitId('id', rawId)), { recordedUpTo: asOf });
    return recordedOfTypes<UnitEvent>(events, UNIT_EVENT_TYPES).reduce<UnitRow | undefined>(applyUnitEvent, undefined);
  }

  /** Units ordered by id after a cursor, `limit + 1` of them, as `NetworkReadModel.units` gives them. */
  async units(filter: { kind?: string | null; siteCode?: string | null }, limit: number, afterId: string | undefined, asOf: Date): Promise<UnitRow[]> {
    const siteCode = filter.siteCode ? normaliseOdsCode('siteCode', filter.siteCode) : null;
    const units = new Map<string, UnitRow>();
    for (const event of recordedOfTypes<UnitEvent>(await this.log(UNIT_EVENT_TYPES, asOf), UNIT_EVENT_TYPES)) {
      const unitId = event.data.unitId;
      const next = applyUnitEvent(units.get(unitId), event);
      if (next) units.set(unitId, next);
    }
    return [...units.values()]
      .filter((u) => (!filter.kind || u.kind === filter.kind) && (!siteCode || siteOn(u.home_site_code, u.deployments, localDateOf(asOf, NETWORK_TIME_ZONE)) === siteCode) && (!afterId || u.unit_id > afterId))
      .sort((a, b) => compare(a.unit_id, b.unit_id))
      .slice(0, limit + 1);
  }

  /** Every product with a DMMF then, at its latest version then. */
  async products(asOf: Date): Promise<DmmfRow[]> {
    const latest = new Map<string, DmmfRow>();
    for (const event of recordedOfTypes<DmmfEvent>(await this.log(DMMF_EVENT_TYPES, asOf), DMMF_EVENT_TYPES)) {
      const row = dmmfRowOf(event);
      latest.set(row.product_code, later(latest.get(row.product_code), row));
    }
    return [...latest.values()].sort((a, b) => compare(a.product_code, b.product_code));
  }

  /** A product's latest DMMF version as of the instant. */
  async dmmf(productCode: string, asOf: Date): Promise<DmmfRow | undefined> {
    const events = await this.store.readStream(dmmfStreamId(normaliseProductCode('productCode', productCode)), { recordedUpTo: asOf });
    return recordedOfTypes<DmmfEvent>(events, DMMF_EVENT_TYPES).map(dmmfRowOf).reduce<DmmfRow | undefined>(later, undefined);
  }

  private async allSites(asOf: Date): Promise<Map<string, SiteRecord>> {
    const sites = new Map<string, SiteRecord>();
    for (const event of recordedOfTypes<SiteEvent>(await this.log(SITE_DIRECTORY_EVENT_TYPES, asOf), SITE_DIRECTORY_EVENT_TYPES)) {
      const code = event.data.code;
      const next = applySiteEvent(sites.get(code), event);
      if (next) sites.set(code, next);
    }
    return sites;
  }

  /** Events of these types recorded by the instant, in log order. */
  private log(eventTypes: readonly string[], asOf: Date): Promise<RecordedEvent[]> {
    checkAsOf(asOf, this.clock.now());
    return recordedAsOf(this.store, { recordedUpTo: asOf, eventTypes });
  }
}

/** The later of two versions of a product's DMMF, as the read model's `ORDER BY version DESC` picks. */
const later = (a: DmmfRow | undefined, b: DmmfRow): DmmfRow => (!a || b.version > a.version ? b : a);

/**
 * Code-point order: the read model's tables sort so under the C collation (the embedded database's).
 * On a database with another collation, live pages may order codes differently.
 */
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

