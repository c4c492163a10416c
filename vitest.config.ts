import { defineConfig } from 'vitest/config';

// Per-project configs do not inherit from here: each sets its own testTimeout (60 s or more, since
// the suite shares 2 cores with sandboxes and subprocesses and a 5 s default only measures load).
// The root `test` script passes --maxWorkers=2: vitest's default in run mode is cores - 1, one file
// at a time on this 2-core machine, while the sandbox files spend most of their minutes waiting
// on the cluster (scale-in windows, fault windows, rollouts). A `maxWorkers` set here does not
// reach the projects; the command-line flag does.
// One vitest project per workspace package (tests/: the workspace as a whole); each package's
// vitest.config.ts names itself.
export default defineConfig({
  test: {
    projects: ['packages/*', 'services/*', 'tests'],
  },
});
