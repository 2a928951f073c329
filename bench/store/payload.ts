import { randomUUID } from 'node:crypto';
import type { EventMetadata } from '@bedside/event-store';

const SITES = ['royal-free', 'kings-college', 'the-christie', 'qe-birmingham', 'st-james-leeds'];
const STEPS = ['apheresis', 'manufacture', 'qp-release', 'conditioning', 'infusion'];
const BASE_TIME = Date.UTC(2026, 10, 2, 8, 0);

export const EVENT_TYPE = 'BookingSlotReserved';

/**
 * A booking-shaped event of about 300 bytes of JSON: the size the issue asks for, and close to what the
 * pathways context records. Fresh ids per event, so rows and index entries are as varied as real ones.
 */
export function eventData(sequence: number): Record<string, unknown> {
  const start = BASE_TIME + (sequence % 10_000) * 15 * 60_000;
  return {
    bookingId: randomUUID(),
    referralId: randomUUID(),
    patientRef: `PT-${100_000 + (sequence % 900_000)}`,
    siteId: `site-${SITES[sequence % SITES.length]}`,
    resourceId: `apheresis-chair-${(sequence % 12) + 1}`,
    step: STEPS[sequence % STEPS.length],
    slot: { start: new Date(start).toISOString(), end: new Date(start + 4 * 3_600_000).toISOString() },
    dmmf: 'dmmf-car-t-07',
  };
}

/** The "who, on whose behalf, which request" metadata every append carries. */
export function appendMetadata(sequence: number): EventMetadata {
  return {
    actor: `user:coordinator-${sequence % 40}`,
    onBehalfOf: `trust:${SITES[sequence % SITES.length]}`,
    correlationId: randomUUID(),
  };
}

export function newStreamId(): string {
  return `booking-${randomUUID()}`;
}

/** Average serialised sizes, for the report, so a reader knows what "an event" weighed in this run. */
export function payloadSizes(samples = 1000): { dataBytes: number; metadataBytes: number } {
  let data = 0;
  let metadata = 0;
  for (let i = 0; i < samples; i++) {
    data += Buffer.byteLength(JSON.stringify(eventData(i)));
    metadata += Buffer.byteLength(JSON.stringify(appendMetadata(i)));
  }
  return { dataBytes: Math.round(data / samples), metadataBytes: Math.round(metadata / samples) };
}
