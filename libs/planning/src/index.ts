export * from './domain/surge/surge-instance';
export * from './domain/surge/surge-plan';
export * from './domain/surge/surge-model';
export * from './domain/surge/surge-baselines';
export * from './domain/surge/surge-exhaustive';
export * from './solver/solve-program';
export * from './solver/solve-in-worker';
export * from './domain/surge/reference-instance';
