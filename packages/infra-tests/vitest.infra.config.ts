import { defineConfig } from 'vitest/config';

// `pnpm test:infra`: the live suites (infra/*.infra.test.ts) against a stack after apply, or the
// sandbox. Not part of `make test`'s projects: they need a live target. Add your own
// *.infra.test.ts files beside them; they can reuse the checks (see infra/README.md).
export default defineConfig({
  test: {
    name: 'infra',
    include: ['infra/**/*.infra.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ['default', 'junit'],
    outputFile: { junit: '../../.reports/test-infra/junit.xml' },
  },
});
