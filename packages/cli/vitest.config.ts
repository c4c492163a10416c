import { defineProject } from 'vitest/config';

// Every test here runs the real `stackproof` bin in a child process (Node start, the wasm bundle,
// k6), some against moto seeded with the whole reference account: a few seconds each, more while
// the suite's load and sandbox tests keep both cores busy; vitest's 5 s default timed out.
export default defineProject({
  test: { name: 'cli', include: ['src/**/*.test.ts'], testTimeout: 60_000 },
});
