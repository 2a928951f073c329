export * from './domain';
export * from './errors';
export * from './roles';
export * from './local-date';
export * from './text';
export * from './numbers';
export * from './access';
export * from './clock';
