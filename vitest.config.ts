import { defineConfig } from 'vitest/config';

// One vitest project per workspace package (tests/: the workspace as a whole); each package's
// vitest.config.ts names itself.
export default defineConfig({
  test: {
    projects: ['packages/*', 'services/*', 'tests'],
  },
});
