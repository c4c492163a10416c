import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'gameday',
    include: ['src/**/*.test.ts'],
    // The sandbox game day runs for minutes on a shared machine: bounds are generous, timings are
    // never asserted (figures come from the demo and the bench, into docs/benchmarks.md).
    testTimeout: 60_000,
    hookTimeout: 600_000,
  },
});
