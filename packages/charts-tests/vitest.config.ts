import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'charts',
    include: ['src/**/*.test.ts'],
    // helm renders and the apiserver start take seconds, not milliseconds.
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
