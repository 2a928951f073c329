export * from './domain';
export * from './network.module';
export * from './projections/site-directory.projection';
export * from './projections/site-record.entity';
export * from './projections/capacity.projection';
export * from './projections/network-model.projections';
export { CreateSites1763700000200 } from './projections/migrations/1763700000200-create-sites';
export { CreateNetworkModel1763700000300 } from './projections/migrations/1763700000300-create-network-model';
