export * from './embedded-postgres';
export * from './ensure-database';
export * from './migrate';
export * from './open-database';
export * from './prepared-query';
