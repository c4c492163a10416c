import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'delivery',
    include: ['src/**/*.test.ts'],
    // Checkov scans terraform/ in ~10 s; the workflow check runs the real CLI's --help.
    testTimeout: 180_000,
  },
});
