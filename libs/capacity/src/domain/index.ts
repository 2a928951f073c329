// The capacity slice's pure vocabulary and rules: no Nest, no I/O. Other slices' domain code imports
// these through `@bedside/capacity/domain`, which loads nothing else of the slice.
export * from './slot';
export * from './commitments';
export * from './resource-days';
