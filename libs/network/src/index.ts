export * from './domain';
export * from './network.module';
export * from './projections/site-directory.projection';
export * from './projections/site-record.entity';
export { CreateSites1763700000200 } from './projections/migrations/1763700000200-create-sites';
