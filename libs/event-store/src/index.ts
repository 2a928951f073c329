export * from './types';
export * from './errors';
export * from './upcasters';
export * from './postgres/postgres-event-store';
export { CreateEventStore1763700000000 } from './postgres/migrations/1763700000000-create-event-store';
export * from './aggregate/aggregate-repository';
export * from './aggregate/command-context';
export * from './aggregate/event-type-registry';
export * from './nest/event-store.module';
