import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '@stackproof/core';
import { afterAll, describe, expect, it } from 'vitest';
import { detectIacTier } from './iac-tier.ts';
import { generatePlanFixtures } from './plan-fixtures.ts';

const TERRAFORM_ROOT = repoPath('terraform');

describe('generatePlanFixtures', () => {
  const out = mkdtempSync(join(tmpdir(), 'stackproof-planfix-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('refuses to run without the IaC tier and writes nothing', async () => {
    await expect(
      generatePlanFixtures({
        terraformRoot: TERRAFORM_ROOT,
        outDir: out,
        env: { PATH: process.env.PATH ?? '' },
      }),
    ).rejects.toMatchObject({
      code: 'IAC_TIER_MISSING',
      message: expect.stringMatching(/TF_CLI_CONFIG_FILE|OpenTofu/),
    });
    expect(readdirSync(out)).toEqual([]);
  });

  const tier = detectIacTier();
  if (!tier.ready) console.warn(`[iac] skipping plan against moto: ${tier.reason}`);

  it.skipIf(!tier.ready)('plans the network workspace against moto into a manifest', async () => {
    const manifest = await generatePlanFixtures({
      terraformRoot: TERRAFORM_ROOT,
      outDir: out,
      only: ['network'],
      log: () => {},
    });
    expect(manifest.fixtures.map((f) => f.file)).toEqual(['network.json']);
    expect(existsSync(join(out, 'network.json'))).toBe(true);
  });
});
