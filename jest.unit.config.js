// The unit tier (`npm run test:unit`, issue 12 §8): the pure domain and decide specs that live in
// libs/, and the architecture checks, with no PostgreSQL started or needed, so a rule can be
// changed and checked in seconds. `npm test` still runs these and everything else.
// test/architecture/unit-tier.spec.ts keeps libs/ specs free of the database helpers.
const base = require('./jest.config');

const { globalSetup, globalTeardown, ...withoutDatabase } = base;

module.exports = {
  ...withoutDatabase,
  roots: ['<rootDir>/libs', '<rootDir>/test/architecture'],
  testTimeout: 20_000,
};
