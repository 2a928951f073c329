import { ValidationError } from '@bedside/shared';

/**
 * Where demand and deployments are stated (issue 13 §2; docs/domain.md "Network resources"): the seven
 * NHS England regions and the three devolved nations. Every site belongs to one.
 */
export const UK_REGIONS = [
  { code: 'NEY', name: 'North East and Yorkshire' },
  { code: 'NW', name: 'North West' },
  { code: 'MID', name: 'Midlands' },
  { code: 'EOE', name: 'East of England' },
  { code: 'LON', name: 'London' },
  { code: 'SE', name: 'South East' },
  { code: 'SW', name: 'South West' },
  { code: 'SCO', name: 'Scotland' },
  { code: 'WAL', name: 'Wales' },
  { code: 'NI', name: 'Northern Ireland' },
] as const;
export type RegionCode = (typeof UK_REGIONS)[number]['code'];
export const REGION_CODES: readonly RegionCode[] = UK_REGIONS.map((r) => r.code);

/** A region code as typed ("nw", " LON "), checked; the refusal lists them. */
export function normaliseRegion(field: string, value: string): RegionCode {
  const code = String(value ?? '').trim().toUpperCase();
  if (!(REGION_CODES as readonly string[]).includes(code)) {
    throw new ValidationError(field, `${value} is not a region: use one of ${REGION_CODES.join(', ')} (the NHS England regions and the devolved nations).`);
  }
  return code as RegionCode;
}
