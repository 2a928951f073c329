/**
 * Site directory events as the network slice records them (libs/network/src/domain/site.ts), for
 * tests that append to the log directly to drive a projection.
 */
export const siteRegistered = (code: string, name = `Site ${code}`) => ({
  type: 'SiteRegistered',
  data: { code, name, kind: 'HOSPITAL', timeZone: 'Europe/London', location: { latitude: 52, longitude: -1 } },
});

/** A status change (SiteActivated, SiteSuspended, ...) effective from `from`. */
export const siteStatusChanged = (type: string, code: string, from: string, reason?: string) => ({ type, data: { code, from, ...(reason ? { reason } : {}) } });
