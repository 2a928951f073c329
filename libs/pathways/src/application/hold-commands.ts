// Placing, confirming and releasing a hold, one file each (issue 12 §4); their decisions are domain/hold-decisions.ts.
export * from './hold-shared';
export * from './place-hold';
export * from './confirm-hold';
export * from './release-hold';
