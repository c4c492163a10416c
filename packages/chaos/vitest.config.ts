import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'chaos',
    include: ['src/**/*.test.ts'],
    // Faults run against a real moto: building a fixture VPC takes dozens of API calls, and the
    // machine is shared; bounds are generous, timings are never asserted.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
