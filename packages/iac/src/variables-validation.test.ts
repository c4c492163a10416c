import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '@stackproof/core';
import { resolveTool } from '@stackproof/toolchain';
import { afterAll, describe, expect, it } from 'vitest';
import { runTofu, runTofuOrThrow } from './tofu.ts';
import { PLAN_FIXTURES_DIR } from './workspace-files.ts';

const TERRAFORM_ROOT = repoPath('terraform');

// A root's variables.tf alone needs no provider: planning it evaluates every validation block with
// OpenTofu itself. So the roots' input contracts are tested in the default suite, without the
// hashicorp/aws provider.
function findTofu(): string | undefined {
  try {
    return resolveTool('tofu').path;
  } catch (err) {
    if (process.env.CI === 'true') throw err;
    console.warn(`[iac] skipping variable validation checks: ${(err as Error).message}`);
    return undefined;
  }
}
const tofu = findTofu();

interface Case {
  readonly workspace: string;
  readonly sample: string | null;
  /** Values that must be refused, each with the start of the message that refuses it. */
  readonly refused: readonly (readonly [Record<string, string>, RegExp])[];
}

const CASES: readonly Case[] = [
  {
    workspace: 'network',
    sample: null,
    refused: [
      [{ azs: '["me-central-1a"]' }, /at least 3 distinct availability zones/],
      [{ vpc_cidr: '10.0.0.0/24' }, /\/16 or larger/],
      [{ region: 'Middle East' }, /must be an AWS region name/],
      [{ flow_log_retention_days: '7' }, /at\s+least\s+90\s+days/],
    ],
  },
  {
    workspace: 'eks/prod1/infra',
    sample: 'samples/eks-prod1-infra.tfvars',
    refused: [
      [{ public_access_cidrs: '["0.0.0.0/0"]' }, /must not include 0\.0\.0\.0\/0/],
      [{ kubernetes_version: '1.29' }, /1\.33 or newer/],
      [{ node_min_size: '1' }, /at least 3 \(one node per AZ\)/],
      [{ private_subnet_ids: '["subnet-0aa1a1a1a1a1a1a1a"]' }, /at least 3 subnet IDs/],
    ],
  },
  {
    workspace: 'rds',
    sample: 'samples/rds.tfvars',
    refused: [
      [{ engine_version: '15.4' }, /major 16 or newer/],
      [{ backup_retention_days: '1' }, /between 7 and 35/],
      [{ eks_node_security_group_id: '0.0.0.0/0' }, /must look like sg-/],
    ],
  },
  {
    workspace: '_tfstate',
    sample: 'samples/_tfstate.tfvars',
    refused: [[{ state_bucket_name: 'Bad_Name' }, /lowercase letters/]],
  },
  {
    workspace: 'services/backend',
    sample: 'samples/services-backend.tfvars',
    refused: [[{ database_secret_arn: 'arn:aws:s3:::bucket' }, /Secrets Manager secret ARN/]],
  },
  {
    workspace: 'services/frontend',
    sample: null,
    refused: [[{ namespace: 'Front_End' }, /DNS-1123 label/]],
  },
];

const varArgs = (vars: Record<string, string>) =>
  Object.entries(vars).map(([k, v]) => `-var=${k}=${v}`);

describe.skipIf(tofu === undefined)('root variable validation', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function variablesOnly(workspace: string): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'stackproof-vars-'));
    dirs.push(dir);
    cpSync(join(TERRAFORM_ROOT, 'aws', workspace, 'variables.tf'), join(dir, 'variables.tf'));
    await runTofuOrThrow(tofu as string, ['init', '-input=false', '-no-color'], { cwd: dir });
    return dir;
  }

  for (const c of CASES) {
    describe(c.workspace, () => {
      const base =
        c.sample === null ? [] : [`-var-file=${join(TERRAFORM_ROOT, PLAN_FIXTURES_DIR, c.sample)}`];
      const plan = (dir: string, extra: string[]) =>
        runTofu(
          tofu as string,
          ['plan', '-input=false', '-no-color', '-lock=false', ...base, ...extra],
          { cwd: dir },
        );

      it('accepts the defaults and the sample values', async () => {
        const r = await plan(await variablesOnly(c.workspace), []);
        expect(r.stdout + r.stderr).not.toMatch(/Error/);
        expect(r.exitCode).toBe(0);
      });

      for (const [vars, message] of c.refused) {
        it(`refuses ${JSON.stringify(vars)}`, async () => {
          const r = await plan(await variablesOnly(c.workspace), varArgs(vars));
          expect(r.exitCode).not.toBe(0);
          expect(r.stdout + r.stderr).toMatch(message);
        });
      }
    });
  }
});
