import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { asEnum, Connection } from '@bedside/graphql-common';
import { SITE_KINDS, SITE_STATUSES, SITE_TRANSITIONS, type RegionCode, type SiteAction as SiteActionValue, type SiteKind as SiteKindValue, type SiteStatus as SiteStatusValue } from '../domain';
import { RegionEnum } from './enums';

export const SiteKind = asEnum(SITE_KINDS);
registerEnumType(SiteKind, {
  name: 'SiteKind',
  description: 'What kind of place a site is (SI 2025/87 allows manufacture at hospitals, ambulances and local care settings).',
  valuesMap: {
    CONTROL_SITE: { description: 'The licensed hub that holds the manufacturing licence and the DMMFs; the network has one.' },
    HOSPITAL: { description: 'A hospital: a treatment centre, apheresis unit or point-of-care manufacturing site.' },
    AMBULANCE: { description: 'An ambulance or other vehicle where final manufacturing steps may take place.' },
    LOCAL_CARE_SETTING: { description: 'A local care setting such as a community hospital or clinic.' },
    PATIENT_HOME: { description: "The patient's home, for products made or given there." },
  },
});

export const SiteStatus = asEnum(SITE_STATUSES);
registerEnumType(SiteStatus, {
  name: 'SiteStatus',
  description: 'Where a site is in its lifecycle. Only ACTIVE sites may manufacture or be booked.',
  valuesMap: {
    PROPOSED: { description: 'Registered, not yet being onboarded.' },
    ONBOARDING: { description: 'Being qualified by the Control Site.' },
    ACTIVE: { description: 'Operating: may manufacture and be booked.' },
    PAUSED: { description: 'Temporarily stopped (e.g. maintenance, staffing); can be reactivated.' },
    SUSPENDED: { description: 'Stopped by the Control Site for a quality or regulatory reason; reactivation needs a reason.' },
    CEASED: { description: 'Closed for good. A ceased site cannot be reactivated.' },
  },
});

export const SiteAction = asEnum(Object.keys(SITE_TRANSITIONS).map((a) => a.toUpperCase()) as Uppercase<SiteActionValue>[]);
registerEnumType(SiteAction, {
  name: 'SiteAction',
  description: 'A change in a site\'s lifecycle, made by the mutation of the same name (onboardSite, activateSite, pauseSite, suspendSite, ceaseSite).',
  valuesMap: {
    ONBOARD: { description: 'Start onboarding (onboardSite).' },
    ACTIVATE: { description: 'Make active (activateSite).' },
    PAUSE: { description: 'Pause (pauseSite).' },
    SUSPEND: { description: 'Suspend for a quality or regulatory reason, signed (suspendSite).' },
    CEASE: { description: 'Close for good (ceaseSite).' },
  },
});

@ObjectType({ description: 'A lifecycle change open to a site where it stands: the ones its status permits, and only those.' })
export class SiteChangeOpen {
  @Field(() => SiteAction, { description: 'The change, made by the mutation of its name.' })
  action!: Uppercase<SiteActionValue>;

  @Field(() => SiteStatus, { description: 'The status it leads to.' })
  to!: SiteStatusValue;

  @Field({ description: 'Whether a reason must be given from this status.' })
  reasonRequired!: boolean;

  @Field({ description: 'Whether it is signed (a suspension): the signer must have signed in recently.' })
  signed!: boolean;
}

@ObjectType({ description: 'A point on the map (WGS84).' })
export class GeoLocation {
  @Field(() => Float, { description: 'Latitude in degrees, -90 to 90.' })
  latitude!: number;

  @Field(() => Float, { description: 'Longitude in degrees, -180 to 180.' })
  longitude!: number;
}

@ObjectType({ description: 'A place in the network: the Control Site, a hospital, an ambulance, a local care setting.' })
export class Site {
  @Field(() => ID, { description: 'ODS-style code, unique in the network (e.g. "RBV02").' })
  code!: string;

