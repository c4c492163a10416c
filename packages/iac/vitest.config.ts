import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'iac', include: ['src/**/*.test.ts'], testTimeout: 120_000 },
});
