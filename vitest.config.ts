import { defineConfig } from 'vitest/config';

// Per-project configs do not inherit from here: each sets its own testTimeout (60 s or more, since
// the suite shares 2 cores with sandboxes and subprocesses and a 5 s default only measures load).
// One vitest project per workspace package (tests/: the workspace as a whole); each package's
// vitest.config.ts names itself.
export default defineConfig({
  test: {
    projects: ['packages/*', 'services/*', 'tests'],
  },
});
