import { eventClass, type ElectronicSignature } from '@bedside/shared';
import type { RegionCode } from './region';
import type { SiteKind, SiteStatus } from './site-lifecycle';

export interface GeoLocation {
  /** WGS84 degrees. */
  readonly latitude: number;
  readonly longitude: number;
}

export interface SiteRegisteredData {
  readonly code: string;
  readonly name: string;
  readonly kind: SiteKind;
  /** IANA time zone of the site's clinical calendar (domain: calendars are local days). */
  readonly timeZone: string;
  readonly location: GeoLocation;
  /** Its NHS England region or devolved nation (issue 13 §2). Absent from sites registered before 2026-12: SiteRegionSet gives it. */
  readonly region?: RegionCode;
  /** ODS code of the NHS trust that runs the site, where it has one. */
  readonly trustCode?: string;
  readonly address?: string;
}

export interface SiteStatusChangedData {
  readonly code: string;
  readonly from: SiteStatus;
  readonly reason?: string;
  /** Set on a change that needs one (SITE_TRANSITIONS `signed`): a suspension. */
  readonly signature?: ElectronicSignature;
}

// Event classes: plain TypeScript, re-created from storage by type name so that handlers keyed
// by class (as @nestjs/cqrs is) find them. `type` is the stored name: never rename one.

export class SiteRegistered extends eventClass<'SiteRegistered', SiteRegisteredData>('SiteRegistered') {}

export class SiteOnboardingStarted extends eventClass<'SiteOnboardingStarted', SiteStatusChangedData>('SiteOnboardingStarted') {}

export class SiteActivated extends eventClass<'SiteActivated', SiteStatusChangedData>('SiteActivated') {}

export class SitePaused extends eventClass<'SitePaused', SiteStatusChangedData>('SitePaused') {}

export class SiteSuspended extends eventClass<'SiteSuspended', SiteStatusChangedData>('SiteSuspended') {}

export class SiteCeased extends eventClass<'SiteCeased', SiteStatusChangedData>('SiteCeased') {}

export interface SiteRegionSetData {
  readonly code: string;
  /** The region it had; null for a site registered before regions were recorded. */
  readonly from: RegionCode | null;
  readonly to: RegionCode;
  readonly reason: string;
}

/** A site's region is given (a site registered before regions were recorded) or corrected. */
export class SiteRegionSet extends eventClass<'SiteRegionSet', SiteRegionSetData>('SiteRegionSet') {}

/** Recorded once, on the network's own stream, when the Control Site is registered. */
export class ControlSiteDesignated extends eventClass<'ControlSiteDesignated', { readonly code: string }>('ControlSiteDesignated') {}

export type SiteStatusEvent = SiteOnboardingStarted | SiteActivated | SitePaused | SiteSuspended | SiteCeased;
export type SiteEvent = SiteRegistered | SiteStatusEvent | SiteRegionSet;

export const SITE_EVENT_CLASSES = [
  SiteRegistered,
  SiteOnboardingStarted,
  SiteActivated,
  SitePaused,
  SiteSuspended,
  SiteCeased,
  SiteRegionSet,
  ControlSiteDesignated,
] as const;
