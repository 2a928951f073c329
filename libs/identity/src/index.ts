export * from './identity';
export * from './token-verifier';
export * from './development-keys';
