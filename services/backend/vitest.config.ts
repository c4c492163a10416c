import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'backend',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Real PostgreSQL servers and container builds: generous but bounded.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
