/** A GraphQL enum object whose names are its values, from a domain list of literals. */
export const asEnum = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v, v])) as Record<T, T>;
