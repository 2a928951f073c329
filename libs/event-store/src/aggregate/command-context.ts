import type { EventMetadata } from '../types';

/**
 * Who asked, for whom, and why: becomes the metadata of every event the command records. `trusts`
 * are the trusts the caller's token lets them act for (schedulers); `onBehalfOf` the one acted for.
 */
export type CommandContext = EventMetadata & {
  readonly trusts?: readonly string[];
  /** When the caller signed in (ISO instant, from the token): what an electronic signature is checked against (issue 14 §2). */
  readonly signedInAt?: string;
};
