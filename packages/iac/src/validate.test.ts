import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '@stackproof/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectIacTier } from './iac-tier.ts';
import { runTofu, runTofuOrThrow } from './tofu.ts';

const TERRAFORM_ROOT = repoPath('terraform');

const WORKSPACES = [
  '_tfstate',
  'network',
  'eks/prod1/infra',
  'eks/prod1/k8s',
  'rds',
  'services/backend',
  'services/frontend',
];

// The IaC tier is opt-in (make tools-iac): without it these tests are skipped with the reason.
const tier = detectIacTier();
if (!tier.ready) console.warn(`[iac] skipping tofu validate: ${tier.reason}`);

describe.skipIf(!tier.ready)('tofu validate', () => {
  const tofu = tier.tofu?.path as string;
  // describe bodies run at collection even when skipped: touch nothing here, only in hooks.
  let scratch = '';
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'stackproof-validate-'));
    cpSync(TERRAFORM_ROOT, scratch, {
      recursive: true,
      filter: (src) => !src.includes('.terraform'),
    });
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const hasProvider = (name: string) =>
    tier.providerMirror !== undefined &&
    existsSync(join(tier.providerMirror, 'registry.opentofu.org', 'hashicorp', name));

  for (const ws of WORKSPACES) {
    const needsK8sProviders = ws === 'eks/prod1/k8s';
    it.skipIf(needsK8sProviders && !(hasProvider('helm') && hasProvider('kubernetes')))(
      ws,
      async () => {
        const dir = join(scratch, 'aws', ws);
        await runTofuOrThrow(tofu, ['init', '-backend=false', '-input=false', '-no-color'], {
          cwd: dir,
        });
        const r = await runTofu(tofu, ['validate', '-json'], { cwd: dir });
        const result = JSON.parse(r.stdout) as {
          valid: boolean;
          diagnostics: { summary: string; detail?: string }[];
        };
        expect(result.diagnostics.map((d) => `${d.summary}: ${d.detail ?? ''}`)).toEqual([]);
        expect(result.valid).toBe(true);
      },
    );
  }

  it('reports an invalid configuration', async () => {
    const dir = join(scratch, 'aws', 'network');
    await runTofuOrThrow(tofu, ['init', '-backend=false', '-input=false', '-no-color'], {
      cwd: dir,
    });
    cpSync(join(dir, 'main.tf'), join(dir, 'broken.tf'));
    const r = await runTofu(tofu, ['validate', '-json'], { cwd: dir });
    rmSync(join(dir, 'broken.tf'));
    expect(JSON.parse(r.stdout).valid).toBe(false);
  });
});
