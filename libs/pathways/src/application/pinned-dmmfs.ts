import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, recordedOfTypes, type EventStore } from '@bedside/event-store';
import { dmmfStreamId, type Designation, type DmmfEvent, type ProductProcess } from '@bedside/network';
import { NotFoundError } from '@bedside/shared';

/** A DMMF version a pathway is planned under: the process its rules judge, and where it may be made. */
export interface PinnedDmmf {
  readonly process: ProductProcess;
  readonly designation: Designation;
}

/** Published DMMF versions never change (a change is a new version): each is read once per process. */
@Injectable()
export class PinnedDmmfs {
  private readonly known = new Map<string, PinnedDmmf>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async of(productCode: string, version: number): Promise<PinnedDmmf> {
    const key = `${productCode}\n${version}`;
    const known = this.known.get(key);
    if (known) return known;
    const events = recordedOfTypes<DmmfEvent>(await this.store.readStream(dmmfStreamId(productCode)), ['DmmfVersionPublished']);
    const published = events.map((e) => e.data).find((d) => d.version === version);
    if (!published) throw new NotFoundError('DMMF version', `${productCode} v${version}`);
    const pinned = { process: published.process, designation: published.designation };
    this.known.set(key, pinned);
    return pinned;
  }
}
