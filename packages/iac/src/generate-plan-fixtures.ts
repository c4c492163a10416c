#!/usr/bin/env node
// Regenerates fixtures/plans/ from terraform/: `pnpm fixtures:plans [name ...]`.
// Exit 0 when every plan was written, 2 when the IaC tier or the fixture list is missing or
// invalid, 1 when a plan failed. Nothing is written unless every requested plan succeeded.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IacError } from './iac-error.ts';
import { generatePlanFixtures } from './plan-fixtures.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

try {
  const manifest = await generatePlanFixtures({
    terraformRoot: join(repoRoot, 'terraform'),
    outDir: join(repoRoot, 'fixtures', 'plans'),
    only: process.argv.slice(2),
  });
  process.stdout.write(`wrote ${manifest.fixtures.length} plan fixture(s) to fixtures/plans/\n`);
} catch (err) {
  if (err instanceof IacError) {
    process.stderr.write(`plan-fixtures: ${err.code}: ${err.message}\n`);
    process.exit(err.code === 'TOFU_FAILED' || err.code === 'MOTO_START_FAILED' ? 1 : 2);
  }
  throw err;
}
