#!/usr/bin/env node
// Regenerates fixtures/plans/ from terraform/: `pnpm fixtures:plans [name ...]`.
// Exit 0 when every plan was written, 2 when the IaC tier or the fixture list is missing or
// invalid, 1 when a plan failed (OpenTofu or moto). Nothing is written unless every requested
// plan succeeded.
import { isStackproofError, repoPath } from '@stackproof/core';
import { generatePlanFixtures } from './plan-fixtures.ts';

/** A plan that ran and failed, as opposed to a machine or an input that cannot run one. */
const PLAN_FAILURES = new Set(['TOFU_FAILED', 'COMPONENT_START_FAILED', 'TOOL_FAILED']);

try {
  const manifest = await generatePlanFixtures({
    terraformRoot: repoPath('terraform'),
    outDir: repoPath('fixtures', 'plans'),
    only: process.argv.slice(2),
  });
  process.stdout.write(`wrote ${manifest.fixtures.length} plan fixture(s) to fixtures/plans/\n`);
} catch (err) {
  if (!isStackproofError(err)) throw err;
  process.stderr.write(`plan-fixtures: ${err.code}: ${err.message}\n`);
  process.exitCode = PLAN_FAILURES.has(err.code) ? 1 : 2;
}
