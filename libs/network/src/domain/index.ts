export * from './site';
export * from './site-events';
export * from './site-lifecycle';
export * from './site-validation';
