import type { RecordedEvent } from '@bedside/event-store';
import type { ElectronicSignature } from '@bedside/shared';
import type { Signature } from './audit.types';

/** The signature an event's data carries (issue 14 §2), as the audit trail shows it. */
export function signatureIn(event: RecordedEvent): Signature | null {
  const signature = (event.data as { signature?: ElectronicSignature }).signature;
  return signature ? { ...signature, signedAt: new Date(signature.signedAt), signedInAt: new Date(signature.signedInAt) } : null;
}
