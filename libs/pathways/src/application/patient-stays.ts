import { Injectable } from '@nestjs/common';
import { NetworkReadModel } from '@bedside/network';
import type { PatientStay } from '../domain';

/**
 * Where a patient will stay after infusion, with the minutes a planner recorded from that postcode
 * district to each centre (issue 14 §4): what the plan search (R9) and the lifecycle (start of
 * conditioning, infusion) judge reach by, read the same way for both.
 */
@Injectable()
export class PatientStays {
  constructor(private readonly network: NetworkReadModel) {}

  /** Null for a pathway referred before Bedside kept a district: its reach is not judged. */
  async of(district: string | null | undefined): Promise<PatientStay | null> {
    if (!district) return null;
    const minutes = await this.network.minutesFromDistrict(district);
    return { district, minutesTo: (centre) => minutes.get(centre) };
  }

  /** Several patients' stays in one read: `stayOf(district)` for each (null without a district). */
  async ofMany(districts: readonly (string | null)[]): Promise<(district: string | null) => PatientStay | null> {
    const byDistrict = await this.network.minutesFromDistricts(districts.filter((d): d is string => !!d));
    return (district) => (district ? { district, minutesTo: (centre) => byDistrict.get(district)?.get(centre) } : null);
  }
}
