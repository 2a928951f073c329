import type { DomainEvent } from '@bedside/shared';
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
  /** ODS code of the NHS trust that runs the site, where it has one. */
  readonly trustCode?: string;
  readonly address?: string;
}

export interface SiteStatusChangedData {
  readonly code: string;
  readonly from: SiteStatus;
  readonly reason?: string;
}

// Event classes: plain TypeScript, re-created from storage by type name so that handlers keyed
// by class (as @nestjs/cqrs is) find them. `type` is the stored name: never rename one.

export class SiteRegistered implements DomainEvent<'SiteRegistered', SiteRegisteredData> {
  static readonly type = 'SiteRegistered';
  readonly type = SiteRegistered.type;
  constructor(readonly data: SiteRegisteredData) {}
}

export class SiteOnboardingStarted implements DomainEvent<'SiteOnboardingStarted', SiteStatusChangedData> {
  static readonly type = 'SiteOnboardingStarted';
  readonly type = SiteOnboardingStarted.type;
  constructor(readonly data: SiteStatusChangedData) {}
}

export class SiteActivated implements DomainEvent<'SiteActivated', SiteStatusChangedData> {
  static readonly type = 'SiteActivated';
  readonly type = SiteActivated.type;
  constructor(readonly data: SiteStatusChangedData) {}
}

export class SitePaused implements DomainEvent<'SitePaused', SiteStatusChangedData> {
  static readonly type = 'SitePaused';
  readonly type = SitePaused.type;
  constructor(readonly data: SiteStatusChangedData) {}
}

export class SiteSuspended implements DomainEvent<'SiteSuspended', SiteStatusChangedData> {
  static readonly type = 'SiteSuspended';
  readonly type = SiteSuspended.type;
  constructor(readonly data: SiteStatusChangedData) {}
}

export class SiteCeased implements DomainEvent<'SiteCeased', SiteStatusChangedData> {
  static readonly type = 'SiteCeased';
  readonly type = SiteCeased.type;
  constructor(readonly data: SiteStatusChangedData) {}
}

/** Recorded once, on the network's own stream, when the Control Site is registered. */
export class ControlSiteDesignated implements DomainEvent<'ControlSiteDesignated', { readonly code: string }> {
  static readonly type = 'ControlSiteDesignated';
  readonly type = ControlSiteDesignated.type;
  constructor(readonly data: { readonly code: string }) {}
}

export type SiteStatusEvent = SiteOnboardingStarted | SiteActivated | SitePaused | SiteSuspended | SiteCeased;
export type SiteEvent = SiteRegistered | SiteStatusEvent;

export const SITE_EVENT_CLASSES = [
  SiteRegistered,
  SiteOnboardingStarted,
  SiteActivated,
  SitePaused,
  SiteSuspended,
  SiteCeased,
  ControlSiteDesignated,
] as const;
