export * from './site';
export * from './site-events';
export * from './site-lifecycle';
export * from './site-validation';
export * from './product-process';
export * from './dmmf';
export * from './modular-unit';
export * from './calendar';
export * from './capacity';
export * from './travel';
export * from './unit-move';
export * from './deployment';
export * from './region';

import { CalendarExceptionAdded, CalendarExceptionWithdrawn, ResourceCalendarSet } from './calendar';
import { UnitDeployed, UnitRecalled } from './deployment';
import { DmmfVersionPublished } from './dmmf';
import { UnitQualificationChanged, UnitRegistered } from './modular-unit';
import { SITE_EVENT_CLASSES } from './site-events';
import { BankHolidaysDeclared, DistrictTravelTimesSet, TravelTimeSet } from './travel';

/** Every event the network context records. */
export const NETWORK_EVENT_CLASSES = [
  ...SITE_EVENT_CLASSES,
  DmmfVersionPublished,
  UnitRegistered,
  UnitQualificationChanged,
  UnitDeployed,
  UnitRecalled,
  ResourceCalendarSet,
  CalendarExceptionAdded,
  CalendarExceptionWithdrawn,
  TravelTimeSet,
  DistrictTravelTimesSet,
  BankHolidaysDeclared,
] as const;
