import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'sandbox',
    include: ['src/**/*.test.ts'],
    // Real processes (moto, the control plane) on a shared 2-core machine: generous bounds, and
    // timings are measured in bench/, never asserted.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
