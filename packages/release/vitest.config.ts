import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'release',
    include: ['src/**/*.test.ts'],
    // helm and the chart render in seconds; the sandbox proof sets its own, longer bounds.
    testTimeout: 120_000,
  },
});
