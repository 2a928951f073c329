import { ValidationError } from '@bedside/shared';
import type { GeoLocation } from './site-events';
import { SITE_KINDS, type SiteKind } from './site-lifecycle';

/** ODS-style organisation or site code: 3 to 10 letters and digits (NHS ODS codes are 3 or 5). */
const ODS_CODE = /^[A-Z0-9]{3,10}$/;

export function normaliseOdsCode(field: string, raw: string): string {
  const code = raw.trim().toUpperCase();
  if (!ODS_CODE.test(code)) {
    throw new ValidationError(field, `"${raw}" is not an ODS-style code: use 3 to 10 letters and digits, e.g. "RRK" or "RRK02".`);
  }
  return code;
}

export function validateTimeZone(raw: string): string {
  const zone = raw.trim();
  try {
    // Throws RangeError for names the IANA database does not know.
    return new Intl.DateTimeFormat('en-GB', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw new ValidationError('timeZone', `"${raw}" is not a known IANA time zone; UK sites use "Europe/London".`);
  }
}

export function validateLocation(location: GeoLocation): GeoLocation {
  const { latitude, longitude } = location;
  if (!Number.isFinite(latitude) || latitude < -90 || latitude > 90) {
    throw new ValidationError('location.latitude', `Latitude ${latitude} is outside -90 to 90 degrees.`);
  }
  if (!Number.isFinite(longitude) || longitude < -180 || longitude > 180) {
    throw new ValidationError('location.longitude', `Longitude ${longitude} is outside -180 to 180 degrees.`);
  }
  return { latitude, longitude };
}

export function validateKind(raw: string): SiteKind {
  if (!(SITE_KINDS as readonly string[]).includes(raw)) {
    throw new ValidationError('kind', `"${raw}" is not a site kind; use one of ${SITE_KINDS.join(', ')}.`);
  }
  return raw as SiteKind;
}
