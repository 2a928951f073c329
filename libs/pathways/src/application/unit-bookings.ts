import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { unitResourceKey } from '@bedside/capacity';
import type { UnitBookings } from '@bedside/network';
import type { LocalDate } from '@bedside/shared';

/**
 * Which pathways hold or have booked a unit's batch slots from a day on: a deployment leaving that day
 * would strand them (libs/network/src/application/deployment-commands.ts). Read from the holds in force.
 */
@Injectable()
export class BookingsOnUnits implements UnitBookings {
  constructor(private readonly dataSource: DataSource) {}

  async bookedOn(unitId: string, fromDay: LocalDate): Promise<{ coi: string; day: LocalDate }[]> {
    return this.dataSource.query(
      `SELECT h.coi, s->>'day' AS day FROM holds h, jsonb_array_elements(h.slots) s
        WHERE h.status IN ('HELD', 'CONFIRMED') AND s->>'resourceKey' = $1 AND s->>'day' >= $2 ORDER BY h.coi, s->>'day'`,
      [unitResourceKey(unitId), fromDay],
    );
  }
}
