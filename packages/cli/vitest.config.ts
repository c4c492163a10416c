import { defineProject } from 'vitest/config';

export default defineProject({
  // The tests run the real `stackproof` bin as subprocesses (Node start, the wasm bundle, k6): a
  // few seconds each, more while the suite's load and sandbox tests keep both cores busy; vitest's
  // 5 s default timed out on healthy runs.
  test: { name: 'cli', include: ['src/**/*.test.ts'], testTimeout: 30_000 },
});
