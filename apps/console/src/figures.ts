/** What reading a typed figure gave: the number (null when left empty and not needed), or why it cannot be read. */
export type Read = { readonly value: number | null; readonly problem?: undefined } | { readonly value?: undefined; readonly problem: string };

/**
 * A figure as a person types it ("3,000,000", " 2.5 "). The API takes numbers; a word typed where a
 * number belongs is said back here, in words, and never sent as "not given". Whether the number is
 * within bounds is the API's to judge, in its own words.
 */
export function readFigure(typed: string | undefined, label: string, options: { required?: boolean; whole?: boolean } = {}): Read {
  const text = (typed ?? '').trim().replace(/,/g, '');
  if (text === '') return options.required ? { problem: `Give ${label}.` } : { value: null };
  const value = Number(text);
  if (!Number.isFinite(value)) return { problem: `Give ${label} as a number, for example ${options.whole ? '3' : '2.5'}.` };
  if (options.whole && !Number.isInteger(value)) return { problem: `Give ${label} as a whole number.` };
  return { value };
}

/** Reads many figures at once: their values by key, and every problem, in the order asked. */
export function readFigures<Key extends string>(asked: readonly (readonly [Key, string | undefined, string, { required?: boolean; whole?: boolean }?])[]): { values: Record<Key, number | null>; problems: string[] } {
  const values = {} as Record<Key, number | null>;
  const problems: string[] = [];
  for (const [key, typed, label, options] of asked) {
    const read = readFigure(typed, label, options);
    if (read.problem) problems.push(read.problem);
    else values[key] = read.value ?? null;
  }
  return { values, problems };
}
