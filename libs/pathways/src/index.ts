export * from './domain';
export * from './pathways.module';
export * from './application/hold-expiry';
export * from './application/hold-commands';
export * from './projections/pathway.projections';
export { CreatePathways1763700000500 } from './projections/migrations/1763700000500-create-pathways';
export { PathwayProgress1763700000600 } from './projections/migrations/1763700000600-pathway-progress';
export { PathwayPostponement1763700000700 } from './projections/migrations/1763700000700-pathway-postponement';
export * from './application/waitlist-offers';
