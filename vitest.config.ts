import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{gateway,mappings,workers,profiles,test}/**/*.test.ts'],
    // Integration tests start real processes (FHIR store, gateway) and talk to Redis:
    // give them room on a 2-core machine, but never let one hang CI.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
