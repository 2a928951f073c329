export * from './domain/surge/surge-instance';
export * from './domain/surge/surge-plan';
export * from './domain/surge/surge-model';
export * from './domain/surge/surge-baselines';
export * from './domain/surge/surge-exhaustive';
