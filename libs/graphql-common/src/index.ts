export * from './pagination';
export * from './request-context';
export * from './error-formatter';
export * from './enums';
export * from './limits';
export * from './loaders';
export * from './scalars';
export * from './field-resolvers';
