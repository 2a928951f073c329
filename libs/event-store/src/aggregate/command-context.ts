import type { EventMetadata } from '../types';

/** Who asked, for whom, and why: becomes the metadata of every event the command records. */
export type CommandContext = EventMetadata;
