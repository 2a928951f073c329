import { registerEnumType } from '@nestjs/graphql';
import { asEnum } from '@bedside/graphql-common';
import {
  CONDITIONING_GATES,
  EXCEPTION_KINDS,
  QC_METHODS,
  QUALIFICATION_STATES,
  REGION_CODES,
  UK_REGIONS,
  SITE_RESOURCES,
  STARTING_MATERIALS,
  UNIT_KINDS,
  UNIT_MOBILITIES,
  WEEKDAYS,
} from '../domain';

export const RegionEnum = asEnum(REGION_CODES);
registerEnumType(RegionEnum, {
  name: 'Region',
  description: 'Where a site is, and where demand and deployments are stated: the seven NHS England regions and the three devolved nations.',
  valuesMap: Object.fromEntries(UK_REGIONS.map((r) => [r.code, { description: r.name }])),
});

export const UnitKindEnum = asEnum(UNIT_KINDS);
registerEnumType(UnitKindEnum, {
  name: 'UnitKind',
  description: 'What a modular unit makes.',
  valuesMap: {
    CELL_THERAPY: { description: 'Cell-therapy manufacturing (e.g. a Cocoon- or Cell Shuttle-class closed automated system).' },
    FILL_FINISH: { description: 'Vaccine fill-finish, for surge deployments.' },
  },
});

export const UnitMobilityEnum = asEnum(UNIT_MOBILITIES);
registerEnumType(UnitMobilityEnum, {
  name: 'UnitMobility',
  description: 'Whether a unit stays at its home site or can be deployed elsewhere.',
  valuesMap: { FIXED: { description: 'Installed at its home site.' }, MOBILE: { description: 'Can be moved and requalified at another site.' } },
});

export const QualificationStateEnum = asEnum(QUALIFICATION_STATES);
registerEnumType(QualificationStateEnum, {
  name: 'QualificationState',
  description: 'Whether a unit may manufacture. Only QUALIFIED units have bookable batch slots.',
  valuesMap: {
    QUALIFIED: { description: 'Qualified: may manufacture.' },
    REQUALIFYING: { description: 'Being qualified (new) or requalified (after a move or repair).' },
    OUT_OF_SERVICE: { description: 'Out of service (fault, maintenance).' },
  },
});

export const StartingMaterialEnum = asEnum(STARTING_MATERIALS);
registerEnumType(StartingMaterialEnum, {
  name: 'StartingMaterial',
  description: 'How collected cells travel to manufacture.',
  valuesMap: {
    FRESH: { description: 'Fresh at 2-8 °C: manufacture must start within the hold.' },
    CRYOPRESERVED: { description: 'Frozen at the collection site: no hold binds, thawing adds time.' },
  },
});

export const QcMethodEnum = asEnum(QC_METHODS);
registerEnumType(QcMethodEnum, {
  name: 'QcMethod',
  description: 'Release testing method.',
  valuesMap: { RAPID: { description: 'Rapid microbial methods (about 3 days).' }, COMPENDIAL: { description: 'Compendial sterility (14-day culture).' } },
});

export const ConditioningGateEnum = asEnum(CONDITIONING_GATES);
registerEnumType(ConditioningGateEnum, {
  name: 'ConditioningGate',
  description: 'What must be confirmed before lymphodepleting conditioning starts (product labels).',
  valuesMap: {
    RELEASE_BEFORE_CONDITIONING: { description: 'Frozen product: released and in stock before conditioning starts.' },
    CONDITIONING_DURING_MANUFACTURE: {
      description: 'Fresh point-of-care product: conditioning runs during the last days of manufacture; the unit confirms the batch is on track.',
    },
  },
});

export const SiteResourceEnum = asEnum(SITE_RESOURCES);
registerEnumType(SiteResourceEnum, {
  name: 'SiteResource',
  description: 'A bookable clinical resource of a site.',
  valuesMap: {
    APHERESIS_CHAIR: { description: 'Leukapheresis chair, booked by session.' },
    CONDITIONING_CHAIR: { description: 'Day-unit chair for lymphodepleting conditioning, booked by session.' },
    INFUSION_BED: { description: 'Bed for infusion day, booked by the day.' },
    MONITORING_BED: { description: 'Inpatient or day-unit monitoring bed, booked by the day.' },
    ICU_BED: { description: 'Intensive care bed reserved for CAR-T toxicity, booked by the day.' },
  },
});

export const ResourceEnum = asEnum([...SITE_RESOURCES, 'MANUFACTURING_BAY'] as const);
registerEnumType(ResourceEnum, {
  name: 'Resource',
  description: 'Any bookable resource: a site resource, or a modular unit’s batch slots (MANUFACTURING_BAY).',
  valuesMap: {
    APHERESIS_CHAIR: { description: 'Leukapheresis chair, booked by session.' },
    CONDITIONING_CHAIR: { description: 'Conditioning chair, booked by session.' },
    INFUSION_BED: { description: 'Infusion bed, booked by the day.' },
    MONITORING_BED: { description: 'Monitoring bed, booked by the day.' },
    ICU_BED: { description: 'ICU bed, booked by the day.' },
    MANUFACTURING_BAY: { description: 'Batch slots of a modular unit, booked by the day for the length of manufacture.' },
  },
});

export const WeekdayEnum = asEnum(WEEKDAYS);
registerEnumType(WeekdayEnum, {
  name: 'Weekday',
  description: 'Day of the week.',
  valuesMap: Object.fromEntries(
    WEEKDAYS.map((day, i) => [day, { description: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'][i]! }]),
  ) as Record<(typeof WEEKDAYS)[number], { description: string }>,
});

export const ExceptionKindEnum = asEnum(EXCEPTION_KINDS);
registerEnumType(ExceptionKindEnum, {
  name: 'ExceptionKind',
  description: 'Why capacity is out on some days.',
  valuesMap: {
    MAINTENANCE: { description: 'Planned maintenance or servicing.' },
    OUTAGE: { description: 'Unplanned outage (fault, incident).' },
    BANK_HOLIDAY: { description: 'A local holiday closure beyond the national bank holidays.' },
    STAFF_SHORTAGE: { description: 'Not enough staff to run it.' },
  },
});
