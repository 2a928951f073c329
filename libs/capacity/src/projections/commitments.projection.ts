import type { EntityManager } from 'typeorm';
import type { RecordedAs } from '@bedside/event-store';
import type { Projection } from '@bedside/read-model';
import { COMMITMENTS_PROJECTION } from './capacity-rows';
import { COMMITMENT_EVENT_TYPES, commitmentChanges, type CommitmentEvent } from '../domain/commitments';
import { addPlaces } from '../domain/slot';

/** `capacity_commitments`: places held (tentative) and booked (committed) on each capacity slot, in hundredths exactly (numeric: ICU cover is a share of a bed). */
export class CapacityCommitmentsProjection implements Projection<CommitmentEvent> {
  readonly name = COMMITMENTS_PROJECTION;
  readonly tables = ['capacity_commitments'];
  readonly eventTypes = COMMITMENT_EVENT_TYPES;

  async apply(events: readonly RecordedAs<CommitmentEvent>[], manager: EntityManager): Promise<void> {
    const deltas = new Map<string, { resource_key: string; day: string; session: string; committed: number; tentative: number }>();
    for (const event of events) {
      for (const { slot, committed, tentative } of commitmentChanges(event)) {
        const key = `${slot.resourceKey}|${slot.day}|${slot.session}`;
        const delta = deltas.get(key) ?? { resource_key: slot.resourceKey, day: slot.day, session: slot.session, committed: 0, tentative: 0 };
        delta.committed = addPlaces(delta.committed, committed);
        delta.tentative = addPlaces(delta.tentative, tentative);
        deltas.set(key, delta);
      }
    }
    if (deltas.size === 0) return;
    // Existing rows take the deltas; new rows are inserted. (An upsert would check the inserted
    // row, negative for a booking that moves a place from held to booked, against the CHECKs.) Every
    // row changed is stamped with this batch's number, so readers can ask what changed since theirs.
    await manager.query(
      `WITH v AS (
         UPDATE capacity_commitments_version SET version = version + 1 RETURNING version
       ), d AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(resource_key text, day date, session text, committed numeric, tentative numeric)
       ), updated AS (
         UPDATE capacity_commitments c SET committed = c.committed + d.committed, tentative = c.tentative + d.tentative, changed_in = v.version
           FROM d, v WHERE c.resource_key = d.resource_key AND c.day = d.day AND c.session = d.session
         RETURNING c.resource_key, c.day, c.session
       )
       INSERT INTO capacity_commitments (resource_key, day, session, committed, tentative, changed_in)
       SELECT d.resource_key, d.day, d.session, d.committed, d.tentative, v.version FROM d, v
        WHERE NOT EXISTS (SELECT 1 FROM updated u WHERE u.resource_key = d.resource_key AND u.day = d.day AND u.session = d.session)`,
      [JSON.stringify([...deltas.values()])],
    );
  }
}
