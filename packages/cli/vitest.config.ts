import { defineProject } from 'vitest/config';

// Every test here runs the real bin in a child process, some against moto seeded with the whole
// reference account: on a busy 2-core machine one run can take seconds.
export default defineProject({
  test: { name: 'cli', include: ['src/**/*.test.ts'], testTimeout: 60_000 },
});