  @Field({ description: 'Name as staff know it.' })
  name!: string;

  @Field(() => SiteKind, { description: 'What kind of place this is.' })
  kind!: SiteKindValue;

  @Field(() => SiteStatus, { description: 'Lifecycle status.' })
  status!: SiteStatusValue;

  @Field({ description: 'IANA time zone of the clinical calendar (e.g. "Europe/London").' })
  timeZone!: string;

  @Field(() => GeoLocation, { description: 'Where the site is.' })
  location!: GeoLocation;

  @Field(() => RegionEnum, { nullable: true, description: 'Its NHS England region or devolved nation; empty for a site registered before regions were recorded, until Control Site QA sets one (setSiteRegion).' })
  region!: RegionCode | null;
  @Field(() => String, { nullable: true, description: 'ODS code of the NHS trust that runs the site.' })
  trustCode!: string | null;

  @Field(() => String, { nullable: true, description: 'Postal address.' })
  address!: string | null;

  @Field(() => [SiteChangeOpen], { description: 'The lifecycle changes open to the site where it stands, in lifecycle order (none once ceased).' })
  changesOpen!: SiteChangeOpen[];

  @Field(() => String, { nullable: true, description: 'Why the status last changed, where a reason was given.' })
  statusReason!: string | null;

  @Field({ description: 'When the status last changed.' })
  statusChangedAt!: Date;

  @Field({ description: 'Who last changed the status (the approver).' })
  statusChangedBy!: string;

  @Field({ description: 'When the site was registered.' })
  registeredAt!: Date;

  @Field({ description: 'Who registered the site.' })
  registeredBy!: string;

  @Field(() => Int, { description: "Version of the site's event stream this view reflects; see auditTrail(streamId: \"site-<code>\")." })
  version!: number;
}

@ObjectType({ description: 'A page of sites.' })
export class SiteConnection extends Connection(Site, 'Site', 'site') {}

@InputType({ description: 'A point on the map (WGS84).' })
export class GeoLocationInput {
  @Field(() => Float, { description: 'Latitude in degrees, -90 to 90.' })
  latitude!: number;

  @Field(() => Float, { description: 'Longitude in degrees, -180 to 180.' })
  longitude!: number;
}

@InputType({ description: 'A new site. It starts PROPOSED; onboard and activate it to make it bookable.' })
export class RegisterSiteInput {
  @Field(() => ID, { description: 'ODS-style code: 3 to 10 letters and digits; stored upper-case.' })
  code!: string;

  @Field({ description: 'Name as staff know it (up to 200 characters).' })
  name!: string;

  @Field(() => SiteKind, { description: 'What kind of place this is. The network has one CONTROL_SITE.' })
  kind!: SiteKindValue;

  // Optional rather than defaulted: graphql-jit does not apply input-field defaults to variables.
  @Field(() => String, { nullable: true, description: 'IANA time zone of the clinical calendar; "Europe/London" when empty.' })
  timeZone?: string | null;

  @Field(() => GeoLocationInput, { description: 'Where the site is.' })
  location!: GeoLocationInput;

  @Field(() => RegionEnum, { description: 'Its NHS England region or devolved nation: demand and deployments are stated by region.' })
  region!: RegionCode;

  @Field(() => String, { nullable: true, description: 'ODS code of the NHS trust that runs the site.' })
  trustCode?: string | null;

  @Field(() => String, { nullable: true, description: 'Postal address (up to 500 characters).' })
  address?: string | null;
}

@ObjectType({ description: 'The network as Bedside knows it: the Control Site and every registered site.' })
export class Network {
  @Field(() => Site, { nullable: true, description: 'The licensed Control Site, once registered.' })
  controlSite!: Site | null;

  /** Not a field: the instant `network(asOf)` was asked for, which its fields then show (null: now). */
  asOf?: Date | null;
}
