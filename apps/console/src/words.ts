import { browserNow } from './clock';

/** Where a pathway stands, in the words on a ward (schema.graphql PathwayStatus), in pathway order. */
export const STATUS_WORDS = {
  REFERRED: 'Referred',
  PLAN_HELD: 'Plan held',
  BOOKED: 'Booked',
  COLLECTED: 'Cells collected',
  IN_TRANSIT: 'Cells in transit',
  RECEIVED: 'Cells received',
  IN_MANUFACTURE: 'In manufacture',
  MANUFACTURED: 'Manufactured',
  RELEASED: 'Released',
  CONDITIONING: 'Conditioning',
  INFUSED: 'Infused, in monitoring',
  DISCHARGED: 'Discharged',
  PRODUCT_FAILED: 'Product failed',
  WITHDRAWN: 'Withdrawn',
} as const;
export type PathwayStatus = keyof typeof STATUS_WORDS;

/** Every time the console shows is UK time, and says so (issue 15 §7): the network's sites are all in Europe/London. */
export const TIME_ZONE = 'Europe/London';
const dateTime = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', dateStyle: 'medium' });

export const showDateTime = (iso: string) => dateTime.format(new Date(iso));
/** A calendar day ("2027-03-05") as written, whatever the browser's own zone. */
export const showDay = (day: string) => dateOnly.format(new Date(`${day}T00:00:00Z`));

/** A plan's steps in the words of the pathway (plan-search.ts PlanStepKind; schema.graphql TimelineStepKind). */
export const STEP_WORDS: Record<string, string> = {
  APHERESIS: 'Cell collection (apheresis)',
  TRANSPORT: 'Courier to the unit',
  MANUFACTURE: 'Manufacture',
  QC_RELEASE: 'QC release',
  CONDITIONING: 'Conditioning',
  INFUSION: 'Infusion',
  MONITORING: 'Monitoring',
  ICU: 'ICU cover reserved',
};

export const STEP_STATUS_WORDS: Record<string, string> = {
  PLANNED: 'Planned',
  IN_PROGRESS: 'Under way',
  DONE: 'Done',
  FAILED: 'Failed',
  CANCELLED: 'Cancelled',
};

export const DRUG_CLASS_WORDS = {
  NONE: 'None',
  CORTICOSTEROID: 'Corticosteroid',
  CYTOTOXIC_CHEMOTHERAPY: 'Cytotoxic chemotherapy',
  IMMUNOTHERAPY: 'Immunotherapy',
} as const;

export const PRIORITY_WORDS = { ROUTINE: 'Routine', URGENT: 'Urgent', EMERGENCY: 'Emergency' } as const;

/** A step's time span: "5 Dec 2026, 09:00 to 6 Dec 2026, 17:00". */
export const showSpan = (start: string, end: string) => `${showDateTime(start)} to ${showDateTime(end)}`;

const ukDay = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });
/** Today's date in the UK ("2026-12-05"), by the browser's clock. */
export const todayInUk = () => ukDay.format(browserNow());
/** A calendar day moved by whole days, by the calendar (no time zone can shift it). */
export const addDays = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** A clinical step as it is recorded (schema.graphql LifecycleStepKind), in the words of the ward and the unit. */
export const LIFECYCLE_STEP_WORDS = {
  COLLECTION: 'Cells collected',
  HANDOVER: 'Handover',
  MANUFACTURE_STARTED: 'Manufacture started',
  MANUFACTURE_COMPLETED: 'Manufacture completed',
  MANUFACTURE_FAILED: 'Manufacture failed',
  PRODUCT_RELEASED: 'Product released by QC (signed by you)',
  QC_FAILED: 'QC failed',
  AVAILABILITY_CONFIRMED: 'Product availability confirmed',
  CONDITIONING_STARTED: 'Conditioning started',
  CONDITIONING_DOSE: 'Conditioning dose given',
  THAWED: 'Product thawed at the bedside',
  INFUSED: 'Infused',
  DISCHARGED: 'Discharged from monitoring',
  WITHDRAWN: 'Pathway withdrawn (or the patient died)',
} as const;
export type LifecycleStepKind = keyof typeof LIFECYCLE_STEP_WORDS;

/** An open step as one line: the handover's end, the dose's day, the course. */
export function openStepWords(open: { step: LifecycleStepKind; handover: 'SHIPPED' | 'RECEIVED' | null; conditioningDay: number | null; course: number | null }): string {
  if (open.step === 'HANDOVER') return open.handover === 'SHIPPED' ? 'Cells handed to the courier (shipped)' : 'Cells received at the unit';
  if (open.step === 'CONDITIONING_DOSE') return `Conditioning dose given, day ${open.conditioningDay}`;
  if (open.step === 'CONDITIONING_STARTED' && open.course) return `Conditioning started again (course ${open.course})`;
  return LIFECYCLE_STEP_WORDS[open.step];
}

/** A site's lifecycle status (schema.graphql SiteStatus), and a unit's qualification (QualificationState). */
export const SITE_STATUS_WORDS: Record<string, string> = { PROPOSED: 'Proposed', ONBOARDING: 'Onboarding', ACTIVE: 'Active', PAUSED: 'Paused', SUSPENDED: 'Suspended', CEASED: 'Ceased' };
export const QUALIFICATION_WORDS: Record<string, string> = { QUALIFIED: 'Qualified', REQUALIFYING: 'Requalifying', OUT_OF_SERVICE: 'Out of service' };
/** Where a deployment of a mobile unit stands on the day (schema.graphql DeploymentStatus). */
export const DEPLOYMENT_STATUS_WORDS: Record<string, string> = { PLANNED: 'Leaves on a later day', MOVING: 'Moving: no capacity anywhere', IN_PLACE: 'In place, making product', ENDED: 'Left again' };
