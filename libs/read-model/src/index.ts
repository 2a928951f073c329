export * from './projection';
export * from './projection-engine';
export * from './projection-registry';
export * from './reactor';
export * from './checkpoint-store';
export * from './upsert-rows';
export * from './nest/read-model.module';
export * from './nest/live-updates';
export { CreateProjectionCheckpoints1763700000100 } from './migrations/1763700000100-create-projection-checkpoints';
