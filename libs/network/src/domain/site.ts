import { ConflictError, NotFoundError, optionalText, requireText, ValidationError, type ElectronicSignature, type Evolver } from '@bedside/shared';
import {
  SiteActivated,
  SiteCeased,
  SiteOnboardingStarted,
  SitePaused,
  SiteRegionSet,
  SiteRegistered,
  SiteSuspended,
  type GeoLocation,
  type SiteEvent,
  type SiteRegisteredData,
  type SiteStatusEvent,
} from './site-events';
import { normaliseRegion, type RegionCode } from './region';
import { SITE_TRANSITIONS, type SiteAction, type SiteKind, type SiteStatus } from './site-lifecycle';
import { normaliseOdsCode, validateKind, validateLocation, validateTimeZone } from './site-validation';

export interface Site {
  readonly code: string;
  readonly kind: SiteKind;
  readonly status: SiteStatus;
  /** IANA zone its days are kept in (a deployed unit's days there start at its midnight). */
  readonly timeZone: string;
  /** Its region; null for a site registered before regions were recorded, until one is set. */
  readonly region: RegionCode | null;
}

/** A site's state as its own stream tells it; `undefined` until it is registered. */
export type SiteState = Site | undefined;

export const siteStreamId = (code: string) => `site-${code}`;
export const CONTROL_SITE_STREAM = 'network-control-site';

export interface RegisterSite {
  readonly code: string;
  readonly name: string;
  readonly kind: string;
  readonly timeZone: string;
  readonly location: GeoLocation;
  readonly region: string;
  readonly trustCode?: string | null;
  readonly address?: string | null;
}

/** Checks and normalises a registration; throws ValidationError naming the field at fault. */
export function validateRegistration(command: RegisterSite): SiteRegisteredData {
  const kind = validateKind(command.kind);
  const trustCode = command.trustCode ? normaliseOdsCode('trustCode', command.trustCode) : undefined;
  const address = optionalText('address', command.address, 500);
  return {
    code: normaliseOdsCode('code', command.code),
    name: requireText('name', command.name, 200),
    kind,
    timeZone: validateTimeZone(command.timeZone),
    location: validateLocation(command.location),
    region: normaliseRegion('region', command.region),
    ...(trustCode ? { trustCode } : {}),
    ...(address ? { address } : {}),
  };
}

export function registerSite(state: SiteState, command: RegisterSite): SiteRegistered[] {
  const data = validateRegistration(command);
  if (state) {
    throw new ConflictError(`Site ${data.code} is already registered (${state.status}). Use its lifecycle mutations to change it.`, {
      siteCode: data.code,
      status: state.status,
    });
  }
  return [new SiteRegistered(data)];
}

/** Gives a site its region, or corrects it, with the reason (Control Site QA). */
export function setSiteRegion(state: SiteState, code: string, rawRegion: string, rawReason: string | null | undefined): SiteRegionSet[] {
  if (!state) throw new NotFoundError('site', code, 'Register it first (registerSite), or check the code.');
  const region = normaliseRegion('region', rawRegion);
  const reason = optionalText('reason', rawReason, 1000);
  if (!reason) throw new ValidationError('reason', `Record why site ${state.code} is in ${region} (e.g. "registered before regions were recorded").`);
  if (state.region === region) throw new ConflictError(`Site ${state.code} is already in ${region}.`, { siteCode: state.code, region });
  return [new SiteRegionSet({ code: state.code, from: state.region, to: region, reason })];
}

const STATUS_EVENTS: Record<SiteAction, (data: SiteStatusEvent['data']) => SiteStatusEvent> = {
  onboard: (data) => new SiteOnboardingStarted(data),
  activate: (data) => new SiteActivated(data),
  pause: (data) => new SitePaused(data),
  suspend: (data) => new SiteSuspended(data),
  cease: (data) => new SiteCeased(data),
};

/** Moves a site through its lifecycle, only along permitted transitions. */
/** `signature`: the acting user's, made by the handler (signatureOf) for an action the table says is signed. */
export function changeSiteStatus(state: SiteState, code: string, action: SiteAction, rawReason?: string | null, signature?: ElectronicSignature): SiteStatusEvent[] {
  if (!state) throw new NotFoundError('site', code, 'Register it first (registerSite), or check the code.');
  const transition = SITE_TRANSITIONS[action];
  if (!transition.from.includes(state.status)) {
    throw new ConflictError(describeRefusal(state, action), {
      siteCode: state.code,
      status: state.status,
      action,
      allowedFrom: transition.from,
    });
  }
  const reason = optionalText('reason', rawReason, 1000);
  if (!reason && transition.reasonRequiredFrom.includes(state.status)) {
    throw new ValidationError('reason', `A reason is required to ${action} site ${state.code} from ${state.status}: record why.`);
  }
  if (transition.signed && signature?.meaning !== transition.signed) throw new Error(`To ${action} a site needs an ${transition.signed} signature.`);
  return [STATUS_EVENTS[action]({ code: state.code, from: state.status, ...(reason ? { reason } : {}), ...(transition.signed && { signature }) })];
}

function describeRefusal(site: Site, action: SiteAction): string {
  if (site.status === 'CEASED') {
    return `Site ${site.code} has ceased; a ceased site cannot ${action === 'cease' ? 'cease again' : `be ${pastTense(action)}`}. Register a new site if it is to operate again.`;
  }
  const target = SITE_TRANSITIONS[action].to;
  if (site.status === target) return `Site ${site.code} is already ${target}.`;
  const allowed = SITE_TRANSITIONS[action].from.join(' or ');
  return `Site ${site.code} is ${site.status}; it can be ${pastTense(action)} only when ${allowed}.`;
}

function pastTense(action: SiteAction): string {
  return { onboard: 'onboarded', activate: 'activated', pause: 'paused', suspend: 'suspended', cease: 'ceased' }[action];
}

export const siteEvolver: Evolver<SiteState, SiteEvent> = {
  initialState: undefined,
  evolve(state, event) {
    switch (event.type) {
      case 'SiteRegistered':
        return { code: event.data.code, kind: event.data.kind, status: 'PROPOSED', timeZone: event.data.timeZone, region: event.data.region ?? null };
      case 'SiteOnboardingStarted':
        return state && { ...state, status: 'ONBOARDING' };
      case 'SiteActivated':
        return state && { ...state, status: 'ACTIVE' };
      case 'SitePaused':
        return state && { ...state, status: 'PAUSED' };
      case 'SiteSuspended':
        return state && { ...state, status: 'SUSPENDED' };
      case 'SiteCeased':
        return state && { ...state, status: 'CEASED' };
      case 'SiteRegionSet':
        return state && { ...state, region: event.data.to };
    }
  },
};
