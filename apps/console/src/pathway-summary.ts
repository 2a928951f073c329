import type { PathwayStatus, PRIORITY_WORDS } from './words';

/** The fields of a pathway every page that lists or opens one asks for (schema.graphql Pathway). */
export const PATHWAY_SUMMARY_FIELDS = 'coi patientRef status productCode referringTrust treatmentCentre priority referredAt earliestCollectionDate';

/** A pathway as PATHWAY_SUMMARY_FIELDS brings it. */
export interface PathwaySummary {
  coi: string;
  patientRef: string;
  status: PathwayStatus;
  productCode: string;
  referringTrust: string;
  treatmentCentre: string | null;
  priority: keyof typeof PRIORITY_WORDS;
  referredAt: string;
  earliestCollectionDate: string;
}
