/**
 * What some read models have applied, as one key, in SQL over the `$n` parameter naming them (a text
 * array): `events_applied` only grows when a projection applied an event it reads (its tables can
 * only have changed then), and a rebuild resets it and stamps `rebuilt_at`. A reader keeps what it
 * worked out from those tables while the key stands; it reads the key in the statement that reads
 * what depends on it, or before, never after.
 */
export const appliedKeySql = (param: string) =>
  `(SELECT string_agg(name || ':' || events_applied || ':' || coalesce(rebuilt_at::text, '-'), ',' ORDER BY name) FROM projection_checkpoints WHERE name = ANY(${param}))`;
