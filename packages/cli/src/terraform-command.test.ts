import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBinSync } from './bin.test-helpers.ts';

function stackproof(args: readonly string[], cwd: string) {
  return runBinSync(args, cwd);
}

const output = (value: unknown) => ({ sensitive: false, type: 'string', value });

describe('stackproof terraform (subprocess)', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stackproof-tf-cli-'));
    await writeFile(
      join(dir, 'network.json'),
      JSON.stringify({
        vpc_id: output('vpc-0a1b2c3d4e5f60718'),
        private_subnet_ids: output(['subnet-0aa1', 'subnet-0bb2', 'subnet-0cc3']),
      }),
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('--help of the command and of each subcommand exits 0', () => {
    for (const args of [
      ['terraform', '--help'],
      ['terraform', 'inputs', '--help'],
      ['terraform', 'upstream', '--help'],
    ]) {
      const run = stackproof(args, dir);
      expect(run.status, args.join(' ')).toBe(0);
      expect(run.stdout).toContain('stackproof terraform inputs <workspace> --outputs-dir DIR');
    }
  });

  it('upstream prints the workspaces a workspace reads, in apply order', () => {
    const run = stackproof(['terraform', 'upstream', 'services/backend'], dir);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('eks/prod1/infra\nrds\n');
  });

  it('inputs writes the wired variables from the upstream outputs', async () => {
    const file = join(dir, 'upstream.auto.tfvars.json');
    const run = stackproof(
      ['terraform', 'inputs', 'eks/prod1/infra', '--outputs-dir', dir, '--output', file],
      dir,
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      vpc_id: 'vpc-0a1b2c3d4e5f60718',
      private_subnet_ids: ['subnet-0aa1', 'subnet-0bb2', 'subnet-0cc3'],
    });
  });

  it('negative twin: an upstream not applied yet is exit 2 with one line naming it, no stack trace', () => {
    const run = stackproof(
      ['terraform', 'inputs', 'rds', '--outputs-dir', dir, '--output', '-'],
      dir,
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /^stackproof: error \[OUTPUTS_INVALID\] .*eks-prod1-infra\.json is missing/,
    );
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stdout).toBe('');
  });

  it('negative twin: an unknown workspace, subcommand or option is exit 2', () => {
    expect(stackproof(['terraform', 'inputs', 'nope', '--outputs-dir', dir], dir).stderr).toMatch(
      /'nope' is not a workspace of terraform\/aws\/workspaces\.json; known: _tfstate, network/,
    );
    expect(stackproof(['terraform', 'plan', 'network'], dir).status).toBe(2);
    expect(stackproof(['terraform', 'inputs', 'network', '--bogus'], dir).status).toBe(2);
  });
});
