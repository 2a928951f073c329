import { Field, Float, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { Connection, GraphQLLocalDate } from '@bedside/graphql-common';
import type { Deployment as DeploymentData } from '../domain';
import {
  ConditioningGateEnum,
  ExceptionKindEnum,
  QcMethodEnum,
  QualificationStateEnum,
  ResourceEnum,
  SiteResourceEnum,
  StartingMaterialEnum,
  UnitKindEnum,
  UnitMobilityEnum,
  WeekdayEnum,
} from './enums';

@ObjectType({ description: 'Vaccine fill-finish figures of a unit: all set by planners.' })
@InputType('FillFinishSpecInput', { description: 'Vaccine fill-finish figures of a unit (vials/h > 0, 1 to 20 doses a vial, output factor in (0, 1], 1 to 3 shifts of up to 12 h).' })
export class FillFinishSpec {
  @Field(() => Float, { description: 'Vials filled per hour while running.' })
  vialsPerHour!: number;
  @Field(() => Int, { description: 'Doses per vial (1 to 20).' })
  dosesPerVial!: number;
  @Field(() => Float, { description: 'Share of nominal output actually achieved, (0, 1].' })
  effectiveOutputFactor!: number;
  @Field(() => Int, { description: 'Shifts run per day.' })
  shiftsPerDay!: number;
  @Field(() => Float, { description: 'Hours per shift.' })
  hoursPerShift!: number;
  @Field(() => Int, { description: 'Days to set up and requalify after a move, before filling.' })
  setupDays!: number;
  @Field(() => Int, { description: 'Days from filling to batch release.' })
  batchReleaseDays!: number;
}

@ObjectType({ description: 'A modular manufacturing unit: fixed or mobile, cell therapy or fill-finish.' })
export class ModularUnit {
  @Field(() => ID, { description: 'Unit id, e.g. "MU-COC-01".' })
  id!: string;
  @Field({ description: 'Name as staff know it.' })
  name!: string;
  @Field(() => UnitKindEnum, { description: 'What it makes.' })
  kind!: string;
  @Field(() => UnitMobilityEnum, { description: 'Fixed or mobile.' })
  mobility!: string;
  @Field(() => Int, { description: 'Batches it runs at once (1 for a Cocoon-class box, 16 for a Cell Shuttle-class system).' })
  batchCapacity!: number;
  @Field({ description: 'Code of its home site.' })
  homeSiteCode!: string;
  /** Resolved from its deployments by the clock, or as of `asOf` (ModularUnitLocationResolver). */
  currentSiteCode?: string;
  /** Not a field: the instant the unit was read as of (`unit(asOf)`, `network(asOf)`), null for now. */
  asOf?: Date | null;
  /** Its deployments in force: where it is on a day follows them; shown as `deployments`. */
  deploymentsInForce?: readonly DeploymentData[];
  @Field(() => QualificationStateEnum, { description: 'Whether it may manufacture.' })
  qualification!: string;
  @Field(() => String, { nullable: true, description: 'Why the qualification last changed.' })
  qualificationReason!: string | null;
  @Field({ description: 'When the qualification last changed.' })
  qualificationChangedAt!: Date;
  @Field(() => FillFinishSpec, { nullable: true, description: 'Fill-finish figures (fill-finish units only).' })
  fillFinish!: FillFinishSpec | null;
  @Field({ description: 'When it was registered.' })
  registeredAt!: Date;
  @Field({ description: 'Who registered it.' })
  registeredBy!: string;
  @Field(() => Int, { description: 'Version of its event stream ("unit-<id>") this view reflects.' })
  version!: number;
}

@ObjectType({ description: 'A page of modular units.' })
export class ModularUnitConnection extends Connection(ModularUnit, 'ModularUnit', 'modular unit') {}

@InputType({ description: 'A new modular unit. It starts REQUALIFYING; set it QUALIFIED to make its batch slots bookable.' })
export class RegisterUnitInput {
  @Field(() => ID, { description: 'Unit id: 3 to 32 letters, digits and dashes; stored upper-case.' })
  id!: string;
  @Field({ description: 'Name as staff know it.' })
  name!: string;
  @Field(() => UnitKindEnum, { description: 'What it makes.' })
  kind!: string;
  @Field(() => UnitMobilityEnum, { description: 'Fixed or mobile.' })
  mobility!: string;
  @Field(() => Int, { description: 'Batches it runs at once (1 to 100).' })
  batchCapacity!: number;
  @Field({ description: 'Code of its home site (registered, not ceased).' })
  homeSiteCode!: string;
  @Field(() => FillFinishSpec, { nullable: true, description: 'Required for fill-finish units; empty otherwise.' })
  fillFinish?: FillFinishSpec | null;
}

@ObjectType({ description: 'How a product is made and given: the figures the scheduler plans with (part of its DMMF).' })
@InputType('ProductProcessInput', { description: 'How a product is made and given. Every figure is yours to set; the validation names any that is out of range.' })
export class ProductProcess {
  @Field(() => ID, { description: 'Product code, e.g. "POC-CAR19".' })
  productCode!: string;
  @Field({ description: 'Product name.' })
  name!: string;
  @Field(() => StartingMaterialEnum, { description: 'Fresh or cryopreserved starting material.' })
  startingMaterial!: string;
  @Field(() => Float, { nullable: true, description: 'Fresh material: most hours from end of collection to start of manufacture.' })
  maxFreshHoldHours!: number | null;
  @Field(() => Int, { description: 'Leukapheresis sessions needed (1 to 4).' })
  apheresisSessions!: number;
  @Field(() => Float, { description: 'Hours per leukapheresis session (3 to 6 typical).' })
  apheresisHoursPerSession!: number;
  @Field(() => Int, { description: 'Days of manufacture on a unit.' })
  manufactureDays!: number;
  @Field(() => QcMethodEnum, { description: 'Release testing method.' })
  qcMethod!: string;
  @Field(() => Int, { description: 'Days from end of manufacture to release.' })
  qcReleaseDays!: number;
  @Field(() => Float, { description: 'Shelf life of the finished product in hours.' })
  shelfLifeHours!: number;
  @Field({ description: 'Conditioning regimen, e.g. "Fludarabine + cyclophosphamide".' })
  conditioningRegimen!: string;
  @Field(() => [Int], { description: 'Conditioning days relative to infusion day 0, e.g. [-5, -4, -3].' })
  conditioningDays!: number[];
  @Field(() => Int, { description: 'Infusion window start, in days after the last conditioning day.' })
  infusionWindowMinDays!: number;
  @Field(() => Int, { description: 'Infusion window end, in days after the last conditioning day.' })
  infusionWindowMaxDays!: number;
  @Field(() => ConditioningGateEnum, { description: 'What must be confirmed before conditioning starts.' })
  conditioningGate!: string;
  @Field(() => Int, { nullable: true, description: 'Repeat conditioning when infusion slips more than this many days past the last dose.' })
  reconditionAfterDays!: number | null;
  @Field(() => Int, { description: 'Inpatient or day-unit monitoring days after infusion.' })
  monitoringInpatientDays!: number;
  @Field(() => Int, { description: 'Days the patient must stay within reach of the centre.' })
  stayWithinReachDays!: number;
  @Field(() => Int, { description: 'Minutes of travel that count as within reach (e.g. 120).' })
  stayWithinReachMinutes!: number;
  @Field(() => Float, { description: 'Probability a patient needs an ICU bed, for reserving ICU capacity.' })
  icuReserveProbability!: number;
  @Field(() => Int, {
    nullable: true,
    description: 'Frozen product only: minutes from thaw at the bedside to the end of infusion (e.g. 30). Infusion then needs the thaw recorded (recordThaw) and is refused after it.',
  })
  thawedShelfLifeMinutes?: number | null;
}

@ObjectType({ description: 'Where a product may be made: sites and units listed in its DMMF (HMR regs 17A/17B).' })
@InputType('DesignationInput', { description: 'Where a product may be made. Names must be registered and not ceased.' })
export class Designation {
  @Field(() => [String], { description: 'Designated site codes.' })
  siteCodes!: string[];
  @Field(() => [String], { description: 'Designated modular unit ids.' })
  unitIds!: string[];
}

@ObjectType({ description: 'One version of a Decentralised Manufacturing Master File. Versions are never changed; plans keep pointing at theirs.' })
export class Dmmf {
  @Field(() => ID, { description: 'Product code.' })
  productCode!: string;
  @Field(() => Int, { description: 'Version, from 1.' })
  version!: number;
  @Field({ description: 'Product name.' })
  name!: string;
  @Field(() => ProductProcess, { description: 'The process definition of this version.' })
  process!: ProductProcess;
  @Field(() => Designation, { description: 'Where the product may be made under this version.' })
  designation!: Designation;
  @Field({ description: 'Why this version was published.' })
  reason!: string;
  @Field({ description: 'When it was published.' })
  publishedAt!: Date;
  @Field({ description: 'Who published it (Control Site QA).' })
  publishedBy!: string;
}

@InputType({ description: 'A new DMMF version: the full process definition and designation, with the reason for the change.' })
export class DmmfVersionInput {
  @Field(() => ProductProcess, { description: 'The process definition.' })
  process!: ProductProcess;
  @Field(() => Designation, { description: 'Where the product may be made.' })
  designation!: Designation;
  @Field({ description: 'What changed and why.' })
  reason!: string;
  @Field(() => Int, { nullable: true, description: 'The version you based this on (0 for a new product); refused if someone published since.' })
  basedOnVersion?: number | null;
}

@ObjectType({ description: 'A session of an opening day, in local wall-clock time.' })
@InputType('SessionInput', { description: 'A session of an opening day, in local wall-clock time (HH:mm, end after start).' })
export class Session {
  @Field({ description: 'Session name, e.g. "AM".' })
  name!: string;
  @Field({ description: 'Local start time, HH:mm.' })
  start!: string;
  @Field({ description: 'Local end time, HH:mm.' })
  end!: string;
}

@ObjectType({ description: 'The standing calendar of one resource kind at a site.' })
export class ResourceSchedule {
  @Field(() => SiteResourceEnum, { description: 'Which resource.' })
  resource!: string;
  @Field(() => Int, { description: 'How many chairs or beds.' })
  count!: number;
  @Field(() => [WeekdayEnum], { description: 'Days it opens.' })
  openingDays!: string[];
  @Field(() => [Session], { description: 'Sessions of an opening day (chairs); empty for beds, which are booked by the day.' })
  sessions!: Session[];
  @Field({ description: 'Whether it opens on bank holidays.' })
  openOnBankHolidays!: boolean;
  @Field(() => GraphQLLocalDate, { description: 'First day this calendar applies (local date).' })
  effectiveFrom!: string;
}

@InputType({ description: 'The standing calendar of one resource kind at a site; replaces any earlier one for that resource.' })
export class ResourceCalendarInput {
  @Field({ description: 'Site code.' })
  siteCode!: string;
  @Field(() => SiteResourceEnum, { description: 'Which resource.' })
  resource!: string;
  @Field(() => Int, { description: 'How many chairs or beds (0 to 500).' })
  count!: number;
  @Field(() => [WeekdayEnum], { description: 'Days it opens.' })
  openingDays!: string[];
  // Optional rather than defaulted: graphql-jit does not apply input-field defaults to variables.
  @Field(() => [Session], { nullable: true, description: 'Chairs: 1 to 4 sessions a day. Beds: none (empty).' })
  sessions?: Session[] | null;
  @Field(() => Boolean, { nullable: true, description: 'Whether it opens on bank holidays (default: no).' })
  openOnBankHolidays?: boolean | null;
  @Field(() => GraphQLLocalDate, { description: 'First day this calendar applies (local date).' })
  effectiveFrom!: string;
}

@ObjectType({ description: 'Days when some or all of a resource is out.' })
export class CalendarException {
  @Field(() => ID, { description: 'Exception id.' })
  exceptionId!: string;
  @Field(() => String, { nullable: true, description: 'Site it applies to.' })
  siteCode!: string | null;
  @Field(() => String, { nullable: true, description: 'Unit it applies to.' })
  unitId!: string | null;
  @Field(() => SiteResourceEnum, { nullable: true, description: 'Resource affected; empty: all of the owner’s resources.' })
  resource!: string | null;
  @Field(() => ExceptionKindEnum, { description: 'Why.' })
  kind!: string;
  @Field(() => GraphQLLocalDate, { description: 'First day (local date, inclusive).' })
  from!: string;
  @Field(() => GraphQLLocalDate, { description: 'Last day (local date, inclusive).' })
  to!: string;
  @Field(() => Int, { nullable: true, description: 'How many are out; empty: all.' })
  unavailable!: number | null;
  @Field({ description: 'The reason recorded.' })
  reason!: string;
}

@InputType({ description: 'Days when some or all of a resource is out. Give siteCode (with or without resource) or unitId.' })
export class CalendarExceptionInput {
  @Field(() => ID, { nullable: true, description: 'Your id for it (makes retries safe); generated when empty.' })
  exceptionId?: string | null;
  @Field(() => String, { nullable: true, description: 'Site whose chairs or beds are affected.' })
  siteCode?: string | null;
  @Field(() => String, { nullable: true, description: 'Unit whose batch slots are affected.' })
  unitId?: string | null;
  @Field(() => SiteResourceEnum, { nullable: true, description: 'Site resource affected; empty: all of the site’s resources.' })
  resource?: string | null;
  @Field(() => ExceptionKindEnum, { description: 'Why.' })
  kind!: string;
  @Field(() => GraphQLLocalDate, { description: 'First day (local date, inclusive).' })
  from!: string;
  @Field(() => GraphQLLocalDate, { description: 'Last day (local date, inclusive).' })
  to!: string;
  @Field(() => Int, { nullable: true, description: 'How many are out; empty: all.' })
  unavailable?: number | null;
  @Field({ description: 'The reason, for the record.' })
  reason!: string;
}

@ObjectType({ description: 'The calendar of a site (its resources) or of a unit, with current exceptions.' })
export class ResourceCalendar {
  @Field(() => String, { nullable: true, description: 'The site it belongs to.' })
  siteCode!: string | null;
  @Field(() => String, { nullable: true, description: 'The unit it belongs to.' })
  unitId!: string | null;
  @Field(() => [ResourceSchedule], { description: 'Standing calendars per resource (sites only).' })
  resources!: ResourceSchedule[];
  @Field(() => [CalendarException], { description: 'Exceptions in force, by first day.' })
  exceptions!: CalendarException[];
}

@ObjectType({ description: 'Travel between two sites.' })
export class TravelTime {
  @Field({ description: 'From site.' })
  fromSiteCode!: string;
  @Field({ description: 'To site.' })
  toSiteCode!: string;
  @Field(() => Float, { description: 'Hours by road.' })
  hours!: number;
  @Field({ description: 'Whether a courier run may carry fresh starting material on this route.' })
  freshCourier!: boolean;
}

@InputType({ description: 'Travel between two sites (taken to be the same both ways).' })
export class TravelTimeInput {
  @Field({ description: 'One site.' })
  fromSiteCode!: string;
  @Field({ description: 'The other site.' })
  toSiteCode!: string;
  @Field(() => Float, { description: 'Hours by road (more than 0, up to 48).' })
  hours!: number;
  @Field({ description: 'Whether a courier run may carry fresh starting material.' })
  freshCourier!: boolean;
  @Field(() => String, { nullable: true, description: 'Why (source of the figure).' })
  reason?: string | null;
}

@ObjectType({ description: 'Minutes of travel from a postcode district to a site: what the stay-within-reach rule judges a patient’s district by.' })
export class DistrictTravelTime {
  @Field({ description: 'The postcode district (outward code), e.g. "M20".' })
  district!: string;
  @Field({ description: 'The site (a treatment centre).' })
  siteCode!: string;
  @Field(() => Int, { description: 'Minutes of travel from the district to the site.' })
  minutes!: number;
}

@InputType({ description: 'Minutes from one postcode district to the site.' })
export class DistrictMinutesInput {
  @Field({ description: 'The postcode district: the part of the postcode before the space, e.g. "M20" (never a full postcode).' })
  district!: string;
  @Field(() => Int, { description: 'Minutes of travel to the site, 0 to 1440.' })
  minutes!: number;
}

@InputType({ description: 'Travel times from postcode districts to one site; a district given again replaces its earlier time.' })
export class DistrictTravelTimesInput {
  @Field({ description: 'The site the districts are measured to.' })
  siteCode!: string;
  @Field(() => [DistrictMinutesInput], { description: 'Each district once, with its minutes (1 to 2,000).' })
  times!: DistrictMinutesInput[];
  @Field(() => String, { nullable: true, description: 'Why, or the source of the figures.' })
  reason?: string | null;
}

@ObjectType({ description: 'A page of travel times, from each site nearest first.' })
export class TravelTimeConnection extends Connection(TravelTime, 'TravelTime', 'travel time') {}

@ObjectType({ description: 'A page of a product’s DMMF versions, oldest first.' })
export class DmmfConnection extends Connection(Dmmf, 'Dmmf', 'DMMF version') {}
